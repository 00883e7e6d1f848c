import { EventEmitter, on } from 'node:events';
import { pMapIterable } from 'p-map';
import { CancelledError } from '../../errors.ts';

/**
 * Items that arrive over time — a listing still in progress — as an async iterable of their indexes (0, 1, 2, …).
 * Node's own `events.on` buffers what arrives before it is read.
 */
export class ArrivingItems implements AsyncIterable<number> {
  private readonly emitter = new EventEmitter();
  private readonly batches: AsyncIterator<[number]>;
  private count = 0;
  private ended = false;

  constructor(signal?: AbortSignal) {
    this.batches = on(this.emitter, 'batch', { close: ['end'], ...(signal && { signal }) }) as AsyncIterator<[number]>;
  }

  /** Items up to `total` (exclusive) exist now; the total only grows. */
  extend(total: number): void {
    if (this.ended) throw new Error('internal: items added after their end');
    if (total <= this.count) return;
    this.emitter.emit('batch', total - this.count);
    this.count = total;
  }

  /** No more items will come. */
  end(): void {
    this.ended = true;
    this.emitter.emit('end');
  }

  /** The source failed: whoever reads the items gets this error once the earlier ones are read. */
  fail(error: unknown): void {
    this.ended = true;
    // Once the reader has stopped nobody listens, and an unheard 'error' event would throw.
    if (this.emitter.listenerCount('error') > 0) this.emitter.emit('error', error);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<number> {
    let next = 0;
    for (let batch = await this.batches.next(); batch.done !== true; batch = await this.batches.next()) {
      for (const end = next + batch.value[0]; next < end; next++) yield next;
    }
  }
}

export interface ReadInOrderOptions<T> {
  /** Items read ahead of the one being committed (fetching or parsing, or done and waiting): bounds memory. */
  readonly window: number;
  readonly read: (index: number) => Promise<T>;
  readonly commit: (index: number, value: T) => Promise<void>;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Reads items with up to `window` in flight and commits them strictly in index order, so that a build's output does
 * not depend on which file arrived first. p-map's `pMapIterable` does the scheduling (order, concurrency and its
 * backpressure bound); this adds the cancellation a build needs: an abort ends it at once with CancelledError, even
 * while a read is still pending, and nothing is committed after it.
 */
export async function readInOrder<T>(items: AsyncIterable<number>, options: ReadInOrderOptions<T>): Promise<void> {
  const { window, read, commit, signal } = options;
  if (signal?.aborted) throw new CancelledError();
  const results = pMapIterable(items, (index) => read(index), { concurrency: window, backpressure: window });
  let stop: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    stop = () => signal?.removeEventListener('abort', onAbort);
  });
  aborted.catch(() => undefined); // raced below
  const commitAll = async () => {
    let index = 0;
    for await (const value of results) {
      if (signal?.aborted) throw new CancelledError();
      await commit(index++, value);
    }
  };
  try {
    await Promise.race([commitAll(), aborted]);
  } finally {
    stop?.();
  }
}
