import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { buildDataset } from '../../src/dataset/build.ts';
import { resolveBuildRequest } from '../../src/dataset/request/request.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import { findFinishedDataset } from '../../src/training/findDataset.ts';
import { writeSeedLayout } from '../helpers/syntheticLogs.ts';

/** A finished dataset is reused only for the same logs layout: stats.json records it (`layout`). */
let root: string;
const now = new Date(Date.UTC(2024, 5, 1));
const request = (layout: string) =>
  resolveBuildRequest(
    loadDataSettings({
      LOGTUNE_LOGS_URI: join(root, 'logs'),
      LOGTUNE_ARTIFACTS_URI: join(root, 'artifacts'),
      LOGTUNE_LOGS_LAYOUT: layout,
      LOGTUNE_PARSE_WORKERS: '0',
    }),
    { rangeText: '2024-04-01' },
    now,
  );

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-find-'));
  await writeSeedLayout(new LocalStore(join(root, 'logs')), { days: ['2024-04-01'], filesPerDay: 1, rowsPerFile: 30 });
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('findFinishedDataset and the logs layout', () => {
  it('matches the same setting or the template used, and nothing else; old stats count as date folders', async () => {
    const built = await buildDataset(request('auto'));
    expect(built.layout).toEqual({ setting: 'auto', used: '{yyyy}/{MM}/{dd}/', detected: true });
    const artifacts = join(root, 'artifacts');
    const found = async (layout: string) => (await findFinishedDataset(request(layout), artifacts))?.stats.datasetId;
    expect(await found('auto')).toBe(built.datasetId);
    expect(await found('{yyyy}/{MM}/{dd}/')).toBe(built.datasetId);
    expect(await found('{distribution}.{yyyy}-{MM}-{dd}-{HH}.{id}.gz')).toBeUndefined();

    const statsPath = join(built.outUri, 'stats.json');
    const { layout: _, ...old } = JSON.parse(await readFile(statsPath, 'utf8')) as Record<string, unknown>;
    await writeFile(statsPath, JSON.stringify(old));
    expect(await found('{yyyy}/{MM}/{dd}/')).toBe(built.datasetId);
    expect(await found('auto')).toBeUndefined();

    // A dataset from before contexts were cut to max_input_length is not reused for training.
    const { examples: __, ...uncut } = old;
    await writeFile(statsPath, JSON.stringify(uncut));
    expect(await found('{yyyy}/{MM}/{dd}/')).toBeUndefined();
  });
});
