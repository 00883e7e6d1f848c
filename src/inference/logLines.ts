import { CANONICAL_FIELDS } from '../dataset/examples/example.ts';
import { csvValues, jsonCell, jsonObject, w3cValues } from '../logs/formats/row.ts';

/**
 * Pasted or piped log lines → records, one line at a time, each row's values decoded by the dataset's own row
 * decoding (src/logs/formats/row.ts), so triage reads a row exactly as training did: JSON objects, CloudFront W3C (tab-separated) and CSV rows
 * in the logs' own column order, the inputs triage and `logtune classify` accept. The text is attacker-controlled,
 * so nothing here throws: a line that cannot be read gets an `error` and the next line is read as usual.
 */
export interface LogLine {
  /** 1-based line number in the text given. */
  readonly line: number;
  /** The line as given, cut to its first 2,048 characters (for showing it back, not for parsing). */
  readonly raw: string;
  readonly record?: Readonly<Record<string, string>>;
  readonly error?: string;
}

export interface LogLineOptions {
  /** The logs' own column order (label included), from stats.json; without it CSV rows cannot be read. */
  readonly sourceColumns?: readonly string[];
  readonly sourceFormat?: 'csv' | 'w3c' | 'jsonl';
  /** Lets a CSV (or W3C) row come with or without its label column. */
  readonly labelField?: string;
}

/** CloudFront does not log URLs over 8 KB nor headers over 20 KB; nothing a real line holds is longer than this. */
export const MAX_LINE_CHARS = 32 * 1024;
/** More columns than any CloudFront format has (33 standard + real-time fields + enrichment). */
const MAX_COLUMNS = 256;

const FIELDS_DIRECTIVE = /^#Fields:?[ \t]*/;
const W3C_DIRECTIVE = /^#(?:Version|Software|Date|Start-Date|End-Date|Remark)\b/;

/** Reads lines one after another; a pasted `#Fields:` line names the columns of the W3C lines after it. */
export class LogLineReader {
  private w3cColumns: readonly string[] | undefined;
  private readonly csvColumns: readonly string[] | undefined;
  private readonly csvWithoutLabel: readonly string[] | undefined;
  private readonly standardFirst: boolean;

  constructor(private readonly options: LogLineOptions = {}) {
    const columns = options.sourceColumns;
    this.csvColumns = columns !== undefined && columns.length > 0 ? columns : undefined;
    const label = options.labelField;
    this.csvWithoutLabel =
      label !== undefined && this.csvColumns?.includes(label) ? this.csvColumns.filter((c) => c !== label) : undefined;
    this.standardFirst =
      this.csvColumns !== undefined && CANONICAL_FIELDS.every((name, i) => this.csvColumns![i] === name);
  }

  /** One line (without its line break). Undefined for a blank line, a directive or a header: nothing to classify. */
  read(text: string, line: number): LogLine | undefined {
    try {
      return this.readUnsafe(text, line);
    } catch (error) {
      // Defence in depth: the branches below do not throw, but a bug must not end a triage run.
      return { line, raw: cut(text), error: `could not read the line: ${(error as Error).message}` };
    }
  }

  private readUnsafe(input: string, line: number): LogLine | undefined {
    const text = input.endsWith('\r') ? input.slice(0, -1) : input;
    if (text.trim() === '') return undefined;
    const raw = cut(text);
    if (text.length > MAX_LINE_CHARS) return { line, raw, error: `line is longer than ${MAX_LINE_CHARS} characters` };
    const start = text.trimStart();
    if (FIELDS_DIRECTIVE.test(start)) return this.readFieldsDirective(start, line, raw);
    if (W3C_DIRECTIVE.test(start)) return undefined;
    if (start.startsWith('{')) return readJson(start, line, raw);
    if (text.includes('\t')) return this.readW3c(text, line, raw);
    return this.readCsv(text, line, raw);
  }

  private readFieldsDirective(text: string, line: number, raw: string): LogLine | undefined {
    const names = text
      .replace(FIELDS_DIRECTIVE, '')
      .trim()
      .split(/\s+/)
      .filter((n) => n !== '');
    const problem = headerProblem(names);
    if (problem !== undefined) {
      this.w3cColumns = undefined;
      return { line, raw, error: `#Fields line ignored: ${problem}` };
    }
    this.w3cColumns = names;
    return undefined;
  }

  private readW3c(text: string, line: number, raw: string): LogLine {
    const values = w3cValues(text);
    const columns = this.w3cColumnsFor(values.length);
    if (columns === undefined) {
      const expected =
        this.w3cColumns !== undefined
          ? `the pasted #Fields line names ${this.w3cColumns.length}`
          : `a CloudFront standard log line has ${CANONICAL_FIELDS.length} (paste its #Fields line first for other layouts)`;
      return { line, raw, error: `${values.length} tab-separated fields, but ${expected}` };
    }
    return { line, raw, record: recordOf(columns, values) };
  }

  private w3cColumnsFor(count: number): readonly string[] | undefined {
    if (this.w3cColumns !== undefined) return this.w3cColumns.length === count ? this.w3cColumns : undefined;
    if (count === CANONICAL_FIELDS.length) return CANONICAL_FIELDS;
    // A dataset built from W3C files knows its own #Fields, label column included or not; so does one whose columns
    // are CloudFront's standard ones followed by extras (enrichment, the label), whatever file format carried them.
    if (this.options.sourceFormat === 'w3c' || this.standardFirst) return this.sourceColumnsFor(count);
    return undefined;
  }

  private sourceColumnsFor(count: number): readonly string[] | undefined {
    if (this.csvColumns?.length === count) return this.csvColumns;
    if (this.csvWithoutLabel?.length === count) return this.csvWithoutLabel;
    return undefined;
  }

  private readCsv(text: string, line: number, raw: string): LogLine | undefined {
    if (this.csvColumns === undefined) {
      return { line, raw, error: 'not JSON or tab-separated, and this dataset does not record its CSV column order' };
    }
    const parsed = csvValues(text);
    if ('error' in parsed) return { line, raw, error: parsed.error };
    const values = parsed.values;
    if (
      sameNames(values, this.csvColumns) ||
      (this.csvWithoutLabel !== undefined && sameNames(values, this.csvWithoutLabel))
    )
      return undefined;
    const columns = this.sourceColumnsFor(values.length);
    if (columns === undefined) {
      const withLabel = this.csvWithoutLabel !== undefined ? ` (${this.csvWithoutLabel.length} without the label)` : '';
      return {
        line,
        raw,
        error: `${values.length} comma-separated fields, but the logs have ${this.csvColumns.length}${withLabel}`,
      };
    }
    return { line, raw, record: recordOf(columns, values) };
  }
}

/** Every non-blank line of a text, read in order with one reader (so `#Fields` lines apply to the lines after them). */
export function readLogLines(text: string, options: LogLineOptions = {}): LogLine[] {
  const reader = new LogLineReader(options);
  const out: LogLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const entry = reader.read(lines[i]!, i + 1);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}

function readJson(text: string, line: number, raw: string): LogLine {
  const parsed = jsonObject(text);
  if ('error' in parsed)
    return {
      line,
      raw,
      error: parsed.error === 'invalid' ? 'starts with "{" but is not valid JSON' : 'JSON, but not an object',
    };
  const entries = Object.entries(parsed.value);
  if (entries.length > MAX_COLUMNS) return { line, raw, error: `more than ${MAX_COLUMNS} fields` };
  // fromEntries defines own properties: a "__proto__" key stays a field instead of changing the prototype.
  return { line, raw, record: Object.fromEntries(entries.map(([k, v]) => [k, jsonCell(v)])) };
}

function recordOf(columns: readonly string[], values: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!;
    // Assigning "__proto__" would change the prototype: fromEntries defines it as a field instead.
    if (name === '__proto__') return Object.fromEntries(columns.map((n, j) => [n, values[j]!]));
    record[name] = values[i]!;
  }
  return record;
}

function headerProblem(names: readonly string[]): string | undefined {
  if (names.length === 0) return 'it names no field';
  if (names.length > MAX_COLUMNS) return `more than ${MAX_COLUMNS} fields`;
  if (new Set(names).size !== names.length) return 'it repeats a field name';
  return undefined;
}

function sameNames(values: readonly string[], names: readonly string[]): boolean {
  return values.length === names.length && values.every((v, i) => v.trim() === names[i]);
}

const RAW_CHARS = 2048;

function cut(text: string): string {
  return text.length > RAW_CHARS ? `${text.slice(0, RAW_CHARS)}…` : text;
}
