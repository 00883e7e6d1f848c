import { Piscina } from 'piscina';
import type { FileOutcome, FileProcessor } from '../pipeline/processorPool.ts';
import type { ProcessorSettings, SampleThresholds } from '../pipeline/processFile.ts';
import { parseWorkerFile } from './workerBundle.ts';
import type { WorkerReply, WorkerRequest } from './workerProtocol.ts';

/**
 * A worker only ever holds one file's rows, so a small young generation is plenty; V8's defaults let each isolate
 * grow far larger before collecting, which shows up as RSS.
 */
const YOUNG_GENERATION_MB = 8;

/**
 * Parse workers (a piscina pool), one file each at a time. Files wait in the pool's queue, on the main thread,
 * until a worker is free: their bytes move to a worker only when it starts on them, so a worker that dies (out of
 * memory, a bug that kills it) takes only the file it was parsing with it — outcome "parser crashed" — and piscina
 * replaces it, while the files behind it go to the next free worker. A worker that cannot even load fails the
 * build (the first file waits for a ping that proves the workers load): that is the worker script or its
 * settings, and retrying would only repeat it.
 */
export class WorkerPool implements FileProcessor {
  private readonly pool: Promise<Piscina>;
  private readonly loaded: Promise<void>;

  constructor(settings: ProcessorSettings, size: number, limits: { readonly maxOldGenerationSizeMb: number }) {
    this.pool = parseWorkerFile().then(
      (url) =>
        new Piscina({
          filename: url.href,
          minThreads: size,
          maxThreads: size,
          concurrentTasksPerWorker: 1,
          idleTimeout: Number.POSITIVE_INFINITY,
          // Every file is its own task: no queue limit beyond what the build's pipeline window allows.
          maxQueue: Number.POSITIVE_INFINITY,
          workerData: settings,
          resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, ...limits },
        }),
      (error: unknown) => {
        throw new Error(`parse workers could not start: ${(error as Error).message}`, { cause: error });
      },
    );
    // A worker's death is reported to the file it was parsing; with none running (between files), piscina emits
    // it here, where nothing is left to report it to: the replacement worker takes the next file.
    void this.pool.then((pool) => pool.on('error', () => undefined)).catch(() => undefined);
    this.loaded = this.pool.then(async (pool) => {
      try {
        await pool.run({ type: 'ping' } satisfies WorkerRequest);
      } catch (error) {
        throw new Error(`parse worker failed to start: ${(error as Error).message}`, { cause: error });
      }
    });
    this.loaded.catch(() => undefined); // surfaced by process()
  }

  async process(bytes: Uint8Array, day: string, thresholds: SampleThresholds): Promise<FileOutcome> {
    await this.loaded;
    const pool = await this.pool;
    // Move the bytes rather than copy them when the array owns its whole buffer (the usual case for an S3 body).
    const owned =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const payload = owned ? bytes : bytes.slice();
    let reply: WorkerReply;
    try {
      const request: WorkerRequest = { type: 'file', bytes: payload, day, thresholds };
      reply = (await pool.run(request, { transferList: [payload.buffer as ArrayBuffer] })) as WorkerReply;
    } catch (error) {
      return { ok: false, reason: 'parser_crashed', message: `parser crashed: ${(error as Error).message}` };
    }
    if (reply.type === 'file') return { ok: true, result: reply.result };
    if (reply.type === 'bad-file') return { ok: false, reason: reply.reason, message: reply.message };
    if (reply.type === 'error')
      return { ok: false, reason: 'parser_crashed', message: `parser crashed: ${reply.message}` };
    throw new Error(`internal: parse worker answered a file with ${reply.type}`);
  }

  async close(): Promise<void> {
    const pool = await this.pool.catch(() => undefined);
    await pool?.destroy();
  }
}
