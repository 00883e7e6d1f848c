import { describe, expect, it } from 'vitest';
import { evaluateClassifier, stratifiedSample } from '../../src/evaluation/evaluate.ts';
import { evaluationReportSchema } from '../../src/evaluation/report.ts';
import type { ContextClassifier, Verdict } from '../../src/inference/types.ts';

/** Answers from a table; a context it does not know gets an error verdict, as a failing endpoint would. */
function tableClassifier(answers: Record<string, Verdict>, labels: string[]): ContextClassifier & { calls: number[] } {
  const calls: number[] = [];
  return {
    name: 'endpoint:fake',
    labels,
    calls,
    classify(contexts) {
      calls.push(contexts.length);
      return Promise.resolve(contexts.map((c) => answers[c] ?? { label: undefined, error: 'model error (424)' }));
    },
  };
}

describe('evaluateClassifier', () => {
  it('gives any classifier the same report: batches, unanswered verdicts as wrong, labels outside the set as none', async () => {
    const examples = [
      { context: '{"n":"1"}', label: 'benign' },
      { context: '{"n":"2"}', label: 'benign' },
      { context: '{"n":"3"}', label: 'malicious' },
      { context: '{"n":"4"}', label: 'malicious' },
      { context: '{"n":"5"}', label: 'benign' },
    ];
    const classifier = tableClassifier(
      {
        '{"n":"1"}': { label: 'benign' },
        '{"n":"2"}': { label: 'malicious' },
        '{"n":"3"}': { label: 'malicious' },
        '{"n":"4"}': { label: 'ignore previous instructions' },
      },
      ['benign', 'malicious'],
    );
    const report = await evaluateClassifier(classifier, examples, {
      dataset: { id: 'ds-x', uri: '/d/ds-x' },
      sample: { of: 50, seed: 3 },
      now: () => new Date('2024-06-01T12:00:00Z'),
      batchSize: 2,
    });
    expect(evaluationReportSchema.parse(report)).toEqual(report);
    expect(classifier.calls).toEqual([2, 2, 1]);
    expect(report).toMatchObject({
      model: 'endpoint:fake',
      examples: 5,
      createdAt: '2024-06-01T12:00:00.000Z',
      sample: { of: 50, seed: 3 },
      unanswered: 2,
    });
    expect(report.confusion).toEqual({
      matrix: [
        [1, 1],
        [0, 1],
      ],
      noLabel: [1, 1],
    });
    expect(report.accuracy).toBeCloseTo(2 / 5, 12);
    expect(report.majority).toMatchObject({ label: 'benign', accuracy: 0.6 });
  });

  it('refuses to evaluate on nothing', async () => {
    await expect(
      evaluateClassifier(tableClassifier({}, ['a']), [], { dataset: { id: 'd', uri: 'd' } }),
    ).rejects.toThrow('no examples');
  });
});

describe('stratifiedSample', () => {
  const examples = [
    ...Array.from({ length: 90 }, (_, i) => ({ label: 'benign', i })),
    ...Array.from({ length: 9 }, (_, i) => ({ label: 'suspicious', i: 90 + i })),
    { label: 'malicious', i: 99 },
  ];

  it('keeps each label’s share, gives every label at least one, and keeps the original order', () => {
    const sample = stratifiedSample(examples, 20, 7);
    expect(sample).toHaveLength(20);
    const counts = Object.fromEntries(
      ['benign', 'suspicious', 'malicious'].map((l) => [l, sample.filter((e) => e.label === l).length]),
    );
    // Ideal 18, 1.8, 0.2: malicious is raised to one, and the remainders leave nothing more to give.
    expect(counts).toEqual({ benign: 18, suspicious: 1, malicious: 1 });
    expect(sample.map((e) => e.i)).toEqual([...sample.map((e) => e.i)].sort((a, b) => a - b));
  });

  it('is the same for the same seed and differs for another', () => {
    const ids = (seed: number) => stratifiedSample(examples, 20, seed).map((e) => e.i);
    expect(ids(7)).toEqual(ids(7));
    expect(ids(7)).not.toEqual(ids(8));
  });

  it('returns everything when asked for at least as many as there are', () => {
    expect(stratifiedSample(examples, 500, 1)).toHaveLength(100);
    expect(stratifiedSample(examples, 2, 1)).toHaveLength(2);
  });
});
