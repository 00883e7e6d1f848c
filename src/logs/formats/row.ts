import Papa from 'papaparse';

/**
 * How one row's values are decoded, for every format: the dataset's file parsers (w3c.ts, jsonl.ts, csv.ts) and
 * the reader of pasted or piped lines (src/inference/logLines.ts) both use these, so a row pasted into triage becomes
 * exactly the values the same row had when it became a training example.
 */

/** The value CloudFront itself writes for a missing field, so absent and null keys look the same downstream. */
export const MISSING = '-';

/**
 * A W3C data line (no line break) → its values: TAB-separated, a trailing TAB some writers add dropped when
 * `expected` says there is one too many, each value URL-decoded as CloudFront encodes it (RFC 1738). A malformed
 * escape such as `%zz` is kept verbatim: still useful model input, and dropping the row would bias the dataset.
 */
export function w3cValues(line: string, expected?: number): string[] {
  const values = line.split('\t');
  const extra = expected === undefined ? values.length > 1 : values.length === expected + 1;
  if (extra && values[values.length - 1] === '') values.pop();
  // Most lines have no escapes at all, so one scan of the line saves a scan per field.
  if (line.includes('%')) urlDecodeInPlace(values);
  return values;
}

function urlDecodeInPlace(values: string[]): void {
  for (let j = 0; j < values.length; j++) {
    const value = values[j]!;
    if (!value.includes('%')) continue;
    try {
      values[j] = decodeURIComponent(value);
    } catch {
      // keep the raw value
    }
  }
}

/** A JSON value as a cell: strings as they are, null as missing, objects as their JSON, the rest as text. */
export function jsonCell(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One JSON line → its object, or why not. */
export function jsonObject(
  line: string,
): { value: Record<string, unknown> } | { error: 'invalid' | 'not_object'; detail: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { error: 'invalid', detail: error instanceof Error ? error.message : String(error) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not_object', detail: '' };
  return { value: value as Record<string, unknown> };
}

/** One CSV line (RFC 4180 quoting) → its values, as the file parser splits rows (csv.ts). */
export function csvValues(text: string): { values: string[] } | { error: string } {
  // Without a quote character RFC 4180 reduces to a native split, which is also what csv.ts does.
  if (!text.includes('"')) return { values: text.split(',') };
  const result = Papa.parse<string[]>(text, { delimiter: ',', newline: '\n', header: false });
  const error = result.errors[0];
  if (error !== undefined) return { error: `CSV quoting is broken: ${error.message}` };
  if (result.data.length !== 1) return { error: 'not one CSV row' };
  return { values: result.data[0]! };
}
