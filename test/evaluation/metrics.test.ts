import { describe, expect, it } from 'vitest';
import { scoreAnswers } from '../../src/evaluation/metrics.ts';

const byLabel = (scores: ReturnType<typeof scoreAnswers>) =>
  Object.fromEntries(scores.perLabel.map((s) => [s.label, s]));

describe('scoreAnswers', () => {
  it('perfect separation: every score 1, a diagonal confusion matrix', () => {
    const truths = ['a', 'a', 'a', 'b', 'c'];
    const s = scoreAnswers(['a', 'b', 'c'], truths, truths);
    expect(s.accuracy).toBe(1);
    expect(s.macroF1).toBe(1);
    expect(s.perLabel.map((l) => [l.precision, l.recall, l.f1])).toEqual([
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(s.confusion.matrix).toEqual([
      [3, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    // Always "a": accuracy 3/5; F1 of a = 2·0.6·1/1.6 = 0.75; averaged over the 3 labels present: 0.25.
    expect(s.majority.label).toBe('a');
    expect(s.majority.accuracy).toBeCloseTo(0.6, 12);
    expect(s.majority.macroF1).toBeCloseTo(0.25, 12);
  });

  it('one label never predicted: its precision, recall and F1 are 0, and it still counts in macro-F1', () => {
    // truths: a a a b b c; answers: a a b b b a
    const s = scoreAnswers(['a', 'b', 'c'], ['a', 'a', 'a', 'b', 'b', 'c'], ['a', 'a', 'b', 'b', 'b', 'a']);
    const l = byLabel(s);
    // a: 2 of 3 predicted a are right (P 2/3), 2 of 3 a found (R 2/3) → F1 2/3.
    expect(l.a!.precision).toBeCloseTo(2 / 3, 12);
    expect(l.a!.recall).toBeCloseTo(2 / 3, 12);
    // b: 2 of 3 predicted b right (P 2/3), both b found (R 1) → F1 0.8.
    expect(l.b!.f1).toBeCloseTo(0.8, 12);
    expect(l.c).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1, predicted: 0 });
    expect(s.accuracy).toBeCloseTo(4 / 6, 12);
    expect(s.macroF1).toBeCloseTo((2 / 3 + 0.8 + 0) / 3, 12);
    expect(s.confusion.matrix).toEqual([
      [2, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
  });

  it('a single-label dataset scores 1 everywhere, and so does its majority class', () => {
    const s = scoreAnswers(['only'], ['only', 'only'], ['only', 'only']);
    expect([s.accuracy, s.macroF1, s.majority.accuracy, s.majority.macroF1]).toEqual([1, 1, 1, 1]);
  });

  it('ties for the commonest label go to the first label in order', () => {
    const s = scoreAnswers(['x', 'y'], ['y', 'x', 'y', 'x'], ['x', 'x', 'x', 'x']);
    expect(s.majority.label).toBe('x');
    expect(s.majority.accuracy).toBe(0.5);
    // Always x: F1(x) = 2·0.5·1/1.5 = 2/3, F1(y) = 0.
    expect(s.majority.macroF1).toBeCloseTo(1 / 3, 12);
    expect(s.macroF1).toBeCloseTo(1 / 3, 12);
  });

  it('labels with neither support nor predictions stay out of macro-F1; answers without a label count as wrong', () => {
    const s = scoreAnswers(['a', 'b', 'unused'], ['a', 'b', 'b', 'a'], ['a', undefined, 'b', 'not-a-label']);
    expect(s.unanswered).toBe(2);
    expect(s.confusion.noLabel).toEqual([1, 1, 0]);
    expect(s.accuracy).toBe(0.5);
    // a: P 1, R 1/2 → 2/3; b: P 1, R 1/2 → 2/3; "unused" is left out of the mean.
    expect(s.macroF1).toBeCloseTo(2 / 3, 12);
    expect(byLabel(s).unused).toMatchObject({ support: 0, predicted: 0, f1: 0 });
  });

  it('adds true labels the model does not know, so every example has a row', () => {
    const s = scoreAnswers(['a'], ['a', 'z'], ['a', 'a']);
    expect(s.labels).toEqual(['a', 'z']);
    expect(byLabel(s).z).toMatchObject({ support: 1, recall: 0 });
  });
});
