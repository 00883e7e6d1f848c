import { sqlString, type SqlDialect } from './dialect.ts';
import type { SqlSource } from './template.ts';

/**
 * DuckDB's source relation over local log files (the CI check and the bench run the template on it): each format's
 * files read with the options that give the local parser's values (src/logs/formats/), then put together by name,
 * a field a file lacks being NULL.
 *
 * - `csv` (the seed's layout, `.csv` or `.csv.gz`): a header row, RFC 4180 quoting; an empty cell is '' (DuckDB
 *   reads it as NULL).
 * - `w3c` (CloudFront standard logs, `.gz`): TAB-separated, `#` lines skipped, the `#Fields` names given as
 *   `columns`, no quoting, each value URL-decoded.
 * - `jsonl` (CloudFront v2 JSON): one object per line, a JSON null or missing key NULL. String values only: a
 *   number is read as DuckDB writes it, which is not always as JavaScript does.
 */
export interface DuckdbFiles {
  readonly format: 'csv' | 'w3c' | 'jsonl';
  readonly paths: readonly string[];
  /** The fields these files hold, in their own order (the CSV header, the `#Fields` line, the JSON keys). */
  readonly columns: readonly string[];
}

export interface DuckdbSourceOptions {
  /** A regular expression with the year, month and day as its three groups, matched on the path. */
  readonly fileDayPattern?: string;
  /** The path as a file is known in stats (e.g. relative to the logs' root): a SQL expression over `filename`. */
  readonly fileName?: (filename: string) => string;
}

const DEFAULT_DAY = '(\\d{4})/(\\d{2})/(\\d{2})/[^/]*$';

function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function list(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}

function columnsStruct(columns: readonly string[]): string {
  return `{${columns.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ')}}`;
}

function relation(d: SqlDialect, group: DuckdbFiles): string {
  const cells = (value: (column: string) => string) =>
    group.columns.map((c) => `${value(identifier(c))} AS ${identifier(c)}`).join(', ');
  switch (group.format) {
    case 'csv':
      return `SELECT filename, ${cells((c) => `COALESCE(${c}, '')`)} FROM read_csv(${list(group.paths)}, header = true, delim = ',', quote = '"', escape = '"', all_varchar = true, union_by_name = true, filename = true)`;
    case 'w3c':
      return `SELECT filename, ${cells((c) => `CASE WHEN ${c} IS NULL THEN '' WHEN contains(${c}, '%') THEN ${d.urlDecode(c)} ELSE ${c} END`)} FROM read_csv(${list(group.paths)}, header = false, delim = '\t', quote = '', escape = '', comment = '#', auto_detect = false, columns = ${columnsStruct(group.columns)}, filename = true)`;
    case 'jsonl':
      return `SELECT filename, ${cells((c) => c)} FROM read_json(${list(group.paths)}, format = 'newline_delimited', columns = ${columnsStruct(group.columns)}, filename = true)`;
  }
}

export function duckdbFileSource(
  dialect: SqlDialect,
  groups: readonly DuckdbFiles[],
  options: DuckdbSourceOptions = {},
): SqlSource {
  const present = groups.filter((g) => g.paths.length > 0);
  if (present.length === 0) throw new Error('no files to read');
  const fields: string[] = [];
  for (const g of present) for (const c of g.columns) if (!fields.includes(c)) fields.push(c);
  const from = `(${present.map((g) => relation(dialect, g)).join('\n  UNION ALL BY NAME\n  ')}) AS lt_files`;
  const pattern = sqlString(options.fileDayPattern ?? DEFAULT_DAY);
  const part = (n: number) => `regexp_extract(filename, ${pattern}, ${n})`;
  return {
    from,
    cells: Object.fromEntries(fields.map((f) => [f, `lt_files.${identifier(f)}`])),
    file: options.fileName?.('filename') ?? 'filename',
    fileDay: `${part(1)} || '-' || ${part(2)} || '-' || ${part(3)}`,
  };
}
