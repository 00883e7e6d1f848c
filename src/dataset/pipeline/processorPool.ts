import { MAX_TEXT_BYTES } from '../../logs/formats/decode.ts';
import { BadFileError, type BadFileReason } from '../../logs/formats/index.ts';
import { processFile, type FileResult, type ProcessorSettings, type SampleThresholds } from './processFile.ts';
import { crashDetail } from '../workers/workerProtocol.ts';
import { WorkerPool } from '../workers/workerPool.ts';

/** Why a file was skipped: its content (BadFileReason), its read, or the parser dying or failing on it. */
export type SkipReason = BadFileReason | 'unreadable' | 'parser_crashed';

export type FileOutcome =
  | { readonly ok: true; readonly result: FileResult }
  | { readonly ok: false; readonly reason: SkipReason; readonly message: string };

/**
 * Where CPU-bound work runs: worker threads, so that the main thread stays free for I/O (and, in the bot, for
 * Slack), or inline on the main thread (workers = 0: small builds and tests).
 */
export interface FileProcessor {
  process(bytes: Uint8Array, day: string, thresholds: SampleThresholds): Promise<FileOutcome>;
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** Each worker's V8 heap limit; a worker that passes it dies, which costs only the file it was parsing. */
  readonly maxOldGenerationSizeMb?: number;
}

const MB = 1024 * 1024;

/**
 * A worker holds one file at a time. Its decoded text is one string on the worker's heap: at most the file cap in
 * characters (and never more than a string can hold), stored two bytes each once any character is outside
 * Latin-1; 128 MB more covers the parser's own state and the per-file arrays. Tighter would kill workers on files
 * the cap admits; looser lets a runaway parse grow towards V8's default limit (several GB) and take the process
 * down instead. The limit is best-effort: a worker whose heap fills gradually is stopped cleanly, but one single
 * allocation far past it can abort the whole process (nodejs/node#47224), which is why the cap keeps the text (for
 * log lines of ordinary length, the largest single allocation) well inside it.
 */
export function workerHeapLimitMb(maxFileBytes: number): number {
  return 2 * Math.ceil(Math.min(maxFileBytes, MAX_TEXT_BYTES) / MB) + 128;
}

export function createFileProcessor(
  settings: ProcessorSettings,
  workers: number,
  options: WorkerOptions = {},
): FileProcessor {
  if (workers <= 0) return inlineProcessor(settings);
  const maxOldGenerationSizeMb = options.maxOldGenerationSizeMb ?? workerHeapLimitMb(settings.maxFileBytes);
  return new WorkerPool(settings, workers, { maxOldGenerationSizeMb });
}

function inlineProcessor(settings: ProcessorSettings): FileProcessor {
  return {
    async process(bytes, day, thresholds) {
      try {
        return { ok: true, result: processFile(bytes, day, settings, thresholds) };
      } catch (error) {
        if (error instanceof BadFileError) return { ok: false, reason: error.reason, message: error.message };
        // The same outcome as in a worker: a parser bug costs the file it met, not the build.
        return { ok: false, reason: 'parser_crashed', message: `parser crashed: ${crashDetail(error)}` };
      }
    },
    async close() {},
  };
}
