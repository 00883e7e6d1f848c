import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { buildDataset } from '../../src/dataset/build.ts';
import { resolveBuildRequest } from '../../src/dataset/request/request.ts';
import type { BuildSummary } from '../../src/dataset/types.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import { syntheticRows, toCsv } from '../helpers/syntheticLogs.ts';

/** The heap limit the build's parse workers get, when a test sets one (the product sizes it from the file cap). */
const workerHeap = vi.hoisted(() => ({ mb: undefined as number | undefined }));
vi.mock('../../src/dataset/pipeline/processorPool.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/dataset/pipeline/processorPool.ts')>();
  return {
    ...original,
    createFileProcessor: (...[settings, workers, options]: Parameters<typeof original.createFileProcessor>) =>
      original.createFileProcessor(settings, workers, {
        ...options,
        ...(workerHeap.mb !== undefined && { maxOldGenerationSizeMb: workerHeap.mb }),
      }),
  };
});

const DAY = '2024-04-01';
const DAY_DIR = '2024/04/01';
const MB = 1024 * 1024;
const csv = (rows: number, seed: number) => toCsv(syntheticRows(DAY, rows, seed));

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-bounded-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
afterEach(() => {
  workerHeap.mb = undefined;
  vi.restoreAllMocks();
});

async function logsWith(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const logs = join(root, name);
  await mkdir(join(logs, DAY_DIR), { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(logs, DAY_DIR, file), content);
  return logs;
}

async function build(
  logs: string,
  env: Record<string, string>,
): Promise<{ summary: BuildSummary; stats: BuildSummary }> {
  const out = join(root, `${logs.split('/').pop()}-out`);
  const config = loadDataSettings({ LOGTUNE_LOGS_URI: logs, ...env });
  const summary = await buildDataset(
    resolveBuildRequest(config, { rangeText: DAY, outUri: out }, new Date('2024-06-01T00:00:00Z')),
  );
  return { summary, stats: JSON.parse(await readFile(join(out, 'stats.json'), 'utf8')) as BuildSummary };
}

describe('bounded reads', () => {
  it('skips an object listed over LOGTUNE_MAX_FILE_MB without fetching it, and a gzip that inflates past it', async () => {
    const big = csv(3_000, 2); // ~1.5 MB
    expect(big.length).toBeGreaterThan(MB);
    const bomb = gzipSync(`${csv(10, 3)}${'-'.repeat(2 * MB)}\n`); // a few KB that inflate to 2 MB
    expect(bomb.length).toBeLessThan(64 * 1024);
    const logs = await logsWith('sizes', {
      'a.csv': csv(20, 1),
      'b-big.csv': big,
      'c-bomb.csv.gz': bomb,
      'd.csv': csv(20, 4),
    });
    const fetched: string[] = [];
    const get = LocalStore.prototype.get;
    vi.spyOn(LocalStore.prototype, 'get').mockImplementation(function (this: LocalStore, key, signal) {
      fetched.push(key);
      return get.call(this, key, signal);
    });

    for (const workers of ['0', '2']) {
      fetched.length = 0;
      const { summary, stats } = await build(logs, { LOGTUNE_MAX_FILE_MB: '1', LOGTUNE_PARSE_WORKERS: workers });
      expect(fetched.some((key) => key.endsWith('b-big.csv'))).toBe(false);
      expect(fetched.some((key) => key.endsWith('c-bomb.csv.gz'))).toBe(true);
      expect(summary.files).toMatchObject({ listed: 4, read: 2, skipped: 2 });
      expect(summary.rows.scanned).toBe(40);
      expect(stats.files.skippedFiles).toEqual([
        {
          key: `${DAY_DIR}/b-big.csv`,
          reason: `too_large: listed at ${Number((big.length / MB).toPrecision(3))} MB, not fetched, over LOGTUNE_MAX_FILE_MB (1 MB)`,
        },
        {
          key: `${DAY_DIR}/c-bomb.csv.gz`,
          reason: 'too_large: file decompresses to more than 1 MB (LOGTUNE_MAX_FILE_MB); not parsed',
        },
      ]);
    }
  });

  it('does not parse an object that is larger when fetched than it was listed', async () => {
    const logs = await logsWith('grown', { 'a.csv': csv(20, 1), 'b-grown.csv': csv(3_000, 2) });
    const list = LocalStore.prototype.list;
    // As if it was rewritten between the listing and the GET.
    vi.spyOn(LocalStore.prototype, 'list').mockImplementation(async function* (this: LocalStore, prefix, signal) {
      for await (const object of list.call(this, prefix, signal))
        yield object.key.endsWith('b-grown.csv') ? { ...object, size: 100 } : object;
    });
    const { stats } = await build(logs, { LOGTUNE_MAX_FILE_MB: '1', LOGTUNE_PARSE_WORKERS: '0' });
    expect(stats.files).toMatchObject({ listed: 2, read: 1 });
    expect(stats.files.skippedFiles).toEqual([
      {
        key: `${DAY_DIR}/b-grown.csv`,
        reason: expect.stringMatching(
          /^too_large: 1\.\d+ MB when fetched \(grown since it was listed\), not parsed, over LOGTUNE_MAX_FILE_MB \(1 MB\)$/,
        ),
      },
    ]);
  });

  it('a parse worker that dies costs one file, listed as "parser crashed"; the build completes with the others', async () => {
    // 10,000 rows, each kept as a token-sample candidate with its context in both formats (the samples are far from
    // full this early): more than a 16 MB worker heap holds. The 20-row files fit easily.
    workerHeap.mb = 16;
    const files = Object.fromEntries([1, 2, 3, 4, 5].map((seed) => [`${seed}.csv`, csv(20, seed)]));
    const logs = await logsWith('crash', { ...files, '3-huge.csv.gz': gzipSync(csv(10_000, 9)) });
    const { summary, stats } = await build(logs, { LOGTUNE_PARSE_WORKERS: '2' });
    expect(summary.files).toMatchObject({ listed: 6, read: 5, skipped: 1 });
    expect(summary.rows.scanned).toBe(100);
    expect(stats.files.skippedFiles).toEqual([
      {
        key: `${DAY_DIR}/3-huge.csv.gz`,
        reason: expect.stringMatching(/^parser_crashed: parser crashed: .*memory limit/),
      },
    ]);
  });
});
