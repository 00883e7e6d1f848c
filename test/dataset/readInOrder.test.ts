import { describe, expect, it } from 'vitest';
import { ArrivingItems, readInOrder } from '../../src/dataset/pipeline/readInOrder.ts';
import { CancelledError } from '../../src/errors.ts';
import { deferred, type Deferred } from '../helpers/deferred.ts';

/** Lets every pending promise callback run (a bounded number of macrotask turns). */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function* indexes(count: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) yield i;
}

/** Reads resolved by the test, item by item; commits recorded. */
function controlled(count: number, window: number, signal?: AbortSignal) {
  const pending = new Map<number, Deferred<string>>();
  const started: number[] = [];
  const committed: number[] = [];
  let active = 0;
  let maxActive = 0;
  let maxAhead = 0;
  const done = readInOrder<string>(indexes(count), {
    window,
    signal,
    read: async (index) => {
      started.push(index);
      active++;
      maxActive = Math.max(maxActive, active);
      maxAhead = Math.max(maxAhead, index + 1 - committed.length);
      const d = deferred<string>();
      pending.set(index, d);
      try {
        return await d.promise;
      } finally {
        active--;
      }
    },
    commit: async (index, value) => {
      expect(value).toBe(`v${index}`);
      committed.push(index);
    },
  });
  done.catch(() => undefined); // observed by each test
  return {
    done,
    started,
    committed,
    stats: () => ({ maxActive, maxAhead }),
    resolve: (index: number) => pending.get(index)!.resolve(`v${index}`),
    reject: (index: number, error: unknown) => pending.get(index)!.reject(error),
    isStarted: (index: number) => pending.has(index),
  };
}

describe('readInOrder', () => {
  it('commits strictly in index order when reads complete out of order', async () => {
    const p = controlled(8, 8);
    await settle();
    expect(p.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const i of [7, 5, 6, 3, 4, 2]) p.resolve(i);
    await settle();
    expect(p.committed).toEqual([]); // nothing before item 0
    p.resolve(1);
    await settle();
    expect(p.committed).toEqual([]);
    p.resolve(0);
    await p.done;
    expect(p.committed).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads at most `window` items beyond the last committed one while the first is slow, and uses them all', async () => {
    const p = controlled(30, 4);
    await settle();
    expect(p.started).toEqual([0, 1, 2, 3]);
    for (const i of [1, 2, 3]) p.resolve(i);
    await settle();
    expect(p.started).toEqual([0, 1, 2, 3]); // item 0 holds everything back
    p.resolve(0);
    await settle();
    expect(p.committed).toEqual([0, 1, 2, 3]);
    expect(p.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (let i = 4; i < 30; i++) {
      for (let turn = 0; turn < 50 && !p.isStarted(i); turn++) await settle(1);
      expect(p.isStarted(i)).toBe(true);
      p.resolve(i);
    }
    await p.done;
    expect(p.stats()).toEqual({ maxActive: 4, maxAhead: 4 });
    expect(p.committed).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('rejects with CancelledError as soon as the signal aborts, even with reads pending, and commits nothing more', async () => {
    const controller = new AbortController();
    const p = controlled(10, 4, controller.signal);
    await settle();
    p.resolve(0);
    await settle();
    expect(p.committed).toEqual([0]);
    controller.abort();
    await expect(p.done).rejects.toBeInstanceOf(CancelledError);
    p.resolve(1);
    p.resolve(2);
    await settle();
    expect(p.committed).toEqual([0]);
  });

  it('rejects at once with CancelledError for an already aborted signal, reading nothing', async () => {
    let reads = 0;
    const done = readInOrder(indexes(5), {
      window: 2,
      signal: AbortSignal.abort(),
      read: async () => reads++,
      commit: async () => undefined,
    });
    await expect(done).rejects.toBeInstanceOf(CancelledError);
    expect(reads).toBe(0);
  });

  it('propagates a read error after committing the items before it, and never commits it or a later one', async () => {
    const p = controlled(6, 6);
    await settle();
    const boom = new Error('fetch failed: boom');
    p.reject(2, boom);
    p.resolve(3);
    p.resolve(0);
    p.resolve(1);
    await expect(p.done).rejects.toBe(boom);
    await settle();
    expect(p.committed).toEqual([0, 1]);
  });

  it('propagates a commit error', async () => {
    const boom = new Error('sink failed');
    const done = readInOrder(indexes(5), {
      window: 4,
      read: async (i) => i,
      commit: async (i) => {
        if (i === 2) throw boom;
      },
    });
    await expect(done).rejects.toBe(boom);
  });

  it('resolves for zero items', async () => {
    const done = readInOrder(indexes(0), { window: 1, read: async () => 0, commit: async () => undefined });
    await expect(done).resolves.toBeUndefined();
  });
});

describe('ArrivingItems (a listing still in progress)', () => {
  function open(window = 4) {
    const items = new ArrivingItems();
    const committed: number[] = [];
    const started: number[] = [];
    let settledAs: string | undefined;
    readInOrder<number>(items, {
      window,
      read: async (index) => {
        started.push(index);
        return index * 10;
      },
      commit: async (index, value) => {
        expect(value).toBe(index * 10);
        committed.push(index);
      },
    }).then(
      () => (settledAs = 'resolved'),
      (error: Error) => (settledAs = `rejected: ${error.message}`),
    );
    return { items, committed, started, settledAs: () => settledAs };
  }

  it('reads items as they are added, in order, and settles only after end()', async () => {
    const p = open();
    await settle();
    expect(p.started).toEqual([]);
    p.items.extend(3);
    await settle();
    expect(p.committed).toEqual([0, 1, 2]);
    expect(p.settledAs()).toBeUndefined(); // more may come
    p.items.extend(2); // never shrinks
    p.items.extend(10);
    await settle(10);
    expect(p.committed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(p.settledAs()).toBeUndefined();
    p.items.end();
    await settle();
    expect(p.settledAs()).toBe('resolved');
    expect(() => p.items.extend(11)).toThrow(/after their end/);
  });

  it('settles at once for end() with no items, and fails with the source’s error after the items before it', async () => {
    const empty = open();
    empty.items.end();
    await settle();
    expect(empty.settledAs()).toBe('resolved');

    const failing = open();
    failing.items.extend(2);
    await settle();
    failing.items.fail(new Error('listing failed'));
    await settle();
    expect(failing.settledAs()).toBe('rejected: listing failed');
    expect(failing.committed).toEqual([0, 1]);
  });

  it('ends with the signal’s abort', async () => {
    const controller = new AbortController();
    const items = new ArrivingItems(controller.signal);
    const seen: number[] = [];
    const reading = (async () => {
      for await (const i of items) seen.push(i);
    })();
    items.extend(2);
    await settle();
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([0, 1]);
  });
});
