import { CANONICAL_FIELDS } from '../examples/example.ts';
import { groupFields } from '../sampling/groupKey.ts';
import { sampleKeyPrefix, splitKeyPrefix, splitThreshold } from '../sampling/sampleKey.ts';
import { sqlString, type SqlDialect } from './dialect.ts';
import { sqlSampleParams, sqlStatsParams, type SqlSampleParams, type SqlStatsParams } from './params.ts';

/**
 * The one SQL template of a dataset build: the rows of a source relation → their day, label and context exactly as
 * the local engine makes them (processFile.ts, example.ts renderContext, JSON.stringify), then either the stats
 * (statsQuery) or the per-label bottom-k sample with its split column (sampleQuery), by the definition in
 * src/dataset/sampling/sampleKey.ts. The dialect supplies the few functions that differ.
 */

/** Where the rows come from: an Athena table, or DuckDB's read_csv/read_json over files (duckdbSource.ts). */
export interface SqlSource {
  /** The FROM item: a table name, a table function call, or a parenthesised query (with an alias). */
  readonly from: string;
  /**
   * Every field (as logtune names it: `cs(Host)`, the label field included) → a VARCHAR expression over `from`
   * giving the field's text exactly as the local parser reads it, and NULL where the row's file has no such field.
   * In `full` contexts the fields appear in this object's order.
   */
  readonly cells: Readonly<Record<string, string>>;
  /** The object a row came from (its key or path): stats are per file. */
  readonly file: string;
  /** The day of that object from its key (the layout's date path), 'YYYY-MM-DD': used by rows without a date. */
  readonly fileDay: string;
  /** A condition on `from` (a partition predicate, files left out after a failure), if any. */
  readonly where?: string;
}

const CANONICAL_RANK = new Map(CANONICAL_FIELDS.map((name, i) => [name, i]));

/** JavaScript's String.prototype.trim set: WhiteSpace and LineTerminator (ECMA-262), as literal characters. */
const JS_TRIM_CLASS =
  '[\t\n\u000b\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]';

/** JSON.stringify's short escapes; every other control character is `\u00xx` (lowercase hex). */
const SHORT_ESCAPES: Readonly<Record<number, string>> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };

/**
 * JSON.stringify(value) of a VARCHAR without its quotes (valid Unicode text has no lone surrogates to escape). With
 * `escapes`, every character JSON escapes; without, the value must hold none (the caller checked the row once).
 */
function jsonString(value: string, escapes: boolean): string {
  if (!escapes) return value;
  let escaped = `replace(replace(${value}, '\\', '\\\\'), '"', '\\"')`;
  for (let c = 0; c < 0x20; c++) {
    const escape = SHORT_ESCAPES[c] ?? `\\u${c.toString(16).padStart(4, '0')}`;
    escaped = `replace(${escaped}, chr(${c}), ${sqlString(escape)})`;
  }
  return escaped;
}

/**
 * One n-ary concat rather than a chain of `||`: each `||` makes a new string, so a chain over a row's fields copies
 * the row over and over (measured ~4× slower in DuckDB). Every part is non-NULL (Trino's concat is NULL if one is).
 */
function concat(parts: readonly string[]): string {
  return parts.length === 1 ? parts[0]! : `concat(${parts.join(',\n      ')})`;
}

interface Plan {
  /** Field name → its column alias in the `lt_cells` step. */
  readonly alias: ReadonlyMap<string, string>;
  readonly fields: readonly string[];
}

function planOf(source: SqlSource): Plan {
  const fields = Object.keys(source.cells);
  return { fields, alias: new Map(fields.map((name, i) => [name, `c${i}`])) };
}

/**
 * The context (example.ts renderContext): a JSON object of the kept fields, in the format's order. Characters JSON
 * escapes (quote, backslash, controls) are rare in log values, so the row is checked for one once, and only such
 * rows take the escaping (two replaces per value, and 32 more for the controls).
 */
function contextExpression(d: SqlDialect, plan: Plan, params: SqlStatsParams): string {
  const excluded = new Set([params.labelField, ...params.dropFields]);
  let kept = plan.fields.filter((name) => !excluded.has(name));
  if (params.contextFormat === 'compact') {
    kept = [...kept].sort((a, b) => {
      const ra = CANONICAL_RANK.get(a) ?? Infinity;
      const rb = CANONICAL_RANK.get(b) ?? Infinity;
      return ra !== rb ? ra - rb : a < b ? -1 : a > b ? 1 : 0;
    });
  }
  if (kept.length === 0) return "'{}'";
  const object = (controls: boolean) => {
    const parts = kept.map((name) => {
      const c = plan.alias.get(name)!;
      // Compact contexts leave out `-` and empty values; both leave out a field the row's file does not have.
      const absent = params.contextFormat === 'compact' ? `${c} IS NULL OR ${c} IN ('', '-')` : `${c} IS NULL`;
      const value = jsonString(c, controls);
      return `CASE WHEN ${absent} THEN '' ELSE concat(${sqlString(`,${JSON.stringify(name)}:"`)}, ${value}, '"') END`;
    });
    return `concat('{', substr(${concat(parts)}, 2), '}')`;
  };
  const everything = concat(kept.map((name) => `COALESCE(${plan.alias.get(name)!}, '')`));
  return `CASE WHEN ${d.regexpLike(everything, `'["\\\\\\x00-\\x1f]'`)} THEN ${object(true)} ELSE ${object(false)} END`;
}

/** The near-copy group text (groupKey.ts groupText): non-volatile fields by name, empty and `-` values left out. */
function groupTextExpression(plan: Plan, params: SqlStatsParams): string {
  const excluded = new Set([params.labelField, ...params.dropFields]);
  const names = groupFields(plan.fields.filter((name) => !excluded.has(name)));
  if (names.length === 0) return "''";
  return concat(
    names.map((name) => {
      const c = plan.alias.get(name)!;
      return `CASE WHEN ${c} IS NULL OR ${c} IN ('', '-') THEN '' ELSE concat(${sqlString(name)}, chr(31), ${c}, chr(30)) END`;
    }),
  );
}

/** The row's day (processFile.ts): its `date`, else its `timestamp` (ISO or epoch s/ms), else its file's. */
function dayExpression(d: SqlDialect, plan: Plan): string {
  const date = plan.alias.get('date');
  const timestamp = plan.alias.get('timestamp');
  const branches: string[] = [];
  if (date !== undefined) branches.push(`WHEN ${date} IS NOT NULL THEN substr(${date}, 1, 10)`);
  if (timestamp !== undefined) {
    const n = `CAST(${timestamp} AS DOUBLE)`;
    const epochDay = d.epochMsDay(`CASE WHEN ${n} < 1e11 THEN ${n} * 1000 ELSE ${n} END`);
    branches.push(
      `WHEN ${timestamp} IS NOT NULL THEN CASE` +
        ` WHEN ${d.regexpLike(timestamp, "'^[0-9]{4}-[0-9]{2}-[0-9]{2}'")} THEN substr(${timestamp}, 1, 10)` +
        ` WHEN ${d.regexpLike(timestamp, "'^[0-9]{9,13}([.][0-9]+)?$'")} THEN ${epochDay}` +
        ' ELSE lt_file_day END',
    );
  }
  return branches.length === 0 ? 'lt_file_day' : `CASE ${branches.join(' ')} ELSE lt_file_day END`;
}

/** The steps both queries share: cells → classified rows with their label, context and sample key. */
function commonSteps(d: SqlDialect, source: SqlSource, params: SqlStatsParams): string {
  const plan = planOf(source);
  const label = plan.alias.get(params.labelField);
  if (label === undefined) throw new Error(`the source has no cell for the label field "${params.labelField}"`);
  const cells = plan.fields.map((name) => `    ${source.cells[name]} AS ${plan.alias.get(name)}`).join(',\n');
  const trimmed = d.regexpReplaceAll(label, sqlString(`^${JS_TRIM_CLASS}+|${JS_TRIM_CLASS}+$`), "''");
  const contextText = `replace(replace(lt_context, '\\', '\\\\'), '"', '\\"')`;
  return `lt_cells AS (
  SELECT
    ${source.file} AS lt_file,
    ${source.fileDay} AS lt_file_day,
${cells}
  FROM ${source.from}${source.where ? `\n  WHERE ${source.where}` : ''}
),
lt_rows AS (
  SELECT lt_cells.*, COALESCE(${dayExpression(d, plan)}, '') AS lt_day, ${trimmed} AS lt_label
  FROM lt_cells
),
lt_classified AS (
  SELECT
    lt_rows.*,
    CASE
      WHEN lt_day < ${sqlString(params.range.start)} OR lt_day > ${sqlString(params.range.end)} THEN 'out_of_range'
      WHEN lt_label IS NULL OR lt_label IN ('', '-') THEN 'unlabelled'
      ELSE 'labelled'
    END AS lt_status
  FROM lt_rows
),
lt_examples AS (
  SELECT
    lt_file,
    lt_status,
    CASE WHEN lt_status = 'labelled' THEN lt_label END AS lt_label,
    CASE WHEN lt_status = 'labelled' THEN ${contextExpression(d, plan, params)} END AS lt_context,
    CASE WHEN lt_status = 'labelled' THEN ${groupTextExpression(plan, params)} END AS lt_group
  FROM lt_classified
),
lt_keyed AS (
  SELECT
    lt_examples.*,
    CASE WHEN lt_status = 'labelled' THEN ${d.md5Hex(`${sqlString(sampleKeyPrefix(params.seed))} || ${contextText}`)} END AS lt_key
  FROM lt_examples
)`;
}

/**
 * One row per (file, status, label) — `status` 'labelled', 'unlabelled' or 'out_of_range', `label` only when
 * labelled — and one per (status, label) over all files (`per_label` true), each with `rows` and, for labelled rows,
 * `distinct_contexts` (the label's distinct examples: what its quota is computed from).
 */
export function renderStatsQuery(dialect: SqlDialect, source: SqlSource, params: SqlStatsParams): string {
  const p = sqlStatsParams.parse(params);
  return `WITH ${commonSteps(dialect, source, p)}
SELECT
  lt_file AS file,
  lt_status AS status,
  lt_label AS label,
  GROUPING(lt_file) = 1 AS per_label,
  COUNT(*) AS "rows",
  COUNT(DISTINCT lt_context) AS distinct_contexts
FROM lt_examples
GROUP BY GROUPING SETS ((lt_file, lt_status, lt_label), (lt_status, lt_label))
ORDER BY per_label, file, status, label`;
}

/**
 * Per label, its quota of distinct contexts with the smallest sample keys: `label`, `context` (the text the
 * example's line carries, before any cut to max_input_length), `sample_key` (32 hex digits) and `validation` (its
 * near-copy group's split key below the ratio), in sample-key order.
 */
export function renderSampleQuery(dialect: SqlDialect, source: SqlSource, params: SqlSampleParams): string {
  const p = sqlSampleParams.parse(params);
  const quota =
    typeof p.quotas === 'number'
      ? String(p.quotas)
      : Object.keys(p.quotas).length === 0
        ? '0'
        : `CASE lt_label ${Object.entries(p.quotas)
            .map(([label, n]) => `WHEN ${sqlString(label)} THEN ${n}`)
            .join(' ')} ELSE 0 END`;
  const wanted =
    typeof p.quotas === 'number'
      ? ''
      : ` AND lt_label IN (${
          Object.entries(p.quotas)
            .filter(([, n]) => n > 0)
            .map(([label]) => sqlString(label))
            .join(', ') || 'NULL'
        })`;
  const split = dialect.md5Hex(`${sqlString(splitKeyPrefix(p.seed))} || lt_group`);
  return `WITH ${commonSteps(dialect, source, p)},
lt_distinct AS (
  SELECT DISTINCT lt_label, lt_context, lt_group, lt_key
  FROM lt_keyed
  WHERE lt_status = 'labelled'${wanted}
),
lt_ranked AS (
  SELECT lt_distinct.*, row_number() OVER (PARTITION BY lt_label ORDER BY lt_key) AS lt_rank
  FROM lt_distinct
)
SELECT
  lt_label AS label,
  lt_context AS context,
  lt_key AS sample_key,
  substr(${split}, 1, 13) < ${sqlString(splitThreshold(p.validationRatio).hex)} AS validation
FROM lt_ranked
WHERE lt_rank <= ${quota}
ORDER BY sample_key, label`;
}
