import { sqlParamsOf, sqlString, trinoDialect, type SqlSource } from '../dataset/sql/index.ts';
import { renderSampleQuery, renderStatsQuery } from '../dataset/sql/index.ts';
import type { SqlStatsParams } from '../dataset/sql/index.ts';
import type { BuildRequest } from '../dataset/types.ts';
import { rangePredicate, type TableSpec } from './ddl.ts';

/**
 * The dataset's SQL (src/dataset/sql, the template the local engine's DuckDB check shares) over logtune's Athena
 * tables: one source relation, the UNION ALL of the format tables, each branch giving every field as the local
 * parser reads it (a CSV cell as text, '' for an empty one; a W3C value URL-decoded; a JSON key's string, NULL where
 * the file has none), the object's "$path" and its day from the partition columns. Each branch keeps to the days
 * of the query and leaves out, by "$path", the other formats' files and the files excluded after a failure.
 *
 * Each query carries a comment naming what it is (`/* logtune-query {…} *\/`): Athena's console and query history
 * show it, and the loopback fake of the tests runs the same template's DuckDB rendering from it.
 */
export interface QueryTable {
  readonly spec: TableSpec;
  /** Files under the same folders in another format: never read by this table. */
  readonly others: readonly string[];
}

export interface QueryScope {
  readonly start: string;
  readonly end: string;
  /** Files left out (s3:// URIs): corrupt files named by a failed attempt. */
  readonly excluded: readonly string[];
}

export interface QueryMarker {
  readonly pass: 'stats' | 'candidates';
  readonly tables: readonly string[];
  readonly scope: QueryScope;
  readonly params: SqlStatsParams & { readonly quotas?: Readonly<Record<string, number>> };
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A table column's value as the local parser reads the field, by the table's format. */
function cellOf(spec: TableSpec, column: string): string {
  const c = quoted(column);
  switch (spec.format) {
    case 'csv':
      return `COALESCE(${c}, '')`;
    case 'w3c':
      return `CASE WHEN ${c} IS NULL THEN '' WHEN strpos(${c}, '%') > 0 THEN ${trinoDialect.urlDecode(c)} ELSE ${c} END`;
    case 'jsonl':
    case 'parquet':
      return `CAST(${c} AS varchar)`;
  }
}

export function athenaSource(tables: readonly QueryTable[], scope: QueryScope): SqlSource {
  const fields: string[] = [];
  for (const t of tables) for (const c of t.spec.columns) if (!fields.includes(c.field)) fields.push(c.field);
  const alias = new Map(fields.map((f, i) => [f, `f${i}`]));
  const day =
    "lpad(CAST(year AS varchar), 4, '0') || '-' || lpad(CAST(month AS varchar), 2, '0') || '-' || " +
    "lpad(CAST(day AS varchar), 2, '0')";
  const branches = tables.map((t) => {
    const byField = new Map(t.spec.columns.map((c) => [c.field, c.name]));
    const cells = fields.map((f) => {
      const column = byField.get(f);
      return `${column === undefined ? 'CAST(NULL AS varchar)' : cellOf(t.spec, column)} AS ${alias.get(f)}`;
    });
    const left = [...t.others, ...scope.excluded];
    const where = [
      rangePredicate(scope.start, scope.end),
      ...(left.length > 0 ? [`"$path" NOT IN (${left.map(sqlString).join(', ')})`] : []),
    ].join(' AND ');
    return (
      `SELECT "$path" AS lt_path, ${day} AS lt_day, ${cells.join(', ')}\n` +
      `  FROM ${quoted(t.spec.database)}.${quoted(t.spec.table)}\n  WHERE ${where}`
    );
  });
  return {
    from: `(\n  ${branches.join('\n  UNION ALL\n  ')}\n) AS lt_files`,
    cells: Object.fromEntries(fields.map((f) => [f, `lt_files.${alias.get(f)}`])),
    file: 'lt_files.lt_path',
    fileDay: 'lt_files.lt_day',
  };
}

/** `UNLOAD (<the template's query>) TO … WITH (format = 'JSON')`, marked with what it is. */
export function unloadQuery(
  pass: 'stats' | 'candidates',
  request: BuildRequest,
  tables: readonly QueryTable[],
  scope: QueryScope,
  to: string,
  quotas?: Readonly<Record<string, number>>,
): string {
  const params = sqlParamsOf(request);
  const source = athenaSource(tables, scope);
  const select =
    pass === 'stats'
      ? renderStatsQuery(trinoDialect, source, params)
      : renderSampleQuery(trinoDialect, source, { ...params, quotas: { ...quotas } });
  const marker: QueryMarker = {
    pass,
    tables: tables.map((t) => `${t.spec.database}.${t.spec.table}`),
    scope,
    params: { ...params, ...(quotas && { quotas }) },
  };
  // `*/` cannot occur in the JSON of these values (names, days, s3 URIs, labels escaped by JSON.stringify below).
  const comment = JSON.stringify(marker).replaceAll('*/', '*\\/');
  return `UNLOAD (\n/* logtune-query ${comment} */\n${select}\n) TO ${sqlString(to)} WITH (format = 'JSON')`;
}
