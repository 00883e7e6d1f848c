import { assertUsableHeader, type RowVisitor } from './columns.ts';
import { BadFileError } from './errors.ts';
import { jsonCell, jsonObject, MISSING } from './row.ts';

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
      row[at] = jsonCell(record[key]);
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
  const parsed = jsonObject(line);
  if ('value' in parsed) return parsed.value;
  throw new BadFileError(
    'invalid_json',
    parsed.error === 'invalid'
      ? `line ${lineNumber} is not valid JSON: ${parsed.detail}`
      : `line ${lineNumber} is JSON but not an object`,
  );
}
