import { CANONICAL_FIELDS } from '../dataset/examples/example.ts';
import type { LeakReport, SkewReport } from './report.ts';

/**
 * Training/serving skew: what people paste into triage is a raw CloudFront line, which has only the 33 standard
 * fields. When the model scores clearly better with the dataset's other (enrichment) fields than without them, its
 * validation score overstates what triage will see, and the report names the fields that make the difference.
 */
export const SKEW_MARGIN = 0.05;

const STANDARD = new Set(CANONICAL_FIELDS);

/** The context fields a raw CloudFront standard log line does not have. */
export function nonStandardFields(fields: Iterable<string>): string[] {
  return [...fields].filter((f) => !STANDARD.has(f)).sort();
}

export function skewReport(input: {
  readonly macroF1All: number;
  readonly macroF1Standard: number;
  readonly majorityMacroF1: number;
  readonly leaks: LeakReport;
}): SkewReport {
  const difference = input.macroF1All - input.macroF1Standard;
  const extra = nonStandardFields(input.leaks.fields.map((f) => f.field));
  // The fields that predict on their own, strongest first (the leak list is sorted so); if none does alone, the
  // difference comes from them together, and all are named.
  const strong = input.leaks.fields
    .filter((f) => !STANDARD.has(f.field) && f.macroF1 > input.majorityMacroF1 + SKEW_MARGIN)
    .map((f) => f.field);
  const flagged = difference > SKEW_MARGIN;
  return {
    margin: SKEW_MARGIN,
    macroF1All: input.macroF1All,
    macroF1Standard: input.macroF1Standard,
    difference,
    flagged,
    nonStandardFields: extra,
    carriers: flagged ? (strong.length > 0 ? strong : extra) : [],
  };
}
