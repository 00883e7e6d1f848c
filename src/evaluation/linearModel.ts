import { seededRandom, shuffle } from '../dataset/sampling/random.ts';
import type { FeatureRows } from './featureRows.ts';
import { featureCapacity, featurizer, type Featurize, type FeatureSpec } from './features.ts';
import { nextTurn, SLICE } from './nextTurn.ts';

/**
 * Multinomial logistic regression over hashed features (features.ts), trained by SGD with L2 regularisation and class weights.
 * Hand-written because no npm library fits: ml-logistic-regression is one-vs-rest full-batch gradient descent on a
 * dense matrix (2^18 columns × 200,000 rows), libsvm-js is a kernel SVM (quadratic in examples) on dense vectors,
 * the fastText WebAssembly packages wrap prediction but not training and have no class weights, and natural's
 * classifiers work on word tokens. The whole of it is the loop below.
 */
export interface LinearModel {
  readonly spec: FeatureSpec;
  readonly classes: number;
  /** classes weights per bucket, bucket-major: one bucket's weights share a cache line. */
  readonly weights: Float32Array;
  readonly biases: Float64Array;
}

export interface TrainOptions {
  readonly spec: FeatureSpec;
  readonly classes: number;
  /** L2 strength. */
  readonly lambda: number;
  readonly epochs: number;
  readonly seed: number;
  /** Per class; `balancedClassWeights` gives every class the same total weight. */
  readonly classWeights: Float64Array;
  readonly signal?: AbortSignal;
}

/** Step size at the start; features have unit norm, so a step of this size moves a score by about this much. */
const INITIAL_RATE = 0.5;

export async function trainLinearModel(rows: FeatureRows, options: TrainOptions): Promise<LinearModel> {
  const { spec, classes: k, lambda } = options;
  const weights = new Float32Array((1 << spec.bits) * k);
  const biases = new Float64Array(k);
  if (k < 2 || rows.length === 0) return { spec, classes: k, weights, biases };
  const buckets = new Int32Array(featureCapacity(spec));
  const split = new Int32Array(1);
  const probs = new Float64Array(k);
  const order = Array.from({ length: rows.length }, (_, i) => i);
  const random = seededRandom(options.seed);
  // Lazy L2: the true weights are scale × weights, so shrinking all of them is one multiplication.
  let scale = 1;
  let t = 0;
  const total = options.epochs * rows.length;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    for (let e = 0; e < order.length; e++) {
      if (t % SLICE === SLICE - 1) await nextTurn(options.signal);
      const row = order[e]!;
      const target = rows.target(row);
      const n = rows.read(row, buckets, split);
      const [xTokens, xGrams] = blockScales(split[0]!, n);
      // Decays linearly to 0: the last steps are small, so the final weights settle instead of ending on a noisy step.
      const rate = INITIAL_RATE * (1 - t++ / total);
      scores(weights, biases, buckets, split[0]!, n, xTokens * scale, xGrams * scale, k, probs);
      softmaxInPlace(probs);
      const weight = options.classWeights[target]!;
      scale *= 1 - rate * lambda;
      if (scale < 1e-6) {
        for (let i = 0; i < weights.length; i++) weights[i]! *= scale;
        scale = 1;
      }
      const step = (rate * weight) / scale;
      for (let c = 0; c < k; c++) {
        const gradient = probs[c]! - (c === target ? 1 : 0);
        biases[c]! -= rate * weight * gradient;
        probs[c] = step * gradient;
      }
      update(weights, buckets, 0, split[0]!, xTokens, probs, k);
      update(weights, buckets, split[0]!, n, xGrams, probs, k);
    }
  }
  if (scale !== 1) for (let i = 0; i < weights.length; i++) weights[i]! *= scale;
  return { spec, classes: k, weights, biases };
}

/** Class probabilities for contexts, one at a time, with its scratch space allocated once. */
export class LinearScorer {
  private readonly featuresOf: Featurize;
  private readonly buckets: Int32Array;
  private readonly split = new Int32Array(1);

  constructor(private readonly model: LinearModel) {
    this.featuresOf = featurizer(model.spec);
    this.buckets = new Int32Array(featureCapacity(model.spec));
  }

  /** Writes the probability of each class into `out` (length = classes). */
  probabilities(context: string, out: Float64Array): void {
    const { model } = this;
    if (model.classes === 1) {
      out[0] = 1;
      return;
    }
    const n = this.featuresOf(context, this.buckets, this.split);
    const tokens = this.split[0]!;
    const [xTokens, xGrams] = blockScales(tokens, n);
    scores(model.weights, model.biases, this.buckets, tokens, n, xTokens, xGrams, model.classes, out);
    softmaxInPlace(out);
  }
}

/** Every class weighted so that each class's examples weigh the same in total (scikit-learn's "balanced"). */
export function balancedClassWeights(targets: Iterable<number>, classes: number): Float64Array {
  const counts = new Float64Array(classes);
  let total = 0;
  for (const t of targets) {
    counts[t]!++;
    total++;
  }
  return counts.map((n) => (n > 0 ? total / (classes * n) : 0));
}

/**
 * Each block (tokens, n-grams) has unit norm within itself and half the row's squared norm when both are there:
 * the row as a whole has unit norm, as TF-IDF rows do, and neither block drowns the other.
 */
function blockScales(tokens: number, total: number): [number, number] {
  const grams = total - tokens;
  if (tokens === 0) return [0, grams > 0 ? 1 / Math.sqrt(grams) : 0];
  if (grams === 0) return [1 / Math.sqrt(tokens), 0];
  return [Math.SQRT1_2 / Math.sqrt(tokens), Math.SQRT1_2 / Math.sqrt(grams)];
}

function scores(
  weights: Float32Array,
  biases: Float64Array,
  buckets: Int32Array,
  tokens: number,
  n: number,
  xTokens: number,
  xGrams: number,
  k: number,
  out: Float64Array,
): void {
  for (let c = 0; c < k; c++) out[c] = biases[c]!;
  addBlock(weights, buckets, 0, tokens, xTokens, k, out);
  addBlock(weights, buckets, tokens, n, xGrams, k, out);
}

function addBlock(
  weights: Float32Array,
  buckets: Int32Array,
  from: number,
  to: number,
  x: number,
  k: number,
  out: Float64Array,
): void {
  for (let j = from; j < to; j++) {
    const base = buckets[j]! * k;
    for (let c = 0; c < k; c++) out[c]! += weights[base + c]! * x;
  }
}

function update(
  weights: Float32Array,
  buckets: Int32Array,
  from: number,
  to: number,
  x: number,
  steps: Float64Array,
  k: number,
): void {
  for (let j = from; j < to; j++) {
    const base = buckets[j]! * k;
    for (let c = 0; c < k; c++) weights[base + c]! -= steps[c]! * x;
  }
}

function softmaxInPlace(values: Float64Array): void {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  let sum = 0;
  for (let c = 0; c < values.length; c++) {
    const e = Math.exp(values[c]! - max);
    values[c] = e;
    sum += e;
  }
  for (let c = 0; c < values.length; c++) values[c]! /= sum;
}
