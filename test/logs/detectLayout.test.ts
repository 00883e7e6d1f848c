import { describe, expect, it } from 'vitest';
import { detectLayout, isDetected, KNOWN_LAYOUTS, resolveLayout } from '../../src/logs/detectLayout.ts';
import { listRangeObjects } from '../../src/logs/layout.ts';
import type { ObjectStore } from '../../src/objectStore/store.ts';
import { BACKENDS, storeBackends } from '../helpers/storeBackends.ts';

/**
 * LOGTUNE_LOGS_LAYOUT=auto against the layouts CloudFront writes (CloudFront Developer Guide: standard logging
 * (legacy) `<prefix>/<distribution ID>.YYYY-MM-DD-HH.<unique ID>.gz`; standard logging (v2) to S3, partitioned by
 * `{DistributionId}/{yyyy}/{MM}/{dd}/{HH}/`, or Hive-compatible `distributionid=…/year=…/month=…/day=…/hour=…/`),
 * and the seed's date folders. Each case also lists a range with what was detected, as a build would.
 */
const backends = storeBackends('detect-layout');
const DAYS = ['2024-04-01', '2024-04-02'];

async function seed(store: ObjectStore, keys: readonly string[]): Promise<void> {
  for (const key of keys) await store.put(key, 'x');
}

const CASES: { name: string; keys: string[]; layout: string; listed: string[] }[] = [
  {
    name: 'the seed date folders',
    keys: ['2024/04/01/part-0000.csv', '2024/04/02/a.jsonl', '2024/04/03/b.csv', 'README.txt'],
    layout: KNOWN_LAYOUTS.dateFolders.template,
    listed: ['2024/04/01/part-0000.csv', '2024/04/02/a.jsonl'],
  },
  {
    name: 'v2 hourly date folders {yyyy}/{MM}/{dd}/{HH}/',
    keys: ['2024/04/01/23/E1.2024-04-01-23.a.gz', '2024/04/05/00/E1.2024-04-05-00.b.gz'],
    layout: KNOWN_LAYOUTS.dateFolders.template,
    listed: ['2024/04/01/23/E1.2024-04-01-23.a.gz'],
  },
  {
    name: "CloudFront's flat standard log names",
    keys: [
      'EMLARXS9EXAMPLE.2024-04-01-20.RT4KCN4SGK9.gz',
      'EMLARXS9EXAMPLE.2024-04-02-00.AAAAAAAAAAA.gz',
      'EMLARXS9EXAMPLE.2024-04-09-00.BBBBBBBBBBB.gz',
      'E2OTHER.2024-04-02-13.CCCCCCCCCCC.gz',
    ],
    layout: KNOWN_LAYOUTS.flat.template,
    listed: [
      'E2OTHER.2024-04-02-13.CCCCCCCCCCC.gz',
      'EMLARXS9EXAMPLE.2024-04-01-20.RT4KCN4SGK9.gz',
      'EMLARXS9EXAMPLE.2024-04-02-00.AAAAAAAAAAA.gz',
    ],
  },
  {
    name: 'v2 partitions {DistributionId}/{yyyy}/{MM}/{dd}/{HH}/',
    keys: ['E1ABC/2024/04/01/07/E1ABC.2024-04-01-07.a.gz', 'E1ABC/2024/03/31/07/E1ABC.2024-03-31-07.b.gz'],
    layout: KNOWN_LAYOUTS.distributionFolders.template,
    listed: ['E1ABC/2024/04/01/07/E1ABC.2024-04-01-07.a.gz'],
  },
  {
    name: 'v2 Hive-compatible partitions',
    keys: [
      'distributionid=E1ABC/year=2024/month=04/day=02/hour=13/part.gz',
      'distributionid=E1ABC/year=2024/month=05/day=02/hour=13/part.gz',
    ],
    layout: KNOWN_LAYOUTS.hiveDistribution.template,
    listed: ['distributionid=E1ABC/year=2024/month=04/day=02/hour=13/part.gz'],
  },
  {
    name: 'Hive-style date partitions',
    keys: ['year=2024/month=04/day=01/part-0.jsonl', 'year=2024/month=04/day=03/part-1.jsonl'],
    layout: KNOWN_LAYOUTS.hive.template,
    listed: ['year=2024/month=04/day=01/part-0.jsonl'],
  },
  {
    name: 'flat standard log names, one folder per prefix',
    keys: ['example.com/E1ABC.2024-04-01-07.a.gz', 'example.com/E1ABC.2024-04-06-07.b.gz'],
    layout: KNOWN_LAYOUTS.folderFlat.template,
    listed: ['example.com/E1ABC.2024-04-01-07.a.gz'],
  },
];

describe.each(BACKENDS)('LOGTUNE_LOGS_LAYOUT=auto on a %s', (backend) => {
  it.each(CASES)('detects $name and lists the range with it', async ({ keys, layout, listed }) => {
    const store = backends.fresh(backend);
    await seed(store, keys);
    const resolved = await resolveLayout(store, 'auto');
    expect(resolved).toMatchObject({ template: layout, detected: true });
    const objects = await listRangeObjects(store, resolved.template, DAYS, { concurrency: 4 });
    expect(objects.map((o) => o.key).sort()).toEqual([...listed].sort());
  });

  it('nothing it knows: refuses with a few of the names found and the setting to use', async () => {
    const store = backends.fresh(backend);
    await seed(store, ['exports/april/traffic-1.csv', 'exports/april/traffic-2.csv', 'notes.txt']);
    const found = await detectLayout(store);
    expect(isDetected(found)).toBe(false);
    await expect(resolveLayout(store, 'auto')).rejects.toThrow(
      /no log files recognised under .*: files there, e\.g\. exports\/april\/traffic-1\.csv, .*Set LOGTUNE_LOGS_LAYOUT/,
    );
  });

  it('the default location of v2 (AWSLogs/<account>/CloudFront/) is named as the folder to point at', async () => {
    const store = backends.fresh(backend);
    await seed(store, ['AWSLogs/111122223333/CloudFront/E1.2024-04-01-00.a.gz']);
    await expect(resolveLayout(store, 'auto')).rejects.toThrow(/set LOGTUNE_LOGS_URI to that folder/);
  });

  it('a template that is set is used as it is, without looking', async () => {
    const store = backends.fresh(backend);
    expect(await resolveLayout(store, '{yyyy}/{MM}/{dd}/')).toEqual({
      template: '{yyyy}/{MM}/{dd}/',
      name: 'date folders',
      detected: false,
    });
  });
});
