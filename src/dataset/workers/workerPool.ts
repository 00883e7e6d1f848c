import { Worker } from 'node:worker_threads';
import type { FileOutcome, FileProcessor } from '../pipeline/processorPool.ts';
import type { ProcessorSettings, SampleThresholds } from '../pipeline/processFile.ts';
import { parseWorkerFile } from './workerBundle.ts';
import type { WorkerReply, WorkerRequest } from './workerProtocol.ts';

/**
 * A worker only ever holds one file's rows, so a small young generation is plenty; V8's defaults let each isolate
 * grow far larger before collecting, which shows up as RSS.
 */
const YOUNG_GENERATION_MB = 8;

interface Job {
  readonly bytes: Uint8Array;
  readonly day: string;
  readonly thresholds: SampleThresholds;
  resolve(outcome: FileOutcome): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  /** Answered its init: a worker that dies before that is broken, not a file. */
  ready: boolean;
  dead: boolean;
  /** The file the worker is parsing; at most one, so a crash is always blamed on the right file. */
  job: Job | undefined;
}

/**
 * Parse workers fed from one queue, one file each at a time. Files wait here, on the main thread, until a worker is
 * free: their bytes move to a worker only when it starts on them, so a worker that dies (out of memory, a bug that
 * kills it) takes only the file it was parsing with it — outcome "parser crashed" — and is replaced, while the
 * files behind it go to the next free worker. A worker that dies before it was ready fails the build: that is
 * the worker script or its settings, and retrying would only repeat it.
 */
export class WorkerPool implements FileProcessor {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private failure: Error | undefined;
  private closing = false;
  private nextId = 1;
  private readonly script: Promise<URL>;

  constructor(
    private readonly settings: ProcessorSettings,
    size: number,
    private readonly limits: { readonly maxOldGenerationSizeMb: number },
  ) {
    this.script = parseWorkerFile();
    this.script.then(
      (url) => {
        for (let i = 0; i < size && !this.closing; i++) this.startWorker(url);
      },
      (error: unknown) => this.fail(new Error(`parse workers could not start: ${(error as Error).message}`)),
    );
  }

  process(bytes: Uint8Array, day: string, thresholds: SampleThresholds): Promise<FileOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, day, thresholds, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.script.catch(() => undefined);
    for (const job of this.queue.splice(0)) job.reject(new Error('file processor closed'));
    await Promise.all([...this.slots].map((slot) => slot.worker.terminate()));
  }

  private startWorker(url: URL): void {
    const worker = new Worker(url, {
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, ...this.limits },
    });
    const slot: Slot = { worker, ready: false, dead: false, job: undefined };
    this.slots.add(slot);
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on('error', (error) => this.onDeath(slot, url, error.message));
    worker.on('exit', (code) => this.onDeath(slot, url, `exited with code ${code}`));
    this.post(slot, { id: this.nextId++, type: 'init', settings: this.settings });
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'ready') slot.ready = true;
    const job = slot.job;
    if (reply.type !== 'ready') slot.job = undefined;
    // The next file first: the worker should not wait while this one is committed.
    this.dispatch();
    if (job === undefined || reply.type === 'ready') return;
    if (reply.type === 'file') job.resolve({ ok: true, result: reply.result });
    else if (reply.type === 'bad-file') job.resolve({ ok: false, reason: reply.reason, message: reply.message });
    else job.resolve({ ok: false, reason: 'parser_crashed', message: `parser crashed: ${reply.message}` });
  }

  /** 'error' and then 'exit' both arrive for one death; the first is acted on. */
  private onDeath(slot: Slot, url: URL, cause: string): void {
    if (slot.dead) return;
    slot.dead = true;
    this.slots.delete(slot);
    if (this.closing || this.failure) return;
    if (!slot.ready) {
      this.fail(new Error(`parse worker failed to start: ${cause}`));
      return;
    }
    slot.job?.resolve({ ok: false, reason: 'parser_crashed', message: `parser crashed: ${cause}` });
    slot.job = undefined;
    this.startWorker(url);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.dead || slot.job !== undefined) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      // Move the bytes rather than copy them when the array owns its whole buffer (the usual case for an S3 body).
      const { bytes } = job;
      const owned =
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
      const payload = owned ? bytes : bytes.slice();
      this.post(slot, { id: this.nextId++, type: 'file', bytes: payload, day: job.day, thresholds: job.thresholds }, [
        payload.buffer as ArrayBuffer,
      ]);
    }
  }

  private post(slot: Slot, request: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    slot.worker.postMessage(request, transfer);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.queue.splice(0)) job.reject(error);
    for (const slot of this.slots) {
      slot.job?.reject(error);
      slot.job = undefined;
    }
  }
}
