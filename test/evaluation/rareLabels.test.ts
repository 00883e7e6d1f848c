import { describe, expect, it } from 'vitest';
import { nearCopies, rareLabelMessage, rareLabels } from '../../src/evaluation/rareLabels.ts';
import { scoreAnswers } from '../../src/evaluation/metrics.ts';
import { REPORT_SCHEMA_VERSION, type EvaluationReport } from '../../src/evaluation/report.ts';

function report(truths: string[], answers: string[]): EvaluationReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    model: 'm',
    dataset: { id: 'ds-x', uri: 'x' },
    split: 'validation',
    examples: truths.length,
    createdAt: '',
    seconds: 0,
    ...scoreAnswers(['benign', 'cmdi', 'sqli'], truths, answers),
  };
}

describe('rare labels', () => {
  const train = [
    ...Array.from({ length: 31 }, (_, i) => ({ context: `{"q":"c${i}"}`, label: 'cmdi' })),
    ...Array.from({ length: 60 }, (_, i) => ({ context: `{"q":"s${i}"}`, label: 'sqli' })),
    ...Array.from({ length: 90 }, (_, i) => ({ context: `{"q":"b${i}"}`, label: 'benign' })),
  ];

  it('flags a label with fewer than 50 training examples, and one with F1 below 0.5, in words', () => {
    // sqli: 1 of 4 found, never a false alarm → F1 0.40; benign and cmdi right.
    const r = report(
      ['benign', 'benign', 'cmdi', 'sqli', 'sqli', 'sqli', 'sqli'],
      ['benign', 'benign', 'cmdi', 'sqli', 'benign', 'benign', 'benign'],
    );
    const rare = rareLabels(train, r);
    expect(rare.map((l) => l.label)).toEqual(['cmdi', 'sqli']);
    expect(rare.map(rareLabelMessage)).toEqual([
      'cmdi: only 31 training examples — verdicts for it are unreliable',
      'sqli: F1 0.40 on validation — verdicts for it are unreliable',
    ]);
  });

  it('counts validation examples with a near-copy in train (the same request at another time or from another client)', () => {
    const validation = [
      { context: '{"date":"2024-05-01","c-ip":"9.9.9.9","q":"c3"}', label: 'cmdi' },
      { context: '{"q":"new"}', label: 'benign' },
    ];
    expect(nearCopies(train, validation)).toEqual({ validationWithNearCopyInTrain: 1, validation: 2 });
  });
});

describe('the Slack summary', () => {
  it('says each rare label in words', async () => {
    const { baselineBlocks } = await import('../../src/features/evaluation/blocks.ts');
    const r = report(['benign', 'cmdi'], ['benign', 'cmdi']);
    const blocks = baselineBlocks({
      schemaVersion: REPORT_SCHEMA_VERSION,
      report: r,
      training: {
        examples: 1,
        seconds: 0,
        seed: 1,
        features: { bits: 18, maxChars: 10 },
        lambda: 1,
        epochs: 1,
        selection: [],
        heldOut: 0,
        modelBytes: 1,
      },
      leaks: { margin: 0.05, fields: [] },
      skew: {
        margin: 0.05,
        macroF1All: 1,
        macroF1Standard: 1,
        difference: 0,
        flagged: false,
        nonStandardFields: [],
        carriers: [],
      },
      warnings: [
        { kind: 'rare', message: 'cmdi: only 31 training examples — verdicts for it are unreliable', fields: [] },
      ],
    });
    expect(JSON.stringify(blocks)).toContain(
      '*Rare labels:* cmdi: only 31 training examples — verdicts for it are unreliable',
    );
  });
});
