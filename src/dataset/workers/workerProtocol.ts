import type { BadFileReason } from '../../logs/formats/index.ts';
import type { FileResult, SampleThresholds } from '../pipeline/processFile.ts';

export type WorkerRequest =
  /** Answered once the worker has loaded: a worker that cannot is broken, not a file. */
  | { readonly type: 'ping' }
  | {
      readonly type: 'file';
      readonly bytes: Uint8Array;
      readonly day: string;
      readonly thresholds: SampleThresholds;
    };

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'file'; readonly result: FileResult }
  | { readonly type: 'bad-file'; readonly reason: BadFileReason; readonly message: string }
  /** The parser threw something other than BadFileError (a bug): the file is skipped as "parser crashed". */
  | { readonly type: 'error'; readonly message: string };

/** The error and where it was thrown, on one line: enough to find a parser bug from a skipped-file report. */
export function crashDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const at = error.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at '))
    ?.trim();
  return at ? `${error.name}: ${error.message} (${at})` : `${error.name}: ${error.message}`;
}
