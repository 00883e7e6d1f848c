import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoredDataset } from '../../src/dataset/output/stored.ts';
import { runBaseline } from '../../src/evaluation/baseline.ts';
import {
  BASELINE_FILES,
  loadBaselineClassifier,
  readBaselineEvaluation,
  writeBaseline,
} from '../../src/evaluation/baselineFiles.ts';
import { S3Store } from '../../src/objectStore/s3Store.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';
import { syntheticRows } from '../helpers/syntheticLogs.ts';
import { examplesFromRows, writeDatasetFiles } from '../helpers/storedDataset.ts';

const BUCKET = 'eval-artifacts';
let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});

afterAll(async () => {
  await s3?.close();
});

describe('the baseline on S3', () => {
  it('reads the dataset from a bucket and writes the model (binary) and eval.json back beside it', async () => {
    const validation = examplesFromRows(syntheticRows('2024-04-02', 60, 2));
    await writeDatasetFiles(new S3Store(s3.client, BUCKET, 'datasets/ds-s3/'), {
      id: 'ds-s3',
      train: examplesFromRows(syntheticRows('2024-04-01', 300, 1)),
      validation,
    });
    const dataset = await openStoredDataset('ds-s3', `s3://${BUCKET}/`, { s3Client: s3.client });
    const run = await runBaseline(dataset);
    await writeBaseline(dataset, run);

    const keys = [];
    for await (const o of dataset.store.list('baseline/')) keys.push(o);
    expect(keys).toEqual([
      { key: BASELINE_FILES.evaluation, size: expect.any(Number) },
      { key: BASELINE_FILES.model, size: run.modelBytes.byteLength },
    ]);
    expect(await readBaselineEvaluation(dataset)).toEqual(run.evaluation);
    const classifier = await loadBaselineClassifier(dataset);
    const verdicts = await classifier.classify(validation.map((e) => e.context));
    // The model read back from the bucket is the one the report scored.
    const right = verdicts.filter((v, i) => v.label === validation[i]!.label).length;
    expect(right / validation.length).toBe(run.evaluation.report.accuracy);
    expect(run.evaluation.report.accuracy).toBeGreaterThan(0.9);
  });
});
