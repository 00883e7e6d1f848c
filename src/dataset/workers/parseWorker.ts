import { parentPort } from 'node:worker_threads';
import { BadFileError } from '../../logs/formats/index.ts';
import { processFile, type ProcessorSettings } from '../pipeline/processFile.ts';
import { crashDetail, type WorkerReply, type WorkerRequest } from './workerProtocol.ts';

/** Runs file parsing off the main thread; one message in, one reply out. */
let settings: ProcessorSettings | undefined;

function handle(request: WorkerRequest): { reply: WorkerReply; transfer: ArrayBuffer[] } {
  switch (request.type) {
    case 'init':
      settings = request.settings;
      return { reply: { id: request.id, type: 'ready' }, transfer: [] };
    case 'file': {
      if (!settings) throw new Error('worker used before init');
      try {
        const result = processFile(request.bytes, request.day, settings, request.thresholds);
        const transfer = [
          result.bytes.buffer,
          result.offsets.buffer,
          result.hashes.buffer,
          result.groups.buffer,
          result.labelIds.buffer,
        ] as ArrayBuffer[];
        return { reply: { id: request.id, type: 'file', result }, transfer };
      } catch (error) {
        if (error instanceof BadFileError) {
          return {
            reply: { id: request.id, type: 'bad-file', reason: error.reason, message: error.message },
            transfer: [],
          };
        }
        throw error;
      }
    }
  }
}

parentPort!.on('message', (request: WorkerRequest) => {
  try {
    const { reply, transfer } = handle(request);
    parentPort!.postMessage(reply, transfer);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, type: 'error', message: crashDetail(error) } satisfies WorkerReply);
  }
});
