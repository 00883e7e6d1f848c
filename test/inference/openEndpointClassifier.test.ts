import llamaTokenizer from 'llama-tokenizer-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseFor } from '../../src/dataset/examples/example.ts';
import { storedStatsSchema, type StoredStats } from '../../src/dataset/output/stored.ts';
import { ConfigError, UsageError } from '../../src/errors.ts';
import { datasetLabels, openEndpointClassifier } from '../../src/inference/openEndpointClassifier.ts';
import { contextForRecord, maxNewTokensFor } from '../../src/inference/prompt.ts';
import { startFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime.ts';

const stats: StoredStats = storedStatsSchema.parse({
  datasetId: 'ds-20240401-20240402-20240601T120000-abcd',
  range: { start: '2024-04-01', end: '2024-04-02' },
  logsUri: 's3://logs/',
  outUri: 's3://artifacts/datasets/ds-20240401-20240402-20240601T120000-abcd',
  settings: {
    labelField: 'ThreatLevel',
    dropFields: ['x-edge-request-id'],
    contextFormat: 'compact',
    maxInputLength: 256,
    seed: 42,
    validationRatio: 0.1,
  },
  rows: { train: 3, validation: 1 },
  labels: {
    benign: { scanned: 2, unique: 2, train: 1, validation: 1 },
    malicious: { scanned: 1, unique: 1, train: 1, validation: 0 },
    // Seen, but every row was a duplicate or unlabelled in the end: never taught.
    ghost: { scanned: 1, unique: 0, train: 0, validation: 0 },
  },
  tokens: { totalTokens: 300, meanTokens: 100, maxTokens: 120 },
});

let fake: FakeRuntime;

beforeAll(async () => {
  fake = await startFakeRuntime();
});

afterAll(async () => {
  await fake.close();
});

describe('openEndpointClassifier', () => {
  it('takes the labels the dataset taught', () => {
    expect(datasetLabels(stats)).toEqual(['benign', 'malicious']);
  });

  it('classifies through the Runtime API within the token limit the dataset was trained with', async () => {
    const classifier = openEndpointClassifier({
      endpointName: 'logtune-dep-7',
      dataset: { stats },
      env: {},
      client: fake.client,
    });
    expect(classifier.name).toBe('endpoint:logtune-dep-7');
    expect(classifier.labels).toEqual(['benign', 'malicious']);
    fake.reply(
      { status: 200, body: JSON.stringify([{ generated_text: ` ${responseFor('malicious')}` }]) },
      { status: 200, body: JSON.stringify([{ generated_text: ` ${responseFor('ghost')}` }]) },
    );
    const record = { date: '2024-04-03', 'cs(User-Agent)': `sqlmap ${'A'.repeat(3000)}`, ThreatLevel: 'benign' };
    const context = contextForRecord(record, stats.settings);
    const verdicts = await classifier.classify([context, context]);
    expect(verdicts[0]).toMatchObject({ label: 'malicious' });
    expect(verdicts[0]!.cutTokens).toBeGreaterThan(0);
    expect(verdicts[1]).toMatchObject({ label: undefined, error: 'unrecognised' });

    const sent = JSON.parse(fake.requests.at(-1)!.body) as { inputs: string; parameters: { max_new_tokens: number } };
    const maxNew = maxNewTokensFor(['benign', 'malicious']);
    expect(sent.parameters.max_new_tokens).toBe(maxNew);
    expect(llamaTokenizer.encode(sent.inputs).length).toBeLessThanOrEqual(256 - maxNew);
    expect(sent.inputs).not.toContain('ThreatLevel');
  });

  it('refuses bad settings and a dataset without labels', () => {
    expect(() =>
      openEndpointClassifier({
        endpointName: 'e',
        dataset: { stats },
        env: { LOGTUNE_INVOKE_TIMEOUT: '300' },
        client: fake.client,
      }),
    ).toThrow(ConfigError);
    const empty = { ...stats, labels: {} };
    expect(() =>
      openEndpointClassifier({ endpointName: 'e', dataset: { stats: empty }, env: {}, client: fake.client }),
    ).toThrow(UsageError);
    const tiny = { ...stats, settings: { ...stats.settings, maxInputLength: 40 } };
    expect(() =>
      openEndpointClassifier({ endpointName: 'e', dataset: { stats: tiny }, env: {}, client: fake.client }),
    ).toThrow(/limit is/);
  });
});
