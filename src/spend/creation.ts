import pRetry from 'p-retry';
import type { Clock } from '../shared/clock.ts';
import type { BackgroundTasks } from '../shared/backgroundTasks.ts';
import { isTransient } from './transient.ts';

/**
 * The create step of a spend, once approved, exactly once: the kind creates under the name derived from the request
 * (so a second attempt meets "already exists" instead of a second resource), a transient failure is retried (p-retry,
 * waiting on the injected clock: a minute, two, three…), and when the retries run out on a failure that may have
 * been a lost answer, the derived name is looked up (Describe) before the request is called failed — a resource
 * that exists is followed, never left billing behind a "failed" request. One attempt sequence per request at a
 * time; stop() aborts the waits (the next start resumes approved requests), and every AWS call is bounded by its
 * client's request timeout, so nothing here waits forever.
 */
export interface CreationKind<R, O> {
  /** The words of the log lines: "training launch", "endpoint creation". */
  readonly what: string;
  /** The request if it is still approved and not yet created (undefined: nothing to do). */
  approved(id: string): R | undefined;
  create(record: R, signal: AbortSignal): Promise<O>;
  /** What exists under the derived name, if anything (after the last transient failure). */
  settle(record: R, signal: AbortSignal): Promise<O | undefined>;
  /** Records and tracks what was created (or found), then says so. */
  created(record: R, outcome: O): Promise<void>;
  /** The kind's requests: a failed create closes its request approved → failed, by compare-and-set. */
  readonly requests: {
    close(id: string, state: 'failed', from: readonly ['approved'], details: { error: string }, now: Date): boolean;
  };
  /** How the closed request states the failure: "SageMaker did not start the job". */
  readonly failure: string;
  /** Removes whatever part of the resource an attempt may have left, before the request is closed (best effort). */
  cleanUp?(record: R): Promise<void>;
  /** Says why, once: only after this process closed the request. */
  failed(record: R, reason: string): Promise<void>;
}

/**
 * A kind's create throws this when the request was withdrawn (Cancel) while an attempt waited to be retried and
 * nothing exists under its name: the sequence ends there, as nothing failed and nothing is left to say.
 */
export class CreationWithdrawn extends Error {
  override readonly name = 'CreationWithdrawn';
}

export interface CreationOptions {
  readonly clock: Clock;
  readonly log: {
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
    error(message: string, fields?: Record<string, unknown>): void;
  };
  readonly tasks: BackgroundTasks;
  /** The wait before retry n is n × retryMs. */
  readonly retryMs?: number;
  readonly attempts?: number;
}

const RETRY_MS = 60_000;
const ATTEMPTS = 5;

export class SpendCreation<R, O> {
  private readonly busy = new Set<string>();
  private readonly controller = new AbortController();

  constructor(
    private readonly kind: CreationKind<R, O>,
    private readonly options: CreationOptions,
  ) {}

  /** Starts the create of an approved request in the background; a request already being created is left to it. */
  start(id: string): void {
    this.options.tasks.run(this.run(id), this.kind.what);
  }

  /** The whole attempt sequence for one request; resolves once it is created, failed, or stopped. */
  async run(id: string): Promise<void> {
    const { kind, options } = this;
    const signal = this.controller.signal;
    const record = kind.approved(id);
    if (record === undefined || this.busy.has(id) || signal.aborted) return;
    this.busy.add(id);
    try {
      let outcome: O | undefined;
      let failure: unknown;
      try {
        outcome = await pRetry(() => kind.create(record, signal), {
          retries: (options.attempts ?? ATTEMPTS) - 1,
          minTimeout: 0,
          signal,
          shouldRetry: ({ error }) => isTransient(error),
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            if (!isTransient(error) || retriesLeft === 0 || signal.aborted) return;
            options.log.warn(`${kind.what} failed; retrying`, { requestId: id, attempts: attemptNumber, error });
            await this.wait((options.retryMs ?? RETRY_MS) * attemptNumber, signal);
          },
        });
      } catch (error) {
        if (signal.aborted) return; // stopping: the next start picks the approved request up again
        if (error instanceof CreationWithdrawn) {
          options.log.info(`${kind.what} withdrawn`, { requestId: id, reason: error.message });
          return;
        }
        failure = error;
      }
      if (outcome === undefined && isTransient(failure)) {
        // The answer may have been lost on the way back: what exists under the derived name settles it.
        outcome = await kind.settle(record, signal).catch(() => undefined);
      }
      if (outcome !== undefined) {
        await kind.created(record, outcome);
        return;
      }
      options.log.error(`${kind.what} failed`, { requestId: id, error: failure });
      await kind.cleanUp?.(record);
      const reason = failure instanceof Error ? failure.message : String(failure);
      const at = new Date(options.clock.now());
      if (kind.requests.close(id, 'failed', ['approved'], { error: `${kind.failure}: ${reason}` }, at))
        await kind.failed(record, reason);
    } finally {
      this.busy.delete(id);
    }
  }

  /** No new attempts; the waits in progress end at once. */
  stop(): void {
    this.controller.abort();
  }

  private wait(ms: number, signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(done, ms);
      function done() {
        signal.removeEventListener('abort', done);
        clock.clearTimeout(timer);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
