import Papa from 'papaparse';
import { assertUsableHeader, type RowVisitor } from './columns.ts';
import { BadFileError } from './errors.ts';

/** CSV with a header row (RFC 4180 quoting, CRLF or LF). `text` must start at the header line. */
export function parseCsv(text: string, visitor: RowVisitor): void {
  let columns: string[] | undefined;
  let dataRow = 0;
  // A line of spaces is one blank field; at the end of a file it is tolerated, anywhere else it is a bad row.
  let blankAt = 0;
  const take = (values: string[]) => {
    if (columns === undefined) {
      columns = values;
      assertUsableHeader(columns, 'CSV header');
      visitor.columns(columns);
      return;
    }
    dataRow++;
    if (values.length === 1 && values[0]!.trim() === '') {
      blankAt ||= dataRow;
      return;
    }
    if (blankAt !== 0) throw fieldCount(blankAt, 1, columns.length);
    if (values.length !== columns.length) throw fieldCount(dataRow, values.length, columns.length);
    visitor.row(values);
  };
  // A quoting error comes with the row it is found in: the next one after those taken.
  const broken = (message: string): never => {
    const where = columns === undefined ? 'the header' : `data row ${dataRow + 1}`;
    throw new BadFileError('field_count', `CSV quoting is broken in ${where}: ${message}`);
  };
  splitRows(text, { take, broken });
  if (columns === undefined) assertUsableHeader([], 'CSV header');
}

interface RowSink {
  take(values: string[]): void;
  broken(message: string): never;
}

function fieldCount(row: number, found: number, expected: number): BadFileError {
  return new BadFileError('field_count', `row ${row} has ${found} fields, the header has ${expected}`);
}

function splitRows(text: string, sink: RowSink): void {
  const newline = lineEnding(text);
  // Without a quote character RFC 4180 reduces to two native splits. Papaparse has the same fast path, but
  // measured ~2.5x slower than this under tsx's module loader (GC-bound); with quotes it is the parser.
  if (!text.includes('"')) {
    for (const line of text.split(newline)) if (line.length > 0) sink.take(line.split(','));
    return;
  }
  const parser = parserFor(newline);
  current = sink;
  try {
    parser.parse(text, 0, false);
  } finally {
    current = undefined;
  }
}

/** Where the file being parsed hands its rows; the parsers below are shared, and parsing is synchronous. */
let current: RowSink | undefined;

/**
 * Papaparse's core parser (`Papa.Parser`, what `Papa.parse` runs underneath), one per line ending and kept for the
 * process. `Papa.parse` builds new parser closures for every file, and V8 compiled its parse loop again and again
 * (14 times in one bench build, ~40 ms of compiler time each); one long-lived parser is compiled once.
 * What `Papa.parse` adds on top is done here: the step result holds one row, and empty lines are skipped
 * (`skipEmptyLines: true`).
 * The delimiter is fixed: papaparse's guesser can pick ';' or '|' from User-Agent strings. The line ending is given
 * too, because its own guess strips quoted sections with a regex first (~25% of the parse).
 */
const parsers = new Map<string, Papa.Parser>();

function parserFor(newline: '\n' | '\r\n' | '\r'): Papa.Parser {
  let parser = parsers.get(newline);
  if (parser === undefined) {
    parser = new Papa.Parser({
      delimiter: ',',
      newline,
      step: (result: Papa.ParseStepResult<string[][]>) => {
        // Papaparse's own row index is 0 in step mode; the file's row number is ours.
        const error = result.errors[0];
        if (error !== undefined) current!.broken(error.message);
        const row = result.data[0];
        if (row === undefined || (row.length === 1 && row[0]!.length === 0)) return;
        current!.take(row);
      },
    });
    parsers.set(newline, parser);
  }
  return parser;
}

/** The first line's ending decides for the whole file, as in papaparse; a header never holds a line break. */
function lineEnding(text: string): '\n' | '\r\n' | '\r' {
  const lf = text.indexOf('\n');
  if (lf === -1) return text.includes('\r') ? '\r' : '\n';
  return lf > 0 && text.charCodeAt(lf - 1) === 13 ? '\r\n' : '\n';
}
