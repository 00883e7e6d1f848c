import { LINE_HEAD, lineTail, type ContextPlan } from './example.ts';

/**
 * Writes `exampleLine(renderContext(row, plan), responseJson)` plus '\n' straight into a byte buffer: no string is
 * built per row. Values are copied byte by byte while they are plain ASCII that JSON does not escape (almost every
 * log value); anything else falls back to JSON.stringify twice (the context is a JSON string inside a JSON line).
 * This is the hot loop of a build; tests hold it to the reference form.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEAD = Buffer.from(`${LINE_HEAD}{`);
// Control characters, quote, backslash and surrogates need JSON escaping (surrogates when lone).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export class LineEncoder {
  private readonly keys: readonly Buffer[];

  constructor(private readonly plan: ContextPlan) {
    this.keys = plan.lineKeys.map((key) => Buffer.from(key));
  }

  /** The bytes that close a line of this label: `}` + `","response":…}` + '\n'. */
  static tail(responseJson: string): Buffer {
    return Buffer.from(`}${lineTail(responseJson)}\n`);
  }

  /** Upper bound of the bytes `write` needs for this row: at most 7 bytes per UTF-16 unit of a value (`\\u0000`). */
  maxBytes(row: readonly string[], tail: Buffer): number {
    let total = HEAD.length + tail.length;
    for (let i = 0; i < this.plan.indexes.length; i++) {
      total += this.keys[i]!.length + 5 + 7 * (row[this.plan.indexes[i]!]?.length ?? 1);
    }
    return total;
  }

  /** Writes the line at `offset` (room for `maxBytes` is the caller's job); returns the offset after it. */
  write(row: readonly string[], tail: Buffer, out: Buffer, offset: number): number {
    let pos = offset + HEAD.copy(out, offset);
    let first = true;
    const { indexes, skipDashes } = this.plan;
    for (let i = 0; i < indexes.length; i++) {
      const value = row[indexes[i]!] ?? '-';
      if (skipDashes && (value === '-' || value === '')) continue;
      if (!first) out[pos++] = 0x2c; // ,
      first = false;
      const key = this.keys[i]!;
      for (let k = 0; k < key.length; k++) out[pos++] = key[k]!;
      out[pos++] = BACKSLASH;
      out[pos++] = QUOTE;
      const start = pos;
      let plain = true;
      for (let c = 0; c < value.length; c++) {
        const code = value.charCodeAt(c);
        if (code < 0x20 || code >= 0x80 || code === QUOTE || code === BACKSLASH) {
          plain = false;
          break;
        }
        out[pos++] = code;
      }
      if (!plain) {
        pos = start;
        pos += NEEDS_ESCAPE.test(value)
          ? out.write(JSON.stringify(JSON.stringify(value)).slice(3, -3), pos)
          : out.write(value, pos);
      }
      out[pos++] = BACKSLASH;
      out[pos++] = QUOTE;
    }
    return pos + tail.copy(out, pos);
  }
}

/** One line as a string (without its newline), through the same encoder: for tests and one-off use. */
export function encodeLine(row: readonly string[], plan: ContextPlan, responseJson: string): string {
  const encoder = new LineEncoder(plan);
  const tail = LineEncoder.tail(responseJson);
  const out = Buffer.alloc(encoder.maxBytes(row, tail));
  const end = encoder.write(row, tail, out, 0);
  return out.toString('utf8', 0, end - 1);
}
