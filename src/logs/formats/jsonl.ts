import { assertUsableHeader, type RowVisitor } from './columns.ts';
import { BadFileError } from './errors.ts';

/** The value CloudFront itself writes for a missing field, so absent and null keys look the same downstream. */
const MISSING = '-';

/**
 * CloudFront v2 `json` output: one object per line; columns are the union of keys in first-seen order, so they are
 * only known at the end and rows are handed over then.
 */
export function parseJsonLines(text: string, visitor: RowVisitor): void {
  const index = new Map<string, number>();
  const columns: string[] = [];
  const rows: string[][] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) continue;
    const record = parseObject(line, i + 1);
    const row = new Array<string>(columns.length).fill(MISSING);
    for (const key in record) {
      let at = index.get(key);
      if (at === undefined) {
        at = columns.push(key) - 1;
        index.set(key, at);
      }
      row[at] = toCell(record[key]);
    }
    rows.push(row);
  }
  // Rows read before a key first appeared are shorter than the final header.
  for (const row of rows) while (row.length < columns.length) row.push(MISSING);
  assertUsableHeader(columns, 'JSON keys');
  visitor.columns(columns);
  for (const row of rows) visitor.row(row);
}

function parseObject(line: string, lineNumber: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new BadFileError('invalid_json', `line ${lineNumber} is not valid JSON: ${detail}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadFileError('invalid_json', `line ${lineNumber} is JSON but not an object`);
  }
  return value as Record<string, unknown>;
}

function toCell(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
