import { CancelledError } from '../errors.ts';

/**
 * Runs `produce` for items 0..count-1 with up to `concurrency` in flight, and `consume` strictly in index order.
 * Producing overlaps (fetches and parsing run ahead), consuming stays deterministic, and at most `window` results
 * wait for a slow earlier one, which bounds memory.
 */
export function orderedPipeline<T>(options: {
  readonly count: number;
  readonly concurrency: number;
  readonly window: number;
  readonly produce: (index: number) => Promise<T>;
  readonly consume: (index: number, value: T) => Promise<void>;
  readonly signal?: AbortSignal;
}): Promise<void> {
  const { count, concurrency, window, produce, consume, signal } = options;
  return new Promise((resolve, reject) => {
    const ready = new Map<number, T>();
    let started = 0;
    let active = 0;
    let consumed = 0;
    let consuming = false;
    let failed = false;

    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    };
    const onAbort = () => fail(new CancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) return onAbort();

    const drain = async () => {
      if (consuming) return;
      consuming = true;
      try {
        while (!failed && ready.has(consumed)) {
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
      if (!failed && consumed === count) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
    };

    const pump = () => {
      while (!failed && active < concurrency && started < count && started < consumed + window) {
        const index = started++;
        active++;
        produce(index).then(
          (value) => {
            active--;
            ready.set(index, value);
            void drain();
            pump();
          },
          fail,
        );
      }
    };

    if (count === 0) return void drain();
    pump();
  });
}
