import pLimit from 'p-limit';
import { describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { listRangeObjects, streamRangeObjects, validateLayout, type DatedObject } from '../../src/logs/layout.ts';
import type { ObjectStore } from '../../src/objectStore/store.ts';
import { deferred, type Deferred } from '../helpers/deferred.ts';
import { BACKENDS, storeBackends } from '../helpers/storeBackends.ts';

const BUCKET = 'layout-tests';
const DAYS = ['2024-04-01', '2024-04-02'];

const backends = storeBackends(BUCKET);
const freshStore = backends.fresh;

/** Writes each key with a body whose length identifies it (so sizes can be checked too). */
async function seed(store: ObjectStore, keys: readonly string[]): Promise<void> {
  const limit = pLimit(16);
  await Promise.all(keys.map((key, i) => limit(() => store.put(key, 'x'.repeat(1 + (i % 7))))));
}

function expectListing(objects: readonly DatedObject[], expected: Record<string, string>): void {
  expect(objects.map((o) => [o.key, o.day])).toEqual(Object.entries(expected).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function list(store: ObjectStore, layout: string, days = DAYS): Promise<DatedObject[]> {
  return listRangeObjects(store, layout, days, { concurrency: 4 });
}

/** Layouts listed on both backends: every key seeded, and the ones the range's days must list, with their day. */
const LAYOUT_CASES: { name: string; layout: string; keys: string[]; expected: Record<string, string> }[] = [
  {
    name: 'CloudFront legacy flat names: discovers both distributions and lists only the range days',
    layout: '{distribution}.{yyyy}-{MM}-{dd}-{HH}.{id}.gz',
    keys: [
      'E1ABCDEF.2024-04-01-00.a1b2c3d4.gz',
      'E1ABCDEF.2024-04-01-23.e5f6a7b8.gz',
      'E1ABCDEF.2024-04-02-11.c9d0e1f2.gz',
      'E2XYZ123.2024-04-01-05.00000001.gz',
      'E2XYZ123.2024-04-02-00.00000002.gz',
      // other days
      'E1ABCDEF.2024-03-31-23.ffffffff.gz',
      'E2XYZ123.2024-04-03-00.eeeeeeee.gz',
      'E2XYZ123.2024-04-11-00.dddddddd.gz',
      // not this layout: no hour, another extension, unrelated files
      'E1ABCDEF.2024-04-01-xx.bad00000.gz',
      'E1ABCDEF.2024-04-01-07.notgzip.txt',
      'README.txt',
      'notes.2024-04-01.md',
    ],
    expected: {
      'E1ABCDEF.2024-04-01-00.a1b2c3d4.gz': '2024-04-01',
      'E1ABCDEF.2024-04-01-23.e5f6a7b8.gz': '2024-04-01',
      'E1ABCDEF.2024-04-02-11.c9d0e1f2.gz': '2024-04-02',
      'E2XYZ123.2024-04-01-05.00000001.gz': '2024-04-01',
      'E2XYZ123.2024-04-02-00.00000002.gz': '2024-04-02',
    },
  },
  {
    // {distribution} stands for one key segment; a name under archive/ does not match the layout.
    name: 'CloudFront legacy flat names: ignores same-shaped names under another folder',
    layout: '{distribution}.{yyyy}-{MM}-{dd}-{HH}.{id}.gz',
    keys: [
      'E1ABCDEF.2024-04-01-00.a1b2c3d4.gz',
      'archive/E1ABCDEF.2024-04-01-07.0ld0ld00.gz',
      'seed/2024/04/01/part-0000.csv',
      'other/deeper/E9OTHER9.2024-04-02-01.12345678.gz',
    ],
    expected: { 'E1ABCDEF.2024-04-01-00.a1b2c3d4.gz': '2024-04-01' },
  },
  {
    name: 'v2 hourly partitions {yyyy}/{MM}/{dd}/{HH}/',
    layout: '{yyyy}/{MM}/{dd}/{HH}/',
    keys: [
      '2024/04/01/00/E1.a.gz',
      '2024/04/01/13/E1.b.gz',
      '2024/04/01/13/E2.c.gz',
      '2024/04/02/23/E1.d.gz',
      '2024/04/01/not-an-hour.gz',
      '2024/04/01/ab/E1.e.gz',
      '2024/04/03/00/E1.f.gz',
      '2024/03/31/23/E1.g.gz',
    ],
    expected: {
      '2024/04/01/00/E1.a.gz': '2024-04-01',
      '2024/04/01/13/E1.b.gz': '2024-04-01',
      '2024/04/01/13/E2.c.gz': '2024-04-01',
      '2024/04/02/23/E1.d.gz': '2024-04-02',
    },
  },
  {
    name: 'Hive-style partitions year={yyyy}/month={MM}/day={dd}/',
    layout: 'year={yyyy}/month={MM}/day={dd}/',
    keys: [
      'year=2024/month=04/day=01/part-0.jsonl',
      'year=2024/month=04/day=01/hour=05/part-1.jsonl',
      'year=2024/month=04/day=02/part-2.jsonl',
      'year=2024/month=04/day=03/part-3.jsonl',
      'year=2024/month=03/day=01/part-4.jsonl',
      'year=2023/month=04/day=01/part-5.jsonl',
    ],
    expected: {
      'year=2024/month=04/day=01/part-0.jsonl': '2024-04-01',
      'year=2024/month=04/day=01/hour=05/part-1.jsonl': '2024-04-01',
      'year=2024/month=04/day=02/part-2.jsonl': '2024-04-02',
    },
  },
];

describe.each(BACKENDS)('listRangeObjects on a %s', (backend) => {
  it('seed layout {yyyy}/{MM}/{dd}/: lists exactly the range days, everything below them, with sizes', async () => {
    const store = freshStore(backend);
    const keys = [
      '2024/03/31/part-0000.csv',
      '2024/04/01/part-0000.csv',
      '2024/04/01/part-0001.csv.gz',
      '2024/04/01/nested/deeper.json',
      '2024/04/02/logs.jsonl',
      '2024/04/03/part-0000.csv',
      '2024/04/10/part-0000.csv',
      '2024/04/011/odd.csv',
      'other/2024/04/01/part-0000.csv',
      'README.txt',
    ];
    await seed(store, keys);
    const objects = await list(store, '{yyyy}/{MM}/{dd}/');
    expectListing(objects, {
      '2024/04/01/part-0000.csv': '2024-04-01',
      '2024/04/01/part-0001.csv.gz': '2024-04-01',
      '2024/04/01/nested/deeper.json': '2024-04-01',
      '2024/04/02/logs.jsonl': '2024-04-02',
    });
    for (const object of objects) expect(object.size).toBe(1 + (keys.indexOf(object.key) % 7));
  });

  it.each(LAYOUT_CASES)('$name', async ({ layout, keys, expected }) => {
    const store = freshStore(backend);
    await seed(store, keys);
    expectListing(await list(store, layout), expected);
  });

  it('returns an empty list for days without objects', async () => {
    const store = freshStore(backend);
    await seed(store, ['2024/05/01/a.csv']);
    expect(await list(store, '{yyyy}/{MM}/{dd}/')).toEqual([]);
  });

  it('lists a day of more than 1000 objects completely (pagination)', async () => {
    const store = freshStore(backend);
    const day1 = Array.from({ length: 1013 }, (_, i) => `2024/04/01/part-${String(i).padStart(5, '0')}.csv`);
    const day2 = ['2024/04/02/only.csv'];
    await seed(store, [...day1, ...day2, '2024/04/03/later.csv']);
    const objects = await list(store, '{yyyy}/{MM}/{dd}/');
    expect(objects).toHaveLength(day1.length + day2.length);
    expect(objects.map((o) => o.key)).toEqual([...day1, ...day2]);
    expect(new Set(objects.map((o) => o.key)).size).toBe(objects.length);
  }, 30_000);

  it('rejects a layout lacking {dd} before listing anything', async () => {
    const store = freshStore(backend);
    await expect(list(store, '{yyyy}/{MM}/')).rejects.toBeInstanceOf(UsageError);
    await expect(list(store, '{yyyy}/{MM}/')).rejects.toThrow(/LOGTUNE_LOGS_LAYOUT.*\{dd\}/);
  });
});

// s3rver cannot list CommonPrefixes with the '/' delimiter for keys more than one level below them (its filesystem
// walk prunes those folders), so this layout is checked on a local directory only.
describe('listRangeObjects with a variable folder before the date', () => {
  it('{distribution}/{yyyy}/{MM}/{dd}/ discovers every distribution folder (local directory)', async () => {
    const store = freshStore('local directory');
    await seed(store, [
      'E1/2024/04/01/a.csv',
      'E2/2024/04/01/b.csv',
      'E2/2024/04/02/c.csv',
      'E2/2024/04/03/d.csv',
      'E3/2024/03/01/e.csv',
    ]);
    const objects = await list(store, '{distribution}/{yyyy}/{MM}/{dd}/');
    expectListing(objects, {
      'E1/2024/04/01/a.csv': '2024-04-01',
      'E2/2024/04/01/b.csv': '2024-04-01',
      'E2/2024/04/02/c.csv': '2024-04-02',
    });
  });
});

describe('streamRangeObjects (reading starts while the listing goes on)', () => {
  const days = ['2024-04-01', '2024-04-02', '2024-04-03'];
  const keys = days.flatMap((day) =>
    Array.from({ length: 150 }, (_, i) => `${day.replaceAll('-', '/')}/part-${String(i).padStart(3, '0')}.csv`),
  );

  /** A local store whose listing of a day's folder waits for the test to release it; notes each listing done. */
  function heldStore(root: ObjectStore, held: Map<string, Deferred<void>>, listed: Set<string>): ObjectStore {
    return Object.assign(Object.create(root) as ObjectStore, {
      async *list(prefix: string, signal?: AbortSignal) {
        await held.get(prefix)?.promise;
        yield* root.list(prefix, signal);
        listed.add(prefix);
      },
    });
  }

  const wait = { timeout: 5000, interval: 5 };

  it('hands over a day as soon as the days before it are listed, in key order, in batches', async () => {
    const root = freshStore('local directory');
    await seed(root, keys);
    const held = new Map(['2024/04/02/', '2024/04/03/'].map((prefix) => [prefix, deferred<void>()]));
    const listed = new Set<string>();
    const batches: DatedObject[][] = [];
    const done = streamRangeObjects(heldStore(root, held, listed), '{yyyy}/{MM}/{dd}/', days, { concurrency: 4 }, (b) =>
      batches.push([...b]),
    );
    // Day 1 is handed over while days 2 and 3 are still being listed, 64 at a time.
    await vi.waitFor(() => expect(listed.has('2024/04/01/')).toBe(true), wait);
    expect(batches.flat().map((o) => o.key)).toEqual(keys.slice(0, 150));
    expect(batches.map((b) => b.length)).toEqual([64, 64, 22]);
    held.get('2024/04/03/')!.resolve();
    // Day 3 is listed but waits for day 2: the order stays the key order whatever finishes first.
    await vi.waitFor(() => expect(listed.has('2024/04/03/')).toBe(true), wait);
    expect(batches.flat()).toHaveLength(150);
    held.get('2024/04/02/')!.resolve();
    await done;
    expect(batches.flat().map((o) => [o.key, o.day])).toEqual(
      keys.map((key) => [key, key.slice(0, 10).replaceAll('/', '-')]),
    );
  });

  it('hands over nothing for an empty range, and fails with the listing', async () => {
    const root = freshStore('local directory');
    const batches: DatedObject[][] = [];
    await streamRangeObjects(root, '{yyyy}/{MM}/{dd}/', days, { concurrency: 4 }, (b) => batches.push(b));
    expect(batches).toEqual([]);
    const failing = Object.assign(Object.create(root) as ObjectStore, {
      // eslint-disable-next-line require-yield
      async *list(): AsyncIterable<never> {
        throw new Error('AccessDenied');
      },
    });
    await expect(
      streamRangeObjects(failing, '{yyyy}/{MM}/{dd}/', days, { concurrency: 4 }, () => undefined),
    ).rejects.toThrow('AccessDenied');
  });
});

describe('validateLayout', () => {
  it.each([
    '{yyyy}/{MM}/{dd}/',
    '{yyyy}/{MM}/{dd}/{HH}/',
    '{distribution}.{yyyy}-{MM}-{dd}-{HH}.{id}.gz',
    'year={yyyy}/month={MM}/day={dd}/',
  ])('accepts %s', (layout) => {
    expect(() => validateLayout(layout)).not.toThrow();
  });

  it.each([
    ['{yyyy}/{MM}/', '{dd}'],
    ['{yyyy}/{dd}/', '{MM}'],
    ['{MM}/{dd}/', '{yyyy}'],
    ['logs/', '{yyyy}'],
  ])('rejects %s, naming the missing %s and the setting', (layout, missing) => {
    expect(() => validateLayout(layout)).toThrow(UsageError);
    expect(() => validateLayout(layout)).toThrow(missing);
    expect(() => validateLayout(layout)).toThrow(/LOGTUNE_LOGS_LAYOUT/);
  });

  it('rejects an unbalanced brace', () => {
    expect(() => validateLayout('{yyyy}/{MM}/{dd}/{HH')).toThrow(UsageError);
  });
});
