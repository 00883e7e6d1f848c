import { featureCapacity, featurizer, type FeatureSpec } from './features.ts';

/**
 * Training examples as the trainer reads them: a target and the feature buckets of row i. Read live (featurized on
 * every pass: no memory beyond the contexts) or cached (featurized once: ~650 bytes per example, worth it when
 * several models are trained on the same rows, as the hyper-parameter choice does).
 */
export interface FeatureRows {
  readonly length: number;
  target(row: number): number;
  /** Writes the row's buckets into `out` (at least `featureCapacity` long) and returns how many; split[0] = tokens. */
  read(row: number, out: Int32Array, split?: Int32Array): number;
}

export interface TargetedContext {
  readonly context: string;
  /** Index into the label list. */
  readonly target: number;
}

export function liveRows(examples: readonly TargetedContext[], spec: FeatureSpec): FeatureRows {
  const featuresOf = featurizer(spec);
  return {
    length: examples.length,
    target: (row) => examples[row]!.target,
    read: (row, out, split) => featuresOf(examples[row]!.context, out, split),
  };
}

export function cachedRows(examples: readonly TargetedContext[], spec: FeatureSpec): FeatureRows {
  const featuresOf = featurizer(spec);
  const scratch = new Int32Array(featureCapacity(spec));
  const offsets = new Float64Array(examples.length + 1);
  const tokens = new Int32Array(examples.length);
  const split = new Int32Array(1);
  const targets = new Int32Array(examples.length);
  let buckets = new Int32Array(Math.max(1024, examples.length * 64));
  let used = 0;
  examples.forEach((e, i) => {
    const n = featuresOf(e.context, scratch, split);
    tokens[i] = split[0]!;
    if (used + n > buckets.length) {
      const grown = new Int32Array(Math.max(buckets.length * 2, used + n));
      grown.set(buckets.subarray(0, used));
      buckets = grown;
    }
    buckets.set(scratch.subarray(0, n), used);
    used += n;
    offsets[i + 1] = used;
    targets[i] = e.target;
  });
  return {
    length: examples.length,
    target: (row) => targets[row]!,
    read(row, out, into) {
      if (into !== undefined) into[0] = tokens[row]!;
      const start = offsets[row]!;
      const n = offsets[row + 1]! - start;
      for (let j = 0; j < n; j++) out[j] = buckets[start + j]!;
      return n;
    },
  };
}
