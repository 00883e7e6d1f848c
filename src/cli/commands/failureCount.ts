import type { ContextClassifier } from '../../inference/types.ts';

/**
 * A classifier that counts the verdicts that carry an error (the model could not be reached, timed out, or failed)
 * and keeps the first error's words: an evaluation is only as good as the answers it got. An answer outside the
 * label set (`unrecognised`) is an answer, scored as wrong, not a failure.
 */
export interface CountedClassifier extends ContextClassifier {
  readonly failures: { readonly count: number; readonly of: number; readonly first: string | undefined };
}

export function countFailures(classifier: ContextClassifier): CountedClassifier {
  let count = 0;
  let of = 0;
  let first: string | undefined;
  return {
    name: classifier.name,
    labels: classifier.labels,
    get failures() {
      return { count, of, first };
    },
    async classify(contexts, signal) {
      const verdicts = await classifier.classify(contexts, signal);
      for (const verdict of verdicts) {
        of++;
        if (verdict.error === undefined || verdict.error === 'unrecognised') continue;
        count++;
        const detail = (verdict as { readonly detail?: string }).detail;
        first ??= detail === undefined ? verdict.error : `${verdict.error}: ${detail}`;
      }
      return verdicts;
    },
  };
}
