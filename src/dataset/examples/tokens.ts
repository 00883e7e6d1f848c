import llamaTokenizer from 'llama-tokenizer-js';
import { INSTRUCTION, RESPONSE_DEMARCATION, TEMPLATE, responseFor } from './example.ts';
import { MERGE_SLOTS, SPACE_SLOT } from './tokenBound.ts';

/**
 * Llama 2 token counts (the real SentencePiece vocabulary, via llama-tokenizer-js) of whole training sequences:
 * prompt + demarcation + completion. Llama 2 encodes '\n' as a byte token that never merges with its neighbours, so
 * the sequence splits exactly at the newlines around the context: the fixed parts are counted once, and only the
 * context (the expensive part) is tokenized per example. A test checks this equals tokenizing the whole text.
 */
const promptHead = TEMPLATE.prompt.replace('{instruction}', () => INSTRUCTION).split('{context}')[0]!;
const headTokens = llamaTokenizer.encode(promptHead).length; // with BOS and SentencePiece's leading space

/** Tokens of the prompt before the context (BOS included): the same for every example. */
export const PROMPT_HEAD_TOKENS = headTokens;
const tailTokens = new Map<string, number>();

/**
 * BPE only ever merges neighbours into a vocabulary token, so a merge can never span two adjacent characters that
 * no vocabulary token contains side by side. Text cut at such places tokenizes to exactly the concatenation of its
 * pieces. Contexts cut that way are mostly short, repeated pieces (`":"`, field names, common values), so counts
 * are cached per piece: ~10x faster than tokenizing whole contexts, with identical results (tested).
 */
const SPACE = 0x2581; // SentencePiece's '▁', which stands for ' ' in vocabulary strings
const adjacentInVocabulary = new Set<number>();
// The same for pairs of ASCII characters (space as '▁' mapped to slot 0x7f, which no context contains unescaped),
// as a flat table: almost every pair in a log context is one, and a table read is several times cheaper than a lookup.
const ASCII_SPACE_SLOT = 0x7f;
const adjacentAscii = new Uint8Array(128 * 128);
const asciiSlot = (code: number): number =>
  code === SPACE ? ASCII_SPACE_SLOT : code < 0x7f && code !== 0x20 ? code : -1;
for (const token of llamaTokenizer.vocabById) {
  for (let i = 1; i < token.length; i++) {
    const a = token.charCodeAt(i - 1);
    const b = token.charCodeAt(i);
    adjacentInVocabulary.add(a * 0x10000 + b);
    const sa = asciiSlot(a);
    const sb = asciiSlot(b);
    if (sa !== -1 && sb !== -1) adjacentAscii[sa * 128 + sb] = 1;
  }
}
const pieceTokens = new Map<string, number>();
const MAX_CACHED_PIECES = 200_000;

function vocabularyChar(code: number): number {
  return code === 0x20 ? SPACE : code;
}

function countPiece(piece: string): number {
  let count = pieceTokens.get(piece);
  if (count === undefined) {
    count = llamaTokenizer.encode(piece, false, false).length;
    if (pieceTokens.size >= MAX_CACHED_PIECES) pieceTokens.clear();
    pieceTokens.set(piece, count);
  }
  return count;
}

/** Whether the vocabulary has a token with these two (vocabulary) characters side by side. */
function adjacent(previous: number, current: number): boolean {
  const sa = asciiSlot(previous);
  const sb = asciiSlot(current);
  if (sa !== -1 && sb !== -1) return adjacentAscii[sa * 128 + sb] === 1;
  return adjacentInVocabulary.has(previous * 0x10000 + current);
}

/** Tokens of a context as it stands inside a prompt (no BOS, no leading space of its own). */
export function countContextTokens(context: string): number {
  let total = 0;
  let start = 0;
  let previous = vocabularyChar(context.charCodeAt(0));
  for (let i = 1; i < context.length; i++) {
    const code = context.charCodeAt(i);
    const current = vocabularyChar(code);
    // Never between the halves of a surrogate pair: a half alone would be a different character.
    const lowSurrogate = code >= 0xdc00 && code <= 0xdfff;
    if (!lowSurrogate && !adjacent(previous, current)) {
      total += countPiece(context.slice(start, i));
      start = i;
    }
    previous = current;
  }
  return context.length === 0 ? 0 : total + countPiece(context.slice(start));
}

/** Tokens of everything but the context for an example with this label. */
export function fixedTokens(label: string): number {
  let tail = tailTokens.get(label);
  if (tail === undefined) {
    const completion = TEMPLATE.completion.replace('{response}', () => responseFor(label));
    tail = llamaTokenizer.encode(RESPONSE_DEMARCATION + completion, false, false).length;
    tailTokens.set(label, tail);
  }
  return headTokens + tail;
}

/** Tokenizes the whole sequence in one go; the reference the split counting is checked against. */
export function countSequenceTokens(context: string, label: string): number {
  const prompt = TEMPLATE.prompt.replace('{instruction}', () => INSTRUCTION).replace('{context}', () => context);
  const completion = TEMPLATE.completion.replace('{response}', () => responseFor(label));
  return llamaTokenizer.encode(prompt + RESPONSE_DEMARCATION + completion).length;
}

let mergeTable: Uint8Array | undefined;

/**
 * 1 where two ASCII characters (space as '▁' in SPACE_SLOT) have a BPE merge rule of their own: what the workers'
 * token bound (tokenBound.ts) needs of the vocabulary, 16 KB sent once instead of the tokenizer.
 */
export function asciiMergeTable(): Uint8Array {
  if (mergeTable !== undefined) return mergeTable;
  const table = new Uint8Array(MERGE_SLOTS * MERGE_SLOTS);
  const idOf = (slot: number) =>
    llamaTokenizer.vocabByString.get(slot === SPACE_SLOT ? String.fromCharCode(SPACE) : String.fromCharCode(slot));
  for (let a = 0; a < MERGE_SLOTS; a++) {
    const first = idOf(a);
    if (first === undefined) continue;
    for (let b = 0; b < MERGE_SLOTS; b++) {
      const second = idOf(b);
      if (second === undefined) continue;
      const key = `${llamaTokenizer.vocabById[first]} ${llamaTokenizer.vocabById[second]}`;
      if (llamaTokenizer.merges.has(key)) table[a * MERGE_SLOTS + b] = 1;
    }
  }
  mergeTable = table;
  return table;
}
