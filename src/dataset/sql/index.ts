/**
 * The dataset build as SQL, for engines other than the local one (Amazon Athena; DuckDB in CI and the bench). The
 * queries draw exactly the local engine's sample (docs/sampling.md, src/dataset/sampling/sampleKey.ts), and their
 * rows are written by the same code (src/dataset/output/sampledWrite.ts), so an engine's dataset equals the local
 * build of the same range and seed, byte for byte. Checked in CI: test/dataset/sql.test.ts runs the DuckDB
 * rendering over fixture files of every format against local builds, and parses the Trino rendering.
 *
 * Interface (kept stable: the Athena engine codes against it):
 *
 * - `SqlDialect` (`duckdbDialect`, `trinoDialect`): the functions that differ between engines (md5 as hex, regular
 *   expressions, the day of an epoch, URL decoding).
 * - `SqlSource`: where the rows are. `from` (a table, a table function, a parenthesised query), `cells` (logtune
 *   field name → a VARCHAR expression giving the text the local parser reads for it, NULL where the row's file has
 *   no such field; the label field included), `file` (the object a row came from, e.g. `"$path"`), `fileDay` (its
 *   day from the key's date path, `YYYY-MM-DD`) and an optional `where` (partition predicate, excluded files).
 *   `duckdbFileSource` builds one over local files.
 * - `renderStatsQuery(dialect, source, params: SqlStatsParams)`: one scan; rows `file, status, label, per_label,
 *   rows, distinct_contexts` (status `labelled` | `unlabelled` | `out_of_range`; `per_label` rows total each
 *   (status, label) over all files, the others are per file). `statsFromRows(rows, { maxInputLength })` turns them
 *   into stats.json's counts, `quotasFromStats(stats, balance, cap)` into the sample query's quotas.
 * - `renderSampleQuery(dialect, source, params: SqlSampleParams)`: rows `label, context, sample_key, validation`,
 *   each label's `quotas[label]` smallest sample keys among its distinct contexts (`rank <= quota` over
 *   `PARTITION BY label ORDER BY sample_key`), ordered by sample key then label. `quotas` may be one number (the
 *   same cap for every label) to draw a chunk's candidates; `mergeCandidates(rows, quotas)` merges chunks exactly.
 *   `sampleFromRows(rows)` makes them the lines `writeSampledDataset` writes (it checks every `validation`).
 * - Params (zod: `sqlStatsParams`, `sqlSampleParams`, parsed by the renderers): `seed`, `range {start, end}`,
 *   `labelField`, `dropFields`, `contextFormat`, `validationRatio`, and for the sample `quotas`.
 *
 * What SQL cannot reproduce, so not supported by these engines (the local engine reads such logs as documented):
 *
 * - `full` contexts keep each file's own column order locally; SQL uses `cells`' order. Equal only when every file
 *   has its columns in that order (`compact`, the default, is the same whatever the order).
 * - Values must be valid Unicode text: a JSON `\ud800`-style lone surrogate, which the local engine keeps and
 *   escapes, is not text to DuckDB or Trino.
 * - JSON logs: string (or null) values only; a number or boolean is written as the engine writes it, which is not
 *   always as JavaScript does (`1.0` vs `1`). A JSON `null` in a `date` field reads as no date (locally it is `-`).
 * - W3C logs: a value whose percent escapes are malformed or do not decode to UTF-8 is kept raw by the local engine;
 *   DuckDB fails on it and Trino's url_decode differs.
 * - The cut to max_input_length needs the Llama 2 tokenizer: it is applied in Node, to the sampled lines
 *   (sampledWrite.ts), as locally.
 */
export { duckdbDialect, trinoDialect, sqlString, type SqlDialect } from './dialect.ts';
export { duckdbFileSource, type DuckdbFiles, type DuckdbSourceOptions } from './duckdbSource.ts';
export { sqlParamsOf, sqlSampleParams, sqlStatsParams, type SqlSampleParams, type SqlStatsParams } from './params.ts';
export {
  mergeCandidates,
  quotasFromStats,
  sampleFromRows,
  sampleRowSchema,
  statsFromRows,
  statsRowSchema,
  type SqlBuildStats,
  type SqlSampleRow,
  type StatsRow,
} from './rows.ts';
export { renderSampleQuery, renderStatsQuery, type SqlSource } from './template.ts';
