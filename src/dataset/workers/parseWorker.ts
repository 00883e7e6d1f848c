import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { BadFileError } from '../../logs/formats/index.ts';
import { processFile, type ProcessorSettings } from '../pipeline/processFile.ts';
import { crashDetail, type WorkerReply, type WorkerRequest } from './workerProtocol.ts';

/** Runs file parsing off the main thread, one piscina task per file; the settings come once, as workerData. */
const settings = workerData as ProcessorSettings;

export default function parse(request: WorkerRequest): unknown {
  if (request.type === 'ping') return { type: 'ready' } satisfies WorkerReply;
  try {
    const result = processFile(request.bytes, request.day, settings, request.thresholds);
    const reply: WorkerReply = { type: 'file', result };
    // The result's arrays move to the main thread rather than being copied.
    const buffers = [
      result.bytes.buffer,
      result.offsets.buffer,
      result.hashes.buffer,
      result.groups.buffer,
      result.labelIds.buffer,
      result.sampled.buffer,
      result.digests.buffer,
      result.splits.buffer,
    ];
    return move({ [transferableSymbol]: buffers, [valueSymbol]: reply } as never);
  } catch (error) {
    if (error instanceof BadFileError) return { type: 'bad-file', reason: error.reason, message: error.message };
    return { type: 'error', message: crashDetail(error) } satisfies WorkerReply;
  }
}
