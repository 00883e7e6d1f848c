import { describe, expect, it } from 'vitest';
import { answerLabel, responseFor, trainedLabel } from '../../src/dataset/examples/answer.ts';

const LABELS = ['benign', 'sqli', 'sqli-blind', "don't know", 'xss'];

describe('the answer sentence', () => {
  it.each(['benign', 'level 3', 'très élevé', 'a"b', 'back\\slash', '$&', '中文', "don't know", "O'Brien"])(
    'reads back the label %j that training wrote',
    (label) => {
      expect(trainedLabel(responseFor(label))).toBe(label);
      expect(answerLabel(` ${responseFor(label)}`, [label, 'other'])).toBe(label);
    },
  );

  it('takes the first quoted known label after the marker, whatever follows it', () => {
    expect(answerLabel("This log entry is identified as 'sqli'. Based on the UNION in the query.", LABELS)).toBe(
      'sqli',
    );
    expect(answerLabel("This log entry is identified as 'sqli' based on 'xss'-like markup", LABELS)).toBe('sqli');
    expect(answerLabel('This log entry is identified as "xss", because of <script>', LABELS)).toBe('xss');
    expect(answerLabel("identified as 'catastrophic' or maybe 'benign'", LABELS)).toBe('benign');
  });

  it('prefers the longest known label at a quote', () => {
    expect(answerLabel("This log entry is identified as 'sqli-blind'.", LABELS)).toBe('sqli-blind');
  });

  it('gives nothing without the marker, before the marker, or for an unknown label', () => {
    expect(answerLabel("I think it is 'benign'.", LABELS)).toBeUndefined();
    expect(answerLabel("'benign' — This log entry is identified as 'catastrophic'.", LABELS)).toBeUndefined();
    expect(answerLabel('This log entry is identified as benign.', LABELS)).toBeUndefined();
    expect(trainedLabel("This log entry is identified as 'sqli'. Based on …")).toBeUndefined();
  });
});
