import { seededRandom, shuffle } from '../src/dataset/sampling/random.ts';

/**
 * The standard text-classification recipe, as the bench's yardstick for the baseline: scikit-learn's
 * `TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4))` + `LogisticRegression(class_weight="balanced")`,
 * re-implemented so the bench needs no Python. Features as scikit-learn makes them: the text lower-cased, split on
 * white space, each word padded with one space and cut into 1–4-grams (a word shorter than n gives one gram);
 * raw counts × smoothed idf ln((1 + n) / (1 + df)) + 1, each row L2-normalised; an exact vocabulary (no hashing).
 * The loss is scikit-learn's: class-weighted (n / (k · n_c)) multinomial log loss plus ½‖W‖² / C with C = 1. It is
 * minimised by SGD with a linearly decaying step rather than L-BFGS; on these convex problems both reach the same
 * optimum to well within the differences the bench reports.
 */
export interface ReferenceModel {
  predict(text: string): number;
}

export interface ReferenceOptions {
  readonly classes: number;
  readonly epochs?: number;
  readonly seed?: number;
}

/** Grams of up to 4 UTF-16 units packed exactly into one number: 12 bits per unit (a unit table), 2 for the length. */
class GramCodes {
  private readonly units = new Map<number, number>();

  unit(c: number): number {
    let id = this.units.get(c);
    if (id === undefined) {
      id = this.units.size + 1;
      // More than 4,095 distinct characters: the rest share one code (never the case for request text).
      if (id >= 4096) id = 4095;
      else this.units.set(c, id);
    }
    return id;
  }
}

function charWbGrams(text: string, codes: GramCodes, out: number[]): void {
  out.length = 0;
  const lower = text.toLowerCase();
  const words = lower.split(/\s+/).filter((w) => w !== '');
  for (const word of words) {
    const w = [32, ...Array.from({ length: word.length }, (_, i) => word.charCodeAt(i)), 32].map((c) => codes.unit(c));
    for (let n = 1; n <= 4; n++) {
      let offset = 0;
      out.push(pack(w, offset, n));
      while (offset + n < w.length) {
        offset++;
        out.push(pack(w, offset, n));
      }
      if (offset === 0) break;
    }
  }
}

function pack(units: readonly number[], from: number, n: number): number {
  let code = 0;
  const end = Math.min(units.length, from + n);
  for (let i = from; i < end; i++) code = code * 4096 + units[i]!;
  return code * 4 + (end - from - 1);
}

interface SparseRows {
  readonly offsets: Float64Array;
  readonly ids: Int32Array;
  readonly values: Float32Array;
}

/** Trains on (text, class) pairs and returns the classifier. */
export function trainReference(
  texts: readonly string[],
  targets: readonly number[],
  options: ReferenceOptions,
): ReferenceModel {
  const codes = new GramCodes();
  const vocabulary = new Map<number, number>();
  const grams: number[] = [];
  const docIds: Int32Array[] = [];
  const docCounts: Uint16Array[] = [];
  const df: number[] = [];
  for (const text of texts) {
    charWbGrams(text, codes, grams);
    const counts = new Map<number, number>();
    for (const g of grams) {
      let id = vocabulary.get(g);
      if (id === undefined) {
        id = vocabulary.size;
        vocabulary.set(g, id);
        df.push(0);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const ids = Int32Array.from(counts.keys());
    docIds.push(ids);
    docCounts.push(Uint16Array.from(counts.values(), (c) => Math.min(c, 65535)));
    for (const id of ids) df[id]!++;
  }
  const n = texts.length;
  const idf = Float32Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
  const rows = toRows(docIds, docCounts, idf);
  docIds.length = 0;
  docCounts.length = 0;
  const k = options.classes;
  const weights = new Float64Array(vocabulary.size * k);
  const biases = new Float64Array(k);
  const classCounts = new Float64Array(k);
  for (const t of targets) classCounts[t]!++;
  const classWeights = classCounts.map((c) => (c > 0 ? n / (k * c) : 0));
  // ½‖W‖²/C + Σ weighted losses, divided by n: per example, λ = 1 / (C · n).
  const lambda = 1 / n;
  sgd(rows, targets, {
    weights,
    biases,
    classWeights,
    lambda,
    k,
    epochs: options.epochs ?? 15,
    seed: options.seed ?? 1,
  });
  const scratch = new Float64Array(k);
  return {
    predict(text) {
      charWbGrams(text, codes, grams);
      const counts = new Map<number, number>();
      for (const g of grams) {
        const id = vocabulary.get(g);
        if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      let norm = 0;
      for (const [id, c] of counts) norm += (c * idf[id]!) ** 2;
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      scratch.set(biases);
      for (const [id, c] of counts) {
        const x = c * idf[id]! * scale;
        for (let j = 0; j < k; j++) scratch[j]! += weights[id * k + j]! * x;
      }
      let best = 0;
      for (let j = 1; j < k; j++) if (scratch[j]! > scratch[best]!) best = j;
      return best;
    },
  };
}

function toRows(docIds: readonly Int32Array[], docCounts: readonly Uint16Array[], idf: Float32Array): SparseRows {
  const total = docIds.reduce((s, d) => s + d.length, 0);
  const offsets = new Float64Array(docIds.length + 1);
  const ids = new Int32Array(total);
  const values = new Float32Array(total);
  let at = 0;
  docIds.forEach((doc, i) => {
    const counts = docCounts[i]!;
    let norm = 0;
    for (let j = 0; j < doc.length; j++) norm += (counts[j]! * idf[doc[j]!]!) ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < doc.length; j++) {
      ids[at] = doc[j]!;
      values[at++] = counts[j]! * idf[doc[j]!]! * scale;
    }
    offsets[i + 1] = at;
  });
  return { offsets, ids, values };
}

function sgd(
  rows: SparseRows,
  targets: readonly number[],
  p: {
    weights: Float64Array;
    biases: Float64Array;
    classWeights: Float64Array;
    lambda: number;
    k: number;
    epochs: number;
    seed: number;
  },
): void {
  const { weights, biases, k } = p;
  const order = Array.from({ length: targets.length }, (_, i) => i);
  const random = seededRandom(p.seed);
  const probs = new Float64Array(k);
  const total = p.epochs * order.length;
  let scale = 1;
  let t = 0;
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    shuffle(order, random);
    for (const row of order) {
      const rate = 0.5 * (1 - t++ / total);
      const start = rows.offsets[row]!;
      const end = rows.offsets[row + 1]!;
      probs.set(biases);
      for (let j = start; j < end; j++) {
        const base = rows.ids[j]! * k;
        const x = rows.values[j]! * scale;
        for (let c = 0; c < k; c++) probs[c]! += weights[base + c]! * x;
      }
      let max = -Infinity;
      for (const v of probs) if (v > max) max = v;
      let sum = 0;
      for (let c = 0; c < k; c++) sum += probs[c] = Math.exp(probs[c]! - max);
      const target = targets[row]!;
      const weight = p.classWeights[target]!;
      scale *= 1 - rate * p.lambda;
      for (let c = 0; c < k; c++) {
        const gradient = probs[c]! / sum - (c === target ? 1 : 0);
        biases[c]! -= rate * weight * gradient;
        probs[c] = (rate * weight * gradient) / scale;
      }
      for (let j = start; j < end; j++) {
        const base = rows.ids[j]! * k;
        const x = rows.values[j]!;
        for (let c = 0; c < k; c++) weights[base + c]! -= probs[c]! * x;
      }
    }
  }
  for (let i = 0; i < weights.length; i++) weights[i]! *= scale;
}
