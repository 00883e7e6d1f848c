import { CancelledError, LogtuneError, UsageError, type ErrorCode } from '../errors.ts';

/** What a job thread is told after it starts (its task and input travel in workerData). */
export type ToThread = { readonly type: 'abort' };

export type FromThread =
  | { readonly type: 'progress'; readonly progress: unknown }
  | { readonly type: 'done'; readonly value: unknown }
  | { readonly type: 'failed'; readonly error: ThreadError };

export interface ThreadError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Set for logtune's own errors: the caller tells a user's mistake or a cancellation from a failure by it. */
  readonly code: ErrorCode | undefined;
}

export function toThreadError(error: unknown): ThreadError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: undefined, code: undefined };
  const code = error instanceof LogtuneError ? error.code : undefined;
  return { name: error.name, message: error.message, stack: error.stack, code };
}

/**
 * The error as the caller would have met it had the task run on its own thread: structured cloning keeps only
 * message and name, so logtune's error classes are made again from their codes (callers test them with instanceof).
 */
export function fromThreadError(error: ThreadError): Error {
  const made =
    error.code === 'usage'
      ? new UsageError(error.message)
      : error.code === 'cancelled'
        ? new CancelledError(error.message)
        : error.code !== undefined
          ? new LogtuneError(error.code, error.message)
          : new Error(error.message);
  made.name = error.name;
  if (error.stack !== undefined) made.stack = error.stack;
  return made;
}
