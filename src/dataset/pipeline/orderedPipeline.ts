import { CancelledError } from '../../errors.ts';

export interface OrderedPipelineOptions<T> {
  readonly concurrency: number;
  readonly window: number;
  readonly produce: (index: number) => Promise<T>;
  readonly consume: (index: number, value: T) => Promise<void>;
  readonly signal?: AbortSignal;
}

/** A pipeline whose items arrive over time (a listing still in progress). */
export interface OpenPipeline {
  /** Items 0..count-1 exist now; count only grows. */
  extend(count: number): void;
  /** No more items will come: the pipeline settles once the existing ones are consumed. */
  end(): void;
  /** Stops the pipeline with this error (no more produce or consume calls start). */
  fail(error: unknown): void;
  readonly finished: Promise<void>;
}

/**
 * Runs `produce` for each item with up to `concurrency` in flight, and `consume` strictly in index order.
 * Producing overlaps (fetches and parsing run ahead), consuming stays deterministic, and at most `window` results
 * wait for a slow earlier one, which bounds memory. Items may be added while it runs.
 */
export function openOrderedPipeline<T>(options: OrderedPipelineOptions<T>): OpenPipeline {
  const { concurrency, window, produce, consume, signal } = options;
  const ready = new Map<number, T>();
  let count = 0;
  let ended = false;
  let started = 0;
  let active = 0;
  let consumed = 0;
  let consuming = false;
  let settled = false;
  let resolveFinished!: () => void;
  let rejectFinished!: (error: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    resolveFinished = resolve;
    rejectFinished = reject;
  });

  const fail = (error: unknown) => {
    if (settled) return;
    settled = true;
    signal?.removeEventListener('abort', onAbort);
    rejectFinished(error);
  };
  const onAbort = () => fail(new CancelledError());

  const settleIfDone = () => {
    if (settled || !ended || consumed !== count) return;
    settled = true;
    signal?.removeEventListener('abort', onAbort);
    resolveFinished();
  };

  const drain = async () => {
    if (consuming) return;
    consuming = true;
    try {
      while (!settled && ready.has(consumed)) {
        const value = ready.get(consumed)!;
        ready.delete(consumed);
        await consume(consumed, value);
        consumed++;
        pump();
      }
    } catch (error) {
      fail(error);
    } finally {
      consuming = false;
    }
    settleIfDone();
  };

  const pump = () => {
    while (!settled && active < concurrency && started < count && started < consumed + window) {
      const index = started++;
      active++;
      produce(index).then((value) => {
        active--;
        ready.set(index, value);
        void drain();
        pump();
      }, fail);
    }
  };

  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();

  return {
    extend(next) {
      if (ended) throw new Error('internal: pipeline extended after its end');
      if (next <= count) return;
      count = next;
      pump();
    },
    end() {
      ended = true;
      settleIfDone();
    },
    fail,
    finished,
  };
}

/** The same for a fixed number of items known up front. */
export function orderedPipeline<T>(options: OrderedPipelineOptions<T> & { readonly count: number }): Promise<void> {
  const pipeline = openOrderedPipeline(options);
  pipeline.extend(options.count);
  pipeline.end();
  return pipeline.finished;
}
