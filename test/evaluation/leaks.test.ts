import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/dataset/sampling/random.ts';
import { detectLeaks, flagLeaks, LEAK_MARGIN } from '../../src/evaluation/leaks.ts';
import { scoreAnswers } from '../../src/evaluation/metrics.ts';
import { skewReport } from '../../src/evaluation/skew.ts';
import { syntheticRows } from '../helpers/syntheticLogs.ts';
import { examplesFromRows } from '../helpers/storedDataset.ts';

const labels = ['benign', 'malicious', 'suspicious'];

/** Synthetic traffic plus a field that copies the label, a random one, and a numeric score that tracks the label. */
function rows(day: string, n: number, seed: number) {
  const r = seededRandom(seed + 100);
  return syntheticRows(day, n, seed).map((row) => ({
    ...row,
    copy: `v-${row.ThreatLevel}`,
    noise: ['a', 'b', 'c', 'd'][Math.floor(r() * 4)]!,
    score: (row.ThreatLevel === 'benign' ? r() * 30 : 60 + r() * 40).toFixed(3),
  }));
}

describe('detectLeaks', () => {
  const train = examplesFromRows(rows('2024-04-01', 800, 1));
  const validation = examplesFromRows(rows('2024-04-02', 300, 2));
  const majority = scoreAnswers(
    labels,
    validation.map((e) => e.label),
    validation.map(() => 'benign'),
  ).majority.macroF1;
  let report: Awaited<ReturnType<typeof detectLeaks>>;
  beforeAll(async () => {
    report = await detectLeaks(train, validation, labels, { macroF1: 1, majorityMacroF1: majority });
  });
  const field = (name: string) => report.fields.find((f) => f.field === name)!;

  it('flags a field that copies the label', () => {
    expect(field('copy')).toMatchObject({ macroF1: 1, accuracy: 1, distinctValues: 3, flagged: true, binned: false });
  });

  it('does not flag a random field: it scores no better than always answering the commonest label', () => {
    expect(field('noise').flagged).toBe(false);
    expect(field('noise').macroF1).toBeLessThan(majority + LEAK_MARGIN);
  });

  it('reads a numeric score as quantile bins, so unseen values are still judged by their range', () => {
    // Every score is distinct: read value by value it would predict nothing on validation.
    expect(field('score').binned).toBe(true);
    expect(field('score').distinctValues).toBeLessThanOrEqual(17);
    // Only the bin that straddles the gap between 30 and 60 mixes labels.
    expect(field('score').accuracy).toBeGreaterThan(0.9);
  });

  it('does not flag a field that is unique per row (a request id, a client IP)', () => {
    expect(field('c-ip').flagged).toBe(false);
  });

  it('lists fields strongest first and names the margin', () => {
    expect(report.margin).toBe(LEAK_MARGIN);
    const scores = report.fields.map((f) => f.macroF1);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('does not flag a field that predicts well but clearly less well than the model', () => {
    expect(field('cs-uri-stem').macroF1).toBeGreaterThan(majority + LEAK_MARGIN);
    expect(field('cs-uri-stem').macroF1).toBeLessThan(1 - LEAK_MARGIN);
    expect(field('cs-uri-stem').flagged).toBe(false);
  });
});

describe('flagLeaks: an enrichment field that knows as much as the request', () => {
  // The bundled sample's figures: the model 0.987 with every field, 0.929 on the standard fields only, and waf-rule
  // alone 0.936 — more than 5 points below the whole model, so the margin alone does not flag it.
  const score = (field: string, macroF1: number) => ({
    field,
    accuracy: macroF1,
    macroF1,
    distinctValues: 6,
    binned: false,
    flagged: false,
  });
  const report = {
    margin: LEAK_MARGIN,
    fields: [score('waf-rule', 0.936), score('cs-uri-stem', 0.936), score('geo', 0.7), score('noise', 0.28)],
  };
  const yardsticks = { macroF1: 0.987, majorityMacroF1: 0.258 };
  const flags = (r: ReturnType<typeof flagLeaks>) =>
    Object.fromEntries(r.fields.map((f) => [f.field, f.flagged ? f.reason : false]));

  it('flags a non-standard field that alone scores at least the model on the standard fields', () => {
    const flagged = flagLeaks(report, { ...yardsticks, macroF1Standard: 0.929 });
    expect(flags(flagged)).toEqual({ 'waf-rule': 'beats-request', 'cs-uri-stem': false, geo: false, noise: false });
    expect(flagged.macroF1Standard).toBe(0.929);
  });

  it('does not flag it when the request alone does better: the field adds to the traffic, it does not replace it', () => {
    expect(flags(flagLeaks(report, { ...yardsticks, macroF1Standard: 0.95 }))['waf-rule']).toBe(false);
  });

  it('without a standard-fields model, only the margin below the whole model counts', () => {
    expect(flags(flagLeaks(report, yardsticks))['waf-rule']).toBe(false);
    expect(flags(flagLeaks(report, { ...yardsticks, macroF1: 0.97 }))).toMatchObject({
      'waf-rule': 'near-model',
      'cs-uri-stem': 'near-model',
    });
  });

  it('never flags a field no better than always answering the commonest label', () => {
    const weak = { margin: LEAK_MARGIN, fields: [score('noise', 0.28)] };
    expect(flags(flagLeaks(weak, { macroF1: 0.3, majorityMacroF1: 0.258, macroF1Standard: 0.2 }))).toEqual({
      noise: false,
    });
  });
});

describe('skewReport', () => {
  const leaks = {
    margin: LEAK_MARGIN,
    fields: [
      { field: 'Autoblock', accuracy: 1, macroF1: 1, distinctValues: 3, binned: false, flagged: true },
      { field: 'cs-uri-stem', accuracy: 0.6, macroF1: 0.4, distinctValues: 9, binned: false, flagged: false },
      { field: 'geo', accuracy: 0.5, macroF1: 0.3, distinctValues: 9, binned: false, flagged: false },
    ],
  };

  it('names the non-standard fields that carry a difference larger than the margin', () => {
    const skew = skewReport({ macroF1All: 0.95, macroF1Standard: 0.5, majorityMacroF1: 0.3, leaks });
    expect(skew).toMatchObject({ flagged: true, nonStandardFields: ['Autoblock', 'geo'], carriers: ['Autoblock'] });
    expect(skew.difference).toBeCloseTo(0.45, 12);
  });

  it('is quiet within the margin', () => {
    expect(skewReport({ macroF1All: 0.9, macroF1Standard: 0.88, majorityMacroF1: 0.3, leaks })).toMatchObject({
      flagged: false,
      carriers: [],
    });
  });
});
