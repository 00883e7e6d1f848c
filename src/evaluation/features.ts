import { z } from 'zod';

/**
 * The baseline's features, read straight from the context text (a JSON object of string fields, as
 * `renderContext` writes it) and hashed into 2^bits buckets, so there is no vocabulary to build or store.
 * Per field: the whole value, and each run of letters/digits and each run of other non-space characters, all keyed
 * by the field's name — so `403` in `sc-status` and `403` inside a URI are different features, and `UNION`,
 * `SELECT`, `'--` or `../` in a query count wherever they sit.
 *
 * Measured against hashed character 3–5-grams of the whole context (README, "The model"): per-field tokens scored
 * macro-F1 0.84 against 0.76 and trained 3.6 times faster, because most character n-grams are field names and JSON
 * punctuation, the same in every example; adding per-field character 4-grams gained under 0.01 for up to twice the
 * training time.
 */
export const featureSpecSchema = z.object({
  bits: z.number().int().min(8).max(24),
  /** Longer contexts are read up to here: an 8 KB URI must not make one example cost thousands of features. */
  maxChars: z.number().int().positive(),
  /** Only these fields are read (the skew figure's "standard fields only" model); absent: every field. */
  fields: z.array(z.string()).optional(),
  /**
   * Character n-grams (min..max, within words, each word padded with a boundary, lower-cased) of these fields, each
   * field in its own hashed namespace, beside the tokens. Absent in model files written before they existed.
   */
  charGrams: z
    .object({ fields: z.array(z.string()), min: z.number().int().min(1).max(4), max: z.number().int().min(1).max(4) })
    .optional(),
});

export type FeatureSpec = z.infer<typeof featureSpecSchema>;

/** The fields that carry the request: where attacks are written. */
export const REQUEST_FIELDS: readonly string[] = [
  'cs-uri-stem',
  'cs-uri-query',
  'cs(User-Agent)',
  'cs(Referer)',
  'cs(Cookie)',
];

export const DEFAULT_FEATURES: FeatureSpec = Object.freeze({
  bits: 20,
  maxChars: 4096,
  charGrams: { fields: [...REQUEST_FIELDS], min: 1, max: 4 },
});

/**
 * Room for every feature of one context: each character ends at most one token, each field adds one value, and
 * each character (and each word's end) ends at most `max` n-grams.
 */
export function featureCapacity(spec: FeatureSpec): number {
  const grams = spec.charGrams === undefined ? 0 : spec.charGrams.max * 2 * spec.maxChars;
  return 2 * spec.maxChars + 2 + grams;
}

const QUOTE = 34;
const BACKSLASH = 92;
const FNV_BASIS = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const WHOLE_VALUE = 1;
const WORD = 2;
const SYMBOLS = 3;
const CHAR_GRAMS = 4;
/** A word's edge in an n-gram (a space, as scikit-learn's char_wb pads words). */
const BOUNDARY = 32;

/** Turns a spec into the function that writes one context's feature buckets into `out` and returns how many. */
/**
 * Writes one context's buckets into `out`: the tokens first, then the character n-grams; returns how many in all
 * and, given `split`, puts the number of tokens in split[0]. The two blocks are weighted separately (linearModel.ts),
 * so hundreds of n-grams do not drown the few tokens that name a field's whole value.
 */
export type Featurize = (context: string, out: Int32Array, split?: Int32Array) => number;

export function featurizer(spec: FeatureSpec): Featurize {
  const mask = (1 << spec.bits) - 1;
  const fields = spec.fields === undefined ? undefined : new Set(spec.fields.map(keyHash));
  const gramFields = new Set((spec.charGrams?.fields ?? []).map(keyHash));
  const minGram = spec.charGrams?.min ?? 1;
  const maxGram = spec.charGrams?.max ?? 0;
  // The last characters of the current word (lower-cased), newest first; BOUNDARY stands for the word's edge.
  const window = new Int32Array(4);
  const gramBuckets = new Int32Array(maxGram * 2 * spec.maxChars + 8);
  return (context, out, split) => {
    const length = Math.min(context.length, spec.maxChars);
    let n = 0;
    let g = 0;
    let i = 0;
    let inWindow = 0;
    let gramKey = 0;
    const grams = (c: number): void => {
      // The n-grams ending at c: c alone, then with 1, 2, 3 characters before it in the same word.
      window[3] = window[2]!;
      window[2] = window[1]!;
      window[1] = window[0]!;
      window[0] = c;
      if (inWindow < 4) inWindow++;
      let h = gramKey;
      for (let size = 1; size <= inWindow && size <= maxGram; size++) {
        h = Math.imul(h ^ window[size - 1]!, FNV_PRIME);
        if (size >= minGram) gramBuckets[g++] = bucket(Math.imul(h ^ size, FNV_PRIME), mask);
      }
    };
    while (i < length) {
      // "key":"value" — a key's hash covers its characters as escaped in the context.
      i = context.indexOf('"', i);
      if (i === -1 || i >= length) break;
      let key = FNV_BASIS;
      for (i++; i < length; i++) {
        let c = context.charCodeAt(i);
        if (c === QUOTE) break;
        if (c === BACKSLASH && i + 1 < length) {
          key = Math.imul(key ^ c, FNV_PRIME);
          c = context.charCodeAt(++i);
        }
        key = Math.imul(key ^ c, FNV_PRIME);
      }
      i = context.indexOf('"', i + 1);
      if (i === -1 || i >= length) break;
      const wanted = fields === undefined || fields.has(key);
      const withGrams = wanted && maxGram > 0 && gramFields.has(key);
      gramKey = Math.imul(key ^ CHAR_GRAMS, FNV_PRIME);
      inWindow = 0;
      let whole = Math.imul(key ^ WHOLE_VALUE, FNV_PRIME);
      let token = 0;
      let kind = 0;
      for (i++; i < length; i++) {
        let c = context.charCodeAt(i);
        if (c === QUOTE) break;
        if (c === BACKSLASH && i + 1 < length) c = context.charCodeAt(++i);
        whole = Math.imul(whole ^ c, FNV_PRIME);
        const k = isWordChar(c) ? WORD : c === 32 ? 0 : SYMBOLS;
        if (k !== kind) {
          if (kind !== 0 && wanted) out[n++] = bucket(token, mask);
          token = Math.imul(key ^ k, FNV_PRIME);
          kind = k;
        }
        token = Math.imul(token ^ c, FNV_PRIME);
        if (withGrams) {
          if (c === 32) {
            if (inWindow > 0) grams(BOUNDARY);
            inWindow = 0;
          } else {
            if (inWindow === 0) grams(BOUNDARY);
            grams(c >= 65 && c <= 90 ? c + 32 : c);
          }
        }
      }
      if (wanted) {
        if (kind !== 0) out[n++] = bucket(token, mask);
        out[n++] = bucket(whole, mask);
        if (withGrams && inWindow > 0) grams(BOUNDARY);
      }
      i++;
    }
    if (split !== undefined) split[0] = n;
    out.set(gramBuckets.subarray(0, g), n);
    return n + g;
  };
}

function keyHash(name: string): number {
  return fnv(FNV_BASIS, JSON.stringify(name).slice(1, -1));
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
}

function fnv(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** An avalanche step: FNV's low bits alone are weak, and the mask keeps only low bits. */
function bucket(h: number, mask: number): number {
  let m = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  m ^= m >>> 13;
  return m & mask;
}
