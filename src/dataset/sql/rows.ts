import { z } from 'zod';
import { exampleLine, responseFor } from '../examples/example.ts';
import { contextTokenBudget } from '../examples/fitContext.ts';
import type { SampleRow } from '../output/sampledWrite.ts';
import { quotasFor } from '../sampling/sampler.ts';
import type { BalanceMode } from '../types.ts';

/**
 * The SQL queries' answers (template.ts), as an engine hands them over — DuckDB as JavaScript values, Athena's
 * GetQueryResults or UNLOAD as text — validated, and turned into what the local engine would have had: the build's
 * counts and the quotas (statsFromRows), and the sample's rows ready for sampledWrite.ts (sampleFromRows).
 */
const count = z.union([z.number(), z.bigint(), z.string().regex(/^\d+$/)]).transform((v) => Number(v));
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const statsRowSchema = z.object({
  file: z.string().nullable(),
  status: z.enum(['labelled', 'unlabelled', 'out_of_range']),
  label: z.string().nullable(),
  per_label: bool,
  rows: count,
  distinct_contexts: count,
});
export type StatsRow = z.infer<typeof statsRowSchema>;

export const sampleRowSchema = z.object({
  label: z.string().min(1),
  context: z.string(),
  sample_key: z.string().regex(/^[0-9a-f]{32}$/),
  validation: bool,
});
export type SqlSampleRow = z.infer<typeof sampleRowSchema>;

/** What a build's stats.json says of its rows, as the local sink counts them. */
export interface SqlBuildStats {
  /** Every row read, in the range or not. */
  readonly rowsScanned: number;
  readonly rowsInRange: number;
  readonly unlabelled: number;
  readonly duplicates: number;
  readonly unique: number;
  /** Rows of labels whose answer alone is over max_input_length: none of them is written. */
  readonly droppedAnswerTooLong: number;
  readonly labels: Readonly<Record<string, { readonly scanned: number; readonly unique: number }>>;
  /** Rows read per file. */
  readonly files: Readonly<Record<string, number>>;
}

export function statsFromRows(rows: readonly unknown[], options: { readonly maxInputLength: number }): SqlBuildStats {
  const parsed = rows.map((row) => statsRowSchema.parse(row));
  const labels: Record<string, { scanned: number; unique: number }> = {};
  const files: Record<string, number> = {};
  let rowsScanned = 0;
  let rowsInRange = 0;
  let unlabelled = 0;
  let duplicates = 0;
  let unique = 0;
  let droppedAnswerTooLong = 0;
  for (const row of parsed) {
    if (!row.per_label) {
      if (row.file === null) throw new Error('a per-file stats row without its file');
      files[row.file] = (files[row.file] ?? 0) + row.rows;
      continue;
    }
    rowsScanned += row.rows;
    if (row.status === 'out_of_range') continue;
    rowsInRange += row.rows;
    if (row.status === 'unlabelled') {
      unlabelled += row.rows;
      continue;
    }
    if (row.label === null) throw new Error('a labelled stats row without its label');
    const tooLong = contextTokenBudget(row.label, options.maxInputLength) < 1;
    const distinct = tooLong ? 0 : row.distinct_contexts;
    labels[row.label] = { scanned: row.rows, unique: distinct };
    if (tooLong) droppedAnswerTooLong += row.rows;
    else {
      unique += distinct;
      duplicates += row.rows - distinct;
    }
  }
  return { rowsScanned, rowsInRange, unlabelled, duplicates, unique, droppedAnswerTooLong, labels, files };
}

/** The sample query's `quotas`, as the local sink settles them (labels with no distinct example get none). */
export function quotasFromStats(stats: SqlBuildStats, balance: BalanceMode, cap: number): Record<string, number> {
  const uniques = new Map(
    Object.entries(stats.labels)
      .filter(([, c]) => c.unique > 0)
      .map(([label, c]) => [label, c.unique]),
  );
  return Object.fromEntries(quotasFor(balance, uniques, cap));
}

/**
 * Each label's `quota` smallest keys among candidates from several queries (chunks of a range, each with one
 * number as its quota): exact, as long as each chunk kept at least `quota` of each label.
 */
export function mergeCandidates(
  rows: readonly SqlSampleRow[],
  quotas: Readonly<Record<string, number>>,
): SqlSampleRow[] {
  const byLabel = new Map<string, Map<string, SqlSampleRow>>();
  for (const row of rows) {
    let keys = byLabel.get(row.label);
    if (keys === undefined) byLabel.set(row.label, (keys = new Map()));
    keys.set(row.sample_key, row);
  }
  const out: SqlSampleRow[] = [];
  for (const [label, keys] of byLabel) {
    const sorted = [...keys.values()].sort((a, b) => (a.sample_key < b.sample_key ? -1 : 1));
    out.push(...sorted.slice(0, quotas[label] ?? 0));
  }
  return out;
}

/** The sample query's rows as the lines the local engine writes (sampledWrite.ts checks each `validation`). */
export function sampleFromRows(rows: readonly unknown[]): SampleRow[] {
  return rows.map((raw) => {
    const row = sampleRowSchema.parse(raw);
    return {
      label: row.label,
      keyHex: row.sample_key,
      line: exampleLine(row.context, JSON.stringify(responseFor(row.label))),
      validation: row.validation,
    };
  });
}
