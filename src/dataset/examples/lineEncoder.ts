import { LINE_HEAD, lineTail, type ContextPlan } from './example.ts';

/**
 * Writes `exampleLine(renderContext(row, plan), responseJson)` plus '\n' straight into a byte buffer: no string is
 * built per row. This is the hot loop of a build; tests hold it to the reference form.
 *
 * - The fixed parts of a line (its head, each `\"key\":\"` with the separator before it, its tail) are over half of
 *   its bytes. They are prepared once as 32-bit words and stored four bytes at a time, which measured ~30% faster
 *   than byte by byte. A store may run up to 3 bytes past the part; what follows overwrites them, and `maxBytes`
 *   leaves room for them at the end.
 * - Values are copied byte by byte while they are plain ASCII that JSON does not escape (almost every log value);
 *   anything else falls back to JSON.stringify twice (the context is a JSON string inside a JSON line).
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
// Control characters, quote, backslash and surrogates need JSON escaping (surrogates when lone).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const WORD_SLACK = 3;
/** 1 for the ASCII characters JSON writes as they are (twice over: the context is a string inside the line). */
const PLAIN = new Uint8Array(0x80);
for (let c = 0x20; c < 0x80; c++) if (c !== QUOTE && c !== BACKSLASH) PLAIN[c] = 1;

/** A fixed byte string as whole little-endian 32-bit words (the last one zero-padded), plus its true length. */
export class FixedBytes {
  readonly words: Int32Array;
  readonly length: number;

  constructor(text: string) {
    const bytes = Buffer.from(text);
    this.length = bytes.length;
    this.words = new Int32Array(Math.ceil(bytes.length / 4));
    const view = new DataView(this.words.buffer);
    for (let i = 0; i < bytes.length; i++) view.setUint8(i, bytes[i]!);
    // The words were filled through a DataView in memory order; read them back little-endian for setInt32(…, true).
    for (let w = 0; w < this.words.length; w++) this.words[w] = view.getInt32(w * 4, true);
  }
}

const HEAD = new FixedBytes(`${LINE_HEAD}{`);
const CONTEXT_END = new FixedBytes('}');
const CONTEXT_END_AFTER_VALUE = new FixedBytes('\\"}');

export class LineEncoder {
  /** `\"key\":\"` for a field written first, and `\",\"key\":\"` (closing the previous value) otherwise. */
  private readonly firstKeys: readonly FixedBytes[];
  private readonly nextKeys: readonly FixedBytes[];
  private view: DataView | undefined;
  private viewOf: Uint8Array | undefined;

  constructor(private readonly plan: ContextPlan) {
    this.firstKeys = plan.lineKeys.map((key) => new FixedBytes(`${key}\\"`));
    this.nextKeys = plan.lineKeys.map((key) => new FixedBytes(`\\",${key}\\"`));
  }

  /** The bytes that close a line of this label after its context's `}`: `","response":…}` + '\n'. */
  static tail(responseJson: string): FixedBytes {
    return new FixedBytes(`${lineTail(responseJson)}\n`);
  }

  /** Upper bound of the bytes `write` needs for this row: at most 7 bytes per UTF-16 unit of a value (`\\u0000`). */
  maxBytes(row: readonly string[], tail: FixedBytes): number {
    let total = HEAD.length + CONTEXT_END_AFTER_VALUE.length + tail.length + WORD_SLACK;
    for (let i = 0; i < this.plan.indexes.length; i++) {
      total += this.nextKeys[i]!.length + 7 * (row[this.plan.indexes[i]!]?.length ?? 1);
    }
    return total;
  }

  /** Writes the line at `offset` (room for `maxBytes` is the caller's job); returns the offset after it. */
  write(row: readonly string[], tail: FixedBytes, out: Uint8Array, offset: number): number {
    if (out !== this.viewOf) {
      this.view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      this.viewOf = out;
    }
    const view = this.view!;
    let pos = storeWords(view, HEAD, offset);
    let first = true;
    const { indexes, skipDashes } = this.plan;
    for (let i = 0; i < indexes.length; i++) {
      const value = row[indexes[i]!] ?? '-';
      if (skipDashes && (value === '-' || value === '')) continue;
      pos = storeWords(view, first ? this.firstKeys[i]! : this.nextKeys[i]!, pos);
      first = false;
      const start = pos;
      let plain = true;
      const n = value.length;
      for (let c = 0; c < n; c++) {
        const code = value.charCodeAt(c);
        if (code >= 0x80 || PLAIN[code] === 0) {
          plain = false;
          break;
        }
        out[pos++] = code;
      }
      if (!plain) pos = start + writeEscaped(value, out, start);
    }
    pos = storeWords(view, first ? CONTEXT_END : CONTEXT_END_AFTER_VALUE, pos);
    return storeWords(view, tail, pos);
  }
}

function storeWords(view: DataView, bytes: FixedBytes, pos: number): number {
  const { words } = bytes;
  for (let w = 0; w < words.length; w++) view.setInt32(pos + 4 * w, words[w]!, true);
  return pos + bytes.length;
}

function writeEscaped(value: string, out: Uint8Array, pos: number): number {
  const buffer = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  return NEEDS_ESCAPE.test(value)
    ? buffer.write(JSON.stringify(JSON.stringify(value)).slice(3, -3), pos)
    : buffer.write(value, pos);
}

/** One line as a string (without its newline), through the same encoder: for tests and one-off use. */
export function encodeLine(row: readonly string[], plan: ContextPlan, responseJson: string): string {
  const encoder = new LineEncoder(plan);
  const tail = LineEncoder.tail(responseJson);
  const out = Buffer.alloc(encoder.maxBytes(row, tail));
  const end = encoder.write(row, tail, out, 0);
  return out.toString('utf8', 0, end - 1);
}
