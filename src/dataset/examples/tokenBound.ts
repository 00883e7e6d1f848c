/**
 * A cheap upper bound on the Llama 2 tokens of a context, computed where the tokenizer is not loaded (the parse
 * workers): only an example whose bound exceeds its budget is counted exactly, on the main thread.
 *
 * Why it never counts short (so an example judged to fit always fits):
 * - Before merging, every ASCII character is one symbol, and any other character at most its UTF-8 bytes (byte
 *   fallback); BPE only ever merges, so the symbol count is an upper bound.
 * - Llama 2's BPE (llama-tokenizer-js: merges by priority until no adjacent pair has a merge rule) stops only when no
 *   two neighbouring tokens can merge. So for every pair of adjacent ASCII characters that has a merge rule, at least
 *   one of the two ends up inside a token of two or more characters: the characters in such tokens cover those pairs.
 *   A token of L ≥ 2 characters removes L − 1 ≥ L/2 symbols, so merging removes at least half of the fewest
 *   characters that cover every mergeable pair (on a chain of r such pairs, ⌈r/2⌉), rounded up.
 * Digits never merge in Llama 2 and byte-fallback characters are not credited with any merge, which only loosens it.
 */
export const MERGE_SLOTS = 128;

/** The trainer may append an end-of-sequence token (not confirmed): reserving it errs on the short side. */
export const END_OF_SEQUENCE_TOKENS = 1;
/** SentencePiece's '▁' (the tokenizer's space) takes the slot of DEL, which no context holds unescaped. */
export const SPACE_SLOT = 0x7f;

function slotOf(code: number): number {
  return code === 0x20 ? SPACE_SLOT : code < 0x7f ? code : -1;
}

/** Counts over a character stream: symbols, and the cover of chains of mergeable pairs. */
class BoundCounter {
  private symbols = 0;
  private cover = 0;
  private chain = 0;
  private previous = -1;

  constructor(private readonly merges: Uint8Array) {}

  ascii(code: number): void {
    const slot = slotOf(code);
    this.symbols++;
    if (slot !== -1 && this.previous !== -1 && this.merges[this.previous * MERGE_SLOTS + slot] === 1) this.chain++;
    else this.endChain();
    this.previous = slot;
  }

  /** A character the bound credits with no merge: `bytes` symbols at most. */
  other(bytes: number): void {
    this.symbols += bytes;
    this.endChain();
    this.previous = -1;
  }

  private endChain(): void {
    this.cover += Math.ceil(this.chain / 2);
    this.chain = 0;
  }

  total(): number {
    this.endChain();
    return this.symbols - Math.ceil(this.cover / 2);
  }
}

/**
 * The bound for a context as it stands inside a JSONL line (`bytes[start, end)`, JSON-escaped once more). The hot
 * path of a build: one loop with BoundCounter's arithmetic inlined (⌈x/2⌉ as (x + 1) >> 1), no calls per byte.
 */
export function contextTokenBound(bytes: Uint8Array, start: number, end: number, merges: Uint8Array): number {
  let symbols = 0;
  let cover = 0;
  let chain = 0;
  let previous = -1;
  for (let i = start; i < end; i++) {
    let b = bytes[i]!;
    if (b === 0x5c && i + 1 < end) {
      b = bytes[++i]!;
      // `\uXXXX` in the line stands for one character (a lone surrogate): 3 bytes once encoded.
      if (b === 0x75) {
        symbols += 3;
        cover += (chain + 1) >> 1;
        chain = 0;
        previous = -1;
        i += 4;
        continue;
      }
    }
    symbols++;
    const slot = b === 0x20 ? SPACE_SLOT : b < 0x7f ? b : -1;
    if (slot !== -1 && previous !== -1 && merges[previous * MERGE_SLOTS + slot] === 1) chain++;
    else {
      cover += (chain + 1) >> 1;
      chain = 0;
    }
    previous = slot;
  }
  cover += (chain + 1) >> 1;
  return symbols - ((cover + 1) >> 1);
}

/** The bound for a plain string (a label's answer and the marker before it). */
export function textTokenBound(text: string, merges: Uint8Array): number {
  const counter = new BoundCounter(merges);
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) counter.ascii(code);
    else counter.other(Buffer.byteLength(char));
  }
  return counter.total();
}
