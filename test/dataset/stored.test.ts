import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleLine, responseFor } from '../../src/dataset/examples/example.ts';
import { channelUris, DATASET_FILES } from '../../src/dataset/output/folder.ts';
import { datasetUri, openStoredDataset, readExamples } from '../../src/dataset/output/stored.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';

let root: string;
const stats = {
  datasetId: 'ds-20240401-20240402-20240601T120000-abcd',
  range: { start: '2024-04-01', end: '2024-04-02' },
  logsUri: '/logs',
  outUri: '',
  settings: {
    labelField: 'ThreatLevel',
    dropFields: ['x-edge-request-id'],
    contextFormat: 'compact',
    maxInputLength: 1024,
    seed: 42,
    validationRatio: 0.1,
    balance: 'proportional',
  },
  rows: { train: 2, validation: 1 },
  labels: {
    benign: { scanned: 2, unique: 2, train: 1, validation: 1 },
    malicious: { scanned: 1, unique: 1, train: 1, validation: 0 },
  },
  tokens: { totalTokens: 300, meanTokens: 100, maxTokens: 120 },
  sourceColumns: ['date', 'c-ip', 'ThreatLevel'],
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-stored-'));
  const store = new LocalStore(join(root, 'datasets', stats.datasetId));
  const line = (context: string, label: string) => exampleLine(context, JSON.stringify(responseFor(label)));
  await store.put(
    DATASET_FILES.train,
    `${line('{"c-ip":"1.2.3.4"}', 'benign')}\n${line('{"c-ip":"6.6.6.6"}', "don't know")}\n`,
  );
  await store.put(DATASET_FILES.validation, `${line('{"c-ip":"5.6.7.8"}', 'benign')}\n`);
  await store.put(DATASET_FILES.stats, JSON.stringify(stats));
  await new LocalStore(join(root, 'broken')).put(DATASET_FILES.stats, '{"datasetId": 1}');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('stored datasets', () => {
  it('finds a dataset by id under the artifacts, or by its folder', async () => {
    expect(datasetUri(stats.datasetId, 's3://bucket/p/')).toBe(`s3://bucket/p/datasets/${stats.datasetId}`);
    expect(datasetUri('s3://bucket/p/datasets/x/', undefined)).toBe('s3://bucket/p/datasets/x/');
    expect(() => datasetUri(stats.datasetId, undefined)).toThrow('LOGTUNE_ARTIFACTS_URI');
    const byId = await openStoredDataset(stats.datasetId, root);
    expect(byId.stats.sourceColumns).toEqual(['date', 'c-ip', 'ThreatLevel']);
    expect(byId.stats.settings.labelField).toBe('ThreatLevel');
    expect((await openStoredDataset(join(root, 'datasets', stats.datasetId), undefined)).stats.datasetId).toBe(
      stats.datasetId,
    );
  });

  it('reads the examples of each split with their labels', async () => {
    const dataset = await openStoredDataset(stats.datasetId, root);
    const train = [];
    for await (const e of readExamples(dataset, 'train')) train.push(e);
    expect(train).toEqual([
      { context: '{"c-ip":"1.2.3.4"}', label: 'benign' },
      { context: '{"c-ip":"6.6.6.6"}', label: "don't know" },
    ]);
    const validation = [];
    for await (const e of readExamples(dataset, 'validation')) validation.push(e);
    expect(validation).toHaveLength(1);
  });

  it('refuses a folder without a dataset summary, or with a bad one', async () => {
    await expect(openStoredDataset(join(root, 'nothing-here'), undefined)).rejects.toThrow(
      /no finished dataset at .*nothing-here/,
    );
    await expect(openStoredDataset(join(root, 'broken'), undefined)).rejects.toThrow(
      'is not a logtune dataset summary',
    );
  });

  it('gives channel URIs that end in a slash', () => {
    expect(channelUris('s3://b/p/datasets/x')).toEqual({
      training: 's3://b/p/datasets/x/train/',
      validation: 's3://b/p/datasets/x/validation/',
    });
  });
});
