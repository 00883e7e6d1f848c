import * as crypto from 'node:crypto';

/**
 * The one sampling definition every engine shares (the local engine here, DuckDB and Athena through
 * src/dataset/sql/), stated on bytes so that Node, DuckDB and Trino compute the same values:
 *
 * - An example's **context text** is its context exactly as it stands inside the JSONL line: the UTF-8 bytes of
 *   `JSON.stringify(context)` without the enclosing quotes (the context is itself a JSON object, so its quotes
 *   appear as `\"`). That is the span the line encoder writes between `"context":"` and `","response":`, so a
 *   worker hashes it where it lies. It is the context before any cut to max_input_length (a cut is applied when
 *   the line is written; the cut of a sampled context is not part of its identity).
 * - The **sample key** is `md5(seed ‖ ':' ‖ context text)` as 32 lowercase hex digits (`seed` in decimal). For
 *   `--max-examples N`, each label keeps the `quota` distinct contexts with the smallest keys: a uniform sample
 *   without replacement, in which exact copies (same label, same context) are one example because they share a
 *   key, and which merges exactly across files, chunks and workers.
 * - The **split key** is `md5(seed ‖ ':split:' ‖ group text)`; an example goes to validation when the first 13 hex
 *   digits of it are below `splitThreshold(ratio)`. The group text (groupKey.ts, groupText) is the same for every
 *   near-copy of a request, so a near-copy group is always on one side.
 * - The written order is by sample key (then label, by UTF-8 bytes): labels interleaved in a seeded order.
 *
 * Node compares keys as 52-bit numbers (the first 13 hex digits, exact in a double) and breaks ties on the full
 * digest, which orders them exactly as SQL orders the hex strings.
 */

/** 2^52: the sample keys' numeric range (the first 13 hex digits of the digest). */
export const KEY_SPACE = 2 ** 52;

export function sampleKeyPrefix(seed: number): string {
  return `${seed}:`;
}

export function splitKeyPrefix(seed: number): string {
  return `${seed}:split:`;
}

/** A context (the JSON text the model sees) → its context text as hashed (see above). */
export function contextText(context: string): string {
  return JSON.stringify(context).slice(1, -1);
}

/**
 * One-shot digest (crypto.hash, Node ≥ 20.12) where there is one, a Hash object otherwise. As a latin1 string (one
 * character per byte): a short string is far cheaper for the garbage collector than a Buffer (an ArrayBuffer each)
 * when a build makes one per row.
 */
const oneShot = crypto.hash as typeof crypto.hash | undefined;
function md5Latin1(data: Uint8Array): string {
  // 'binary' is Node's name for latin1 among digest encodings.
  return oneShot ? oneShot('md5', data, 'binary') : crypto.createHash('md5').update(data).digest('binary');
}

export function md5Hex(text: string): string {
  return oneShot ? oneShot('md5', text, 'hex') : crypto.createHash('md5').update(text, 'utf8').digest('hex');
}

/** The reference form of the sample key of a context. */
export function sampleKeyHex(seed: number, context: string): string {
  return md5Hex(sampleKeyPrefix(seed) + contextText(context));
}

/** The first 13 hex digits of a digest as a number: monotone in the digest's hex order. */
export function key52(digest: Uint8Array, offset = 0): number {
  return (
    digest[offset]! * 2 ** 44 +
    digest[offset + 1]! * 2 ** 36 +
    digest[offset + 2]! * 2 ** 28 +
    digest[offset + 3]! * 2 ** 20 +
    digest[offset + 4]! * 2 ** 12 +
    digest[offset + 5]! * 2 ** 4 +
    (digest[offset + 6]! >>> 4)
  );
}

/** key52 of a digest held as a latin1 string (PrefixedMd5). */
export function latin1Key52(d: string): number {
  return (
    d.charCodeAt(0) * 2 ** 44 +
    d.charCodeAt(1) * 2 ** 36 +
    d.charCodeAt(2) * 2 ** 28 +
    d.charCodeAt(3) * 2 ** 20 +
    d.charCodeAt(4) * 2 ** 12 +
    d.charCodeAt(5) * 2 ** 4 +
    (d.charCodeAt(6) >>> 4)
  );
}

export function hexKey52(hex: string): number {
  return parseInt(hex.slice(0, 13), 16);
}

/**
 * Hashes `prefix ‖ bytes[start, end)` in place: the prefix is written over the bytes just before `start` (the end of
 * the line's head, which is at least as long and is always `head`), hashed with the span in one call, and the head
 * written back. One digest call per row and no copy of the row; the few bytes are moved by hand, cheaper than
 * Buffer.copy's native calls at this size.
 */
export class PrefixedMd5 {
  private readonly prefix: Uint8Array;
  private readonly head: Uint8Array;

  constructor(prefix: string, head: string) {
    this.prefix = Buffer.from(prefix, 'utf8');
    const headBytes = Buffer.from(head, 'utf8');
    if (headBytes.length < this.prefix.length) throw new Error('internal: the key prefix is longer than the line head');
    this.head = headBytes.subarray(headBytes.length - this.prefix.length);
  }

  /** The digest of `prefix ‖ bytes[start, end)`, as a latin1 string of 16 characters. */
  digest(bytes: Buffer, start: number, end: number): string {
    const { prefix, head } = this;
    const from = start - prefix.length;
    for (let i = 0; i < prefix.length; i++) bytes[from + i] = prefix[i]!;
    const digest = md5Latin1(bytes.subarray(from, end));
    for (let i = 0; i < head.length; i++) bytes[from + i] = head[i]!;
    return digest;
  }
}

/**
 * The split threshold for a validation ratio in [0, 1): floor(ratio · 2^52), as a number and as 13 lowercase hex
 * digits (which SQL compares as text: fixed-length lowercase hex orders as its value).
 */
export function splitThreshold(ratio: number): { readonly hex: string; readonly value: number } {
  if (!(ratio >= 0 && ratio < 1)) throw new RangeError(`validation ratio must be in [0, 1), got ${ratio}`);
  const value = Math.floor(ratio * KEY_SPACE);
  return { hex: value.toString(16).padStart(13, '0'), value };
}

/** key52 of a group text's split key. */
export function splitKey52(seed: number, groupText: string): number {
  const text = splitKeyPrefix(seed) + groupText;
  return latin1Key52(oneShot ? oneShot('md5', text, 'binary') : crypto.createHash('md5').update(text).digest('binary'));
}

/** Whether a near-copy group goes to validation under `seed` and `ratio`. */
export function isValidationGroup(seed: number, groupText: string, ratio: number): boolean {
  return splitKey52(seed, groupText) < splitThreshold(ratio).value;
}

/** Orders (key hex, label) as SQL's `ORDER BY sample_key, label` does: hex as text, labels by UTF-8 bytes. */
export function compareKeyThenLabel(
  a: { readonly keyHex: string; readonly label: string },
  b: { readonly keyHex: string; readonly label: string },
): number {
  if (a.keyHex !== b.keyHex) return a.keyHex < b.keyHex ? -1 : 1;
  return Buffer.compare(Buffer.from(a.label, 'utf8'), Buffer.from(b.label, 'utf8'));
}
