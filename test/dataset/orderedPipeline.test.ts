import { describe, expect, it } from 'vitest';
import { openOrderedPipeline, orderedPipeline } from '../../src/dataset/pipeline/orderedPipeline.ts';
import { CancelledError } from '../../src/errors.ts';
import { deferred, type Deferred } from '../helpers/deferred.ts';

/** Lets every pending promise callback run (a bounded number of macrotask turns). */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A pipeline whose produce calls are resolved by the test, item by item. */
function controlled(count: number, concurrency: number, window: number, signal?: AbortSignal) {
  const pending = new Map<number, Deferred<string>>();
  const started: number[] = [];
  const consumed: number[] = [];
  let active = 0;
  let maxActive = 0;
  let maxAhead = 0;
  const done = orderedPipeline<string>({
    count,
    concurrency,
    window,
    ...(signal && { signal }),
    produce: async (index) => {
      started.push(index);
      active++;
      maxActive = Math.max(maxActive, active);
      maxAhead = Math.max(maxAhead, index + 1 - consumed.length);
      const d = deferred<string>();
      pending.set(index, d);
      try {
        return await d.promise;
      } finally {
        active--;
      }
    },
    consume: async (index, value) => {
      expect(value).toBe(`v${index}`);
      consumed.push(index);
    },
  });
  done.catch(() => undefined); // observed by each test
  return {
    done,
    started,
    consumed,
    stats: () => ({ maxActive, maxAhead }),
    resolve: (index: number) => pending.get(index)!.resolve(`v${index}`),
    reject: (index: number, error: unknown) => pending.get(index)!.reject(error),
    isStarted: (index: number) => pending.has(index),
  };
}

describe('orderedPipeline', () => {
  it('consumes strictly in index order when production completes out of order', async () => {
    const p = controlled(8, 8, 8);
    await settle();
    expect(p.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const i of [7, 5, 6, 3, 4, 2]) p.resolve(i);
    await settle();
    expect(p.consumed).toEqual([]); // nothing before item 0
    p.resolve(1);
    await settle();
    expect(p.consumed).toEqual([]);
    p.resolve(0);
    await p.done;
    expect(p.consumed).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('never has more than `concurrency` productions in flight, and uses them all', async () => {
    const p = controlled(20, 3, 100);
    await settle();
    expect(p.started).toEqual([0, 1, 2]);
    const order = [2, 1, 0, 5, 3, 4, 8, 7, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
    for (const i of order) {
      // Wait (bounded) until the item has been started, then finish it.
      for (let turn = 0; turn < 50 && !p.isStarted(i); turn++) await settle(1);
      expect(p.isStarted(i)).toBe(true);
      p.resolve(i);
      await settle(1);
    }
    await p.done;
    expect(p.stats().maxActive).toBe(3);
    expect(p.consumed).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('starts at most `window` items beyond the first unconsumed one while it is slow', async () => {
    const p = controlled(30, 10, 4);
    await settle();
    expect(p.started).toEqual([0, 1, 2, 3]);
    for (const i of [1, 2, 3]) p.resolve(i);
    await settle();
    expect(p.started).toEqual([0, 1, 2, 3]); // item 0 holds everything back
    p.resolve(0);
    await settle();
    expect(p.consumed).toEqual([0, 1, 2, 3]);
    expect(p.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (let i = 4; i < 30; i++) {
      for (let turn = 0; turn < 50 && !p.isStarted(i); turn++) await settle(1);
      p.resolve(i);
    }
    await p.done;
    expect(p.stats().maxAhead).toBeLessThanOrEqual(4);
  });

  it('rejects with CancelledError when the signal aborts, and consumes nothing more', async () => {
    const controller = new AbortController();
    const p = controlled(10, 2, 4, controller.signal);
    await settle();
    p.resolve(0);
    await settle();
    expect(p.consumed).toEqual([0]);
    controller.abort();
    await expect(p.done).rejects.toBeInstanceOf(CancelledError);
    p.resolve(1);
    p.resolve(2);
    await settle();
    expect(p.consumed).toEqual([0]);
  });

  it('rejects at once with CancelledError for an already aborted signal, producing nothing', async () => {
    let produced = 0;
    const done = orderedPipeline({
      count: 5,
      concurrency: 2,
      window: 2,
      signal: AbortSignal.abort(),
      produce: async () => produced++,
      consume: async () => undefined,
    });
    await expect(done).rejects.toBeInstanceOf(CancelledError);
    expect(produced).toBe(0);
  });

  it('propagates a production error and stops consuming at the failed item', async () => {
    const p = controlled(6, 6, 6);
    await settle();
    p.resolve(0);
    p.resolve(1);
    const boom = new Error('fetch failed: boom');
    p.reject(2, boom);
    p.resolve(3);
    await expect(p.done).rejects.toBe(boom);
    await settle();
    expect(p.consumed).not.toContain(2);
    expect(p.consumed).not.toContain(3);
  });

  it('propagates a consume error', async () => {
    const boom = new Error('sink failed');
    const done = orderedPipeline({
      count: 5,
      concurrency: 2,
      window: 4,
      produce: async (i) => i,
      consume: async (i) => {
        if (i === 2) throw boom;
      },
    });
    await expect(done).rejects.toBe(boom);
  });

  it('resolves for zero items', async () => {
    await expect(
      orderedPipeline({ count: 0, concurrency: 1, window: 1, produce: async () => 0, consume: async () => undefined }),
    ).resolves.toBeUndefined();
  });
});

describe('openOrderedPipeline (items arriving while it runs)', () => {
  function open(window = 4) {
    const consumed: number[] = [];
    const started: number[] = [];
    const pipeline = openOrderedPipeline<number>({
      concurrency: window,
      window,
      produce: async (index) => {
        started.push(index);
        return index * 10;
      },
      consume: async (index, value) => {
        expect(value).toBe(index * 10);
        consumed.push(index);
      },
    });
    let settledAs: string | undefined;
    pipeline.finished.then(
      () => (settledAs = 'resolved'),
      (error: Error) => (settledAs = `rejected: ${error.message}`),
    );
    return { pipeline, consumed, started, settledAs: () => settledAs };
  }

  it('starts items as they are added, in order, and settles only after end()', async () => {
    const p = open();
    await settle();
    expect(p.started).toEqual([]);
    p.pipeline.extend(3);
    await settle();
    expect(p.consumed).toEqual([0, 1, 2]);
    expect(p.settledAs()).toBeUndefined(); // more may come
    p.pipeline.extend(2); // never shrinks
    p.pipeline.extend(10);
    await settle();
    expect(p.consumed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(p.settledAs()).toBeUndefined();
    p.pipeline.end();
    await settle();
    expect(p.settledAs()).toBe('resolved');
    expect(() => p.pipeline.extend(11)).toThrow(/after its end/);
  });

  it('settles at once for end() with no items, and stops on fail()', async () => {
    const empty = open();
    empty.pipeline.end();
    await settle();
    expect(empty.settledAs()).toBe('resolved');

    const failing = open();
    failing.pipeline.extend(2);
    await settle();
    failing.pipeline.fail(new Error('listing failed'));
    failing.pipeline.extend(5);
    await settle();
    expect(failing.settledAs()).toBe('rejected: listing failed');
    expect(failing.started).toEqual([0, 1]);
  });
});
