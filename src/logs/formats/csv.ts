import Papa from 'papaparse';
import { assertUsableHeader, type Table } from './columns.ts';
import { BadFileError } from './errors.ts';

/** CSV with a header row (RFC 4180 quoting, CRLF or LF). `text` must start at the header line. */
export function parseCsv(text: string): Table {
  const rows = splitRows(text);
  // A trailing line of spaces would otherwise count as a one-field row.
  while (rows.length > 1 && isBlankRow(rows[rows.length - 1]!)) rows.pop();
  const columns = rows.shift() ?? [];
  assertUsableHeader(columns, 'CSV header');
  for (let i = 0; i < rows.length; i++) {
    const length = rows[i]!.length;
    if (length !== columns.length) {
      throw new BadFileError('field_count', `row ${i + 1} has ${length} fields, the header has ${columns.length}`);
    }
  }
  return { columns, rows };
}

function splitRows(text: string): string[][] {
  const newline = lineEnding(text);
  // Without a quote character RFC 4180 reduces to two native splits. Papaparse has the same fast path, but
  // measured ~2.5x slower than this under tsx's module loader (GC-bound); with quotes it is the parser.
  if (!text.includes('"')) {
    const rows: string[][] = [];
    for (const line of text.split(newline)) if (line.length > 0) rows.push(line.split(','));
    return rows;
  }
  // The delimiter is fixed: papaparse's guesser can pick ';' or '|' from User-Agent strings. The line ending
  // is given too, because its own guess strips quoted sections with a regex first (~25% of the parse).
  const result = Papa.parse<string[]>(text, { header: false, delimiter: ',', newline, skipEmptyLines: true });
  const error = result.errors[0];
  if (error !== undefined) {
    // Papaparse counts rows from 0 with the header at 0, so its index is the 1-based data row number.
    const where = error.row === undefined ? '' : ` near row ${error.row}`;
    throw new BadFileError('field_count', `CSV quoting is broken${where}: ${error.message}`);
  }
  return result.data;
}

/** The first line's ending decides for the whole file, as in papaparse; a header never holds a line break. */
function lineEnding(text: string): '\n' | '\r\n' | '\r' {
  const lf = text.indexOf('\n');
  if (lf === -1) return text.includes('\r') ? '\r' : '\n';
  return lf > 0 && text.charCodeAt(lf - 1) === 13 ? '\r\n' : '\n';
}

function isBlankRow(row: readonly string[]): boolean {
  return row.length === 1 && row[0]!.trim() === '';
}
