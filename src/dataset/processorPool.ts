import { Worker } from 'node:worker_threads';
import { BadFileError, type BadFileReason } from '../logs/formats/index.ts';
import { processFile, type FileResult, type ProcessorSettings, type SampleThresholds } from './processFile.ts';
import { workerScript } from './workerBundle.ts';
import type { WorkerReply, WorkerRequest } from './workerProtocol.ts';

export type FileOutcome =
  | { readonly ok: true; readonly result: FileResult }
  | { readonly ok: false; readonly reason: BadFileReason | 'unreadable'; readonly message: string };

/**
 * Where CPU-bound work runs: worker threads, so that the main thread stays free for I/O (and, in the bot, for
 * Slack), or inline on the main thread (workers = 0: small builds and tests).
 */
export interface FileProcessor {
  process(bytes: Uint8Array, day: string, thresholds: SampleThresholds): Promise<FileOutcome>;
  close(): Promise<void>;
}

export function createFileProcessor(settings: ProcessorSettings, workers: number): FileProcessor {
  return workers > 0 ? new WorkerPool(settings, workers) : inlineProcessor(settings);
}

function inlineProcessor(settings: ProcessorSettings): FileProcessor {
  return {
    async process(bytes, day, thresholds) {
      try {
        return { ok: true, result: processFile(bytes, day, settings, thresholds) };
      } catch (error) {
        if (error instanceof BadFileError) return { ok: false, reason: error.reason, message: error.message };
        throw error;
      }
    },
    async close() {},
  };
}

/**
 * A worker only ever holds one file's rows, so a small young generation is plenty; V8's defaults let each isolate
 * grow far larger before collecting, which shows up as RSS.
 */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 8 };

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
}

/** Requests go to the worker with the fewest outstanding; each worker handles its queue in order. */
class WorkerPool implements FileProcessor {
  private readonly workers: { worker: Worker; outstanding: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  /** Workers start once their script is bundled; requests wait for that. */
  private readonly started: Promise<void>;

  constructor(settings: ProcessorSettings, size: number) {
    this.started = workerScript().then((script) => {
      for (let i = 0; i < size; i++) this.startWorker(script, settings);
    });
    // A failed bundle surfaces on the first request (or close); not as an unhandled rejection meanwhile.
    this.started.catch(() => undefined);
  }

  private startWorker(script: string, settings: ProcessorSettings): void {
    const worker = new Worker(script, { eval: true, resourceLimits: WORKER_HEAP });
    const slot = { worker, outstanding: 0 };
    worker.on('message', (reply: WorkerReply) => {
      slot.outstanding--;
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'error') p?.reject(new Error(`file processor failed: ${reply.message}`));
      else p?.resolve(reply);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`file processor worker exited with code ${code}`));
    });
    this.workers.push(slot);
    void this.send(slot, { id: this.nextId++, type: 'init', settings });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private send(slot: { worker: Worker; outstanding: number }, request: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      slot.outstanding++;
      slot.worker.postMessage(request, transfer);
    });
  }

  private leastBusy() {
    return this.workers.reduce((best, w) => (w.outstanding < best.outstanding ? w : best));
  }

  async process(bytes: Uint8Array, day: string, thresholds: SampleThresholds): Promise<FileOutcome> {
    await this.started;
    const slot = this.leastBusy();
    // Move the bytes rather than copy them when the array owns its whole buffer (the usual case for an S3 body).
    const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const payload = owned ? bytes : bytes.slice();
    const reply = await this.send(slot, { id: this.nextId++, type: 'file', bytes: payload, day, thresholds }, [
      payload.buffer as ArrayBuffer,
    ]);
    if (reply.type === 'file') return { ok: true, result: reply.result };
    if (reply.type === 'bad-file') return { ok: false, reason: reply.reason, message: reply.message };
    throw new Error(`unexpected worker reply ${reply.type}`);
  }

  async close(): Promise<void> {
    await this.started.catch(() => undefined);
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}
