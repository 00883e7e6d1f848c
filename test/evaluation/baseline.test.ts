import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/dataset/sampling/random.ts';
import { openStoredDataset } from '../../src/dataset/output/stored.ts';
import { runBaseline, type BaselineRun } from '../../src/evaluation/baseline.ts';
import {
  BASELINE_FILES,
  loadBaselineClassifier,
  readBaselineEvaluation,
  writeBaseline,
} from '../../src/evaluation/baselineFiles.ts';
import { baselineEvaluationSchema } from '../../src/evaluation/report.ts';
import { formatBaselineEvaluation, formatComparison } from '../../src/evaluation/table.ts';
import { syntheticRows } from '../helpers/syntheticLogs.ts';
import { examplesFromRows, writeStoredDataset } from '../helpers/storedDataset.ts';

let root: string;
let run: BaselineRun;
let folder: string;
const VERDICTS: Record<string, string> = { benign: 'allow', suspicious: 'challenge', malicious: 'block' };

/** Labels drawn at random, so no standard field says anything; only the enrichment column `Autoblock` carries them. */
function enrichedRows(day: string, n: number, seed: number) {
  const r = seededRandom(seed);
  return syntheticRows(day, n, seed).map((row) => {
    const label = r() < 0.6 ? 'benign' : r() < 0.5 ? 'suspicious' : 'malicious';
    return { ...row, ThreatLevel: label, Autoblock: VERDICTS[label]! };
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-baseline-'));
  folder = await writeStoredDataset(root, {
    id: 'ds-enriched',
    train: examplesFromRows(enrichedRows('2024-04-01', 600, 1)),
    validation: examplesFromRows(enrichedRows('2024-04-02', 200, 2)),
  });
  const dataset = await openStoredDataset(folder, undefined);
  run = await runBaseline(dataset, { seed: 3, now: () => new Date('2024-06-01T00:00:00Z') });
  await writeBaseline(dataset, run);
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('runBaseline', () => {
  it('scores the model on validation, with the majority class beside it', () => {
    const { report, training } = run.evaluation;
    expect(report).toMatchObject({
      model: 'baseline:ds-enriched',
      dataset: { id: 'ds-enriched', uri: folder },
      examples: 200,
      createdAt: '2024-06-01T00:00:00.000Z',
    });
    expect(report.macroF1).toBe(1);
    expect(report.majority.label).toBe('benign');
    expect(report.majority.macroF1).toBeLessThan(0.3);
    expect(training).toMatchObject({ examples: 600, seed: 3, heldOut: 60 });
    expect(training.modelBytes).toBe(run.modelBytes.byteLength);
  });

  it('flags the enrichment column as a leak', () => {
    const autoblock = run.evaluation.leaks.fields[0]!;
    expect(autoblock).toMatchObject({ field: 'Autoblock', macroF1: 1, flagged: true });
    expect(run.evaluation.leaks.fields.filter((f) => f.flagged).map((f) => f.field)).toEqual(['Autoblock']);
  });

  it('measures the skew: with only the standard CloudFront fields the model is guessing, and Autoblock carries the difference', () => {
    const { skew, warnings } = run.evaluation;
    expect(skew.macroF1All).toBe(1);
    expect(skew.macroF1Standard).toBeLessThan(0.6);
    expect(skew).toMatchObject({ flagged: true, nonStandardFields: ['Autoblock'], carriers: ['Autoblock'] });
    expect(warnings.map((w) => [w.kind, w.fields])).toEqual([
      ['leak', ['Autoblock']],
      ['skew', ['Autoblock']],
    ]);
    expect(warnings[1]!.message).toMatch(/raw CloudFront line/);
  });

  it('writes baseline/model and baseline/eval.json, which read back as a classifier and a valid report', async () => {
    const dataset = await openStoredDataset(folder, undefined);
    const onDisk = JSON.parse(await readFile(join(folder, BASELINE_FILES.evaluation), 'utf8')) as unknown;
    expect(baselineEvaluationSchema.parse(onDisk)).toEqual(run.evaluation);
    expect(await readBaselineEvaluation(dataset)).toEqual(run.evaluation);
    const classifier = await loadBaselineClassifier(dataset);
    expect(classifier.labels).toEqual(['benign', 'malicious', 'suspicious']);
    const [verdict] = await classifier.classify([examplesFromRows(enrichedRows('2024-04-03', 1, 9))[0]!.context]);
    expect(verdict!.label).toBe(enrichedRows('2024-04-03', 1, 9)[0]!.ThreatLevel);
  });

  it('prints the report as tables', () => {
    const text = formatBaselineEvaluation(run.evaluation);
    expect(text).toMatch(/label\s+precision\s+recall\s+F1\s+support/);
    expect(text).toMatch(/always "benign" \(the commonest label\)/);
    expect(text).toMatch(/Autoblock\s+1\.000\s+1\.000\s+3\s+LEAK\?/);
    expect(text).toContain('WARNING (skew)');
    expect(formatComparison([run.evaluation.report, run.evaluation.report])).toMatch(/macro-F1\s+1\.000\s+1\.000/);
  });

  it('refuses a dataset without validation examples, and says there is no baseline where none was run', async () => {
    const empty = await writeStoredDataset(root, {
      id: 'ds-novalidation',
      train: examplesFromRows(enrichedRows('2024-04-01', 20, 1)),
      validation: [],
    });
    const dataset = await openStoredDataset(empty, undefined);
    await expect(runBaseline(dataset)).rejects.toThrow(/no validation examples/);
    expect(await readBaselineEvaluation(dataset)).toBeUndefined();
    await expect(loadBaselineClassifier(dataset)).rejects.toThrow(
      /no baseline model.*logtune baseline ds-novalidation/,
    );
  });
});
