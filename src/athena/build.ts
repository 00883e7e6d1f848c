import { createHash } from 'node:crypto';
import type { z } from 'zod';
import pLimit from 'p-limit';
import { CancelledError, NotSupportedError, UsageError, throwIfAborted } from '../errors.ts';
import type { AthenaApi } from '../aws/athena.ts';
import { listDays } from '../logs/dateRange.ts';
import { resolveLayout } from '../logs/detectLayout.ts';
import { visitLogFile, type LogFormat } from '../logs/formats/index.ts';
import { listRangeObjects, type DatedObject } from '../logs/layout.ts';
import { openStore } from '../objectStore/open.ts';
import type { ObjectStore } from '../objectStore/store.ts';
import type { Clock } from '../shared/clock.ts';
import { CANONICAL_FIELDS } from '../dataset/examples/example.ts';
import { measureTokens } from '../dataset/examples/tokenStats.ts';
import { assertWritable } from '../dataset/output/guard.ts';
import { writeCompletion } from '../dataset/output/outputs.ts';
import { writeSampledDataset } from '../dataset/output/sampledWrite.ts';
import { buildKey } from '../dataset/request/request.ts';
import {
  mergeCandidates,
  quotasFromStats,
  sampleFromRows,
  sampleRowSchema,
  statsFromRows,
  statsRowSchema,
  type SqlSampleRow,
} from '../dataset/sql/index.ts';
import type { BuildHooks, BuildRequest, BuildSummary, SkippedFile } from '../dataset/types.ts';
import {
  CLOUDFRONT_PARQUET_COLUMNS,
  renderTableDdl,
  tableColumns,
  tableName,
  type TableColumn,
  type TableFormat,
  type TableSpec,
} from './ddl.ts';
import { unloadQuery, type QueryTable } from './datasetSql.ts';
import { assertProjectable } from './engine.ts';
import type { QueryLedger } from './ledger.ts';
import { planScan, type ScanPlan } from './plan.ts';
import { QueryRunner, type QueryProgress } from './queryRunner.ts';
import type { AthenaTarget } from './settings.ts';
import { athenaSummary, type AthenaRun } from './summary.ts';
import { unloadedRows } from './unload.ts';

export type { AthenaRun } from './summary.ts';

/**
 * Date range → dataset on Athena, the same dataset the local engine builds: list the range (the bytes the plan
 * prices), refuse above LOGTUNE_ATHENA_APPROVAL_USD unless that much was approved, cap the workgroup's bytes per
 * query, create a table per file format (free), then one stats query over the range and a candidates query per
 * chunk of days (≤ 1 TB, a few at a time), each an UNLOAD to JSON under the artifacts location, every start guarded
 * by the ledger. The stats give the quotas as the local sink settles them; the chunks' bottom-k candidates merge
 * exactly; the local engine's writer (sampledWrite.ts) writes the two channel files, and stats.json follows with
 * what Athena scanned and cost. A file a query cannot read is excluded and counted in skippedFiles.
 */
export interface AthenaBuildDeps {
  readonly api: AthenaApi;
  readonly ledger: QueryLedger;
  readonly clock: Clock;
  readonly target: AthenaTarget;
  readonly approvalUsd: number;
  readonly maxRetries: number;
  readonly pollMs: number;
  /** How long a stopped query may take to say CANCELLED (default 60 s). */
  readonly stopWaitMs?: number;
  /** Queries in flight at once: well below Athena's active DML query quota (20+ per account and region). */
  readonly concurrency: number;
  /**
   * The dollars an approver approved for this build's scan (a spend request), if any: a plan above
   * LOGTUNE_ATHENA_APPROVAL_USD runs only within it.
   */
  readonly approvedUsd?: number;
  /** Called once, right before the first side effect in AWS (the cutoff): the approved scan begins. */
  readonly onScanStarts?: () => void;
  /** The largest chunk of days one candidates query covers (default 1 TB; tests make it small). */
  readonly maxChunkBytes?: number;
}

/** The local build's hooks that apply (no per-file progress: the queries report instead), and the scan's own. */
export interface AthenaBuildHooks extends Pick<BuildHooks, 'signal' | 'onLayout' | 'onWarning'> {
  readonly onPlan?: (plan: ScanPlan) => void;
  readonly onQuery?: (progress: QueryProgress) => void;
}

/** What stats.json says of an Athena build beyond what every build says. */
/** The scan costs more than LOGTUNE_ATHENA_APPROVAL_USD and nobody approved that much. */
export class ScanApprovalRequired extends UsageError {
  constructor(
    readonly plan: ScanPlan,
    approvalUsd: number,
  ) {
    super(
      `the Athena scan is quoted at $${plan.usd.toFixed(2)} (${(plan.scanBytes / 1e12).toFixed(3)} TB over ` +
        `${plan.queries} queries), above LOGTUNE_ATHENA_APPROVAL_USD ($${approvalUsd.toFixed(2)}): it needs an ` +
        'approver: ask in Slack (/logtune dataset … --engine athena posts the quote for one), raise ' +
        'LOGTUNE_ATHENA_APPROVAL_USD if you accept the cost, or build with --engine local',
    );
  }
}

/** Which Athena table format reads a file, from its name (a table reads one format; CloudFront names say which). */
export function formatOfKey(key: string): TableFormat | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  if (/\.csv(\.gz)?$/.test(name)) return 'csv';
  if (/\.jsonl?(\.gz)?$/.test(name)) return 'jsonl';
  if (/\.parquet$/.test(name)) return 'parquet';
  if (/\.(w3c|log|txt)(\.gz)?$/.test(name) || /^[^.]+\.\d{4}-\d{2}-\d{2}-\d{2}\.[^.]+\.gz$/.test(name)) return 'w3c';
  return undefined;
}

/** What stats.json and stderr say of `--max-examples all` on Athena (docs/athena.md). */
export const ALL_ON_ATHENA =
  '--max-examples all on Athena: every distinct example, in sample-key order with the split by group hash (as ' +
  '--max-examples <unique examples> builds locally); the local engine writes the same examples in file order with ' +
  'the stratified split';

/** A query string's room for excluded paths: Athena refuses a QueryString over 262,144 bytes (service model). */
const MAX_QUERY_BYTES = 262_144;

/** What a build reads and would pay for, known from the listing alone: no table, no query, no cutoff yet. */
export interface PreparedScan {
  readonly logs: ObjectStore;
  readonly layout: { readonly template: string; readonly name: string; readonly detected: boolean };
  readonly objects: readonly DatedObject[];
  readonly byFormat: ReadonlyMap<TableFormat, readonly DatedObject[]>;
  /** Files no Athena table reads (an unknown name), with the reason. */
  readonly skipped: readonly SkippedFile[];
  readonly plan: ScanPlan;
}

/**
 * Lists the range and plans its scan: the quote an approval is asked for, and the first half of every build. Flat
 * layouts and non-S3 logs are refused here, before anything is asked of Athena.
 */
export async function prepareScan(
  request: BuildRequest,
  approvalUsd: number,
  hooks: Pick<AthenaBuildHooks, 'signal' | 'onLayout'> = {},
  maxChunkBytes?: number,
): Promise<PreparedScan> {
  const { signal } = hooks;
  throwIfAborted(signal);
  if (!request.logsUri.startsWith('s3://'))
    throw new UsageError(
      `the Athena engine reads logs in S3; LOGTUNE_LOGS_URI is ${request.logsUri} (use --engine local)`,
    );
  const logs = await openStore(request.logsUri, {
    s3ForcePathStyle: request.s3ForcePathStyle,
    s3FastGet: request.s3FastGet,
    source: 'logs',
  });
  const layout = await resolveLayout(logs, request.layout, signal);
  hooks.onLayout?.(layout);
  assertProjectable(layout.template);
  const objects = await listRangeObjects(logs, layout.template, listDays(request.range), {
    concurrency: request.fetchConcurrency,
    ...(signal && { signal }),
  });
  if (objects.length === 0)
    throw new UsageError(`no log files under ${logs.uri} for ${request.range.label} (layout ${layout.template})`);
  const skipped: SkippedFile[] = [];
  const byFormat = new Map<TableFormat, DatedObject[]>();
  for (const object of objects) {
    const format = formatOfKey(object.key);
    if (format === undefined) {
      skipped.push({
        key: object.key,
        reason:
          'unsupported_format: the Athena engine reads a file by its name (.csv, .jsonl, .parquet, .w3c/.log, CloudFront standard names)',
      });
    } else byFormat.set(format, [...(byFormat.get(format) ?? []), object]);
  }
  const days = listDays(request.range).map((day) => ({
    day,
    bytes: objects.filter((o) => o.day === day && formatOfKey(o.key) !== undefined).reduce((s, o) => s + o.size, 0),
  }));
  // Each format's table reads only its own files ("$path" NOT IN the others'), so the bytes are counted once.
  const plan = planScan(days, approvalUsd, maxChunkBytes);
  return { logs, layout, objects, byFormat, skipped, plan };
}

export async function buildOnAthena(
  request: BuildRequest,
  deps: AthenaBuildDeps,
  hooks: AthenaBuildHooks = {},
): Promise<BuildSummary & { readonly athena: AthenaRun }> {
  const { signal } = hooks;
  const started = deps.clock.now();
  const prepared = await prepareScan(request, deps.approvalUsd, hooks, deps.maxChunkBytes);
  const { logs, layout, objects, byFormat, plan } = prepared;
  const skipped = [...prepared.skipped];
  hooks.onPlan?.(plan);
  if (plan.needsApproval && !(deps.approvedUsd !== undefined && deps.approvedUsd + 1e-9 >= plan.usd))
    throw new ScanApprovalRequired(plan, deps.approvalUsd);
  const out = await openStore(request.outUri, { s3ForcePathStyle: request.s3ForcePathStyle });
  const outWarning = await assertWritable(out, signal);
  const warnings = outWarning === undefined ? [] : [outWarning];
  // `--max-examples all` locally streams every example in file order with the stratified split, an order SQL does
  // not have. On Athena it is every distinct example drawn as a capped build draws them (sample-key order, the split
  // by group hash): the same dataset as `--max-examples <the unique count>` locally, the same examples as `all`.
  if (request.maxExamples === 'all') warnings.push(ALL_ON_ATHENA);
  for (const warning of warnings) hooks.onWarning?.(warning);
  // The queries' identity: the request's content and the exact files listed, not the dataset id. A rerun of the same
  // build (a restart, or the CLI run again after a crash) finds its queries in the ledger and re-attaches to them;
  // the same SQL over the same files would only give the same rows again, for money.
  const runId = `ath-${createHash('sha256')
    .update(JSON.stringify([buildKey(request), objects.map((o) => [o.key, o.size])]))
    .digest('hex')
    .slice(0, 20)}`;

  deps.onScanStarts?.();
  // Athena stops any query of the workgroup that would scan more than the plan allows (never below its 10 MB floor).
  await deps.api.setCutoff(deps.target.workgroup, plan.cutoffBytes, signal);

  const runner = new QueryRunner({
    api: deps.api,
    ledger: deps.ledger,
    clock: deps.clock,
    buildId: runId,
    workgroup: deps.target.workgroup,
    database: deps.target.database,
    outputLocation: `${deps.target.resultsUri}results/`,
    logsLocation: request.logsUri,
    maxRetries: deps.maxRetries,
    pollMs: deps.pollMs,
    ...(deps.stopWaitMs !== undefined && { stopWaitMs: deps.stopWaitMs }),
    ...(signal && { signal }),
    ...(hooks.onQuery && { onProgress: hooks.onQuery }),
  });
  const storeOptions = {
    s3ForcePathStyle: request.s3ForcePathStyle,
    s3FastGet: request.s3FastGet,
    maxBytes: request.maxFileBytes,
    ...(signal && { signal }),
  };
  const tables = await createTables(runner, logs, request, layout.template, byFormat, objects, deps.target, signal);
  const excludedBy = new Map<string, { path: string; reason: string }>();
  /** One pass's query, through the ledger; its UNLOAD rows read back from the manifest. */
  const run = async <T>(
    pass: 'stats' | 'candidates',
    scope: { start: string; end: string },
    schema: z.ZodType<T>,
    quotas?: Readonly<Record<string, number>>,
  ): Promise<T[]> => {
    const key = `${pass}:${scope.start}..${scope.end}`;
    // Files an earlier pass found unreadable are left out from the start: no second failed attempt on them.
    const known = [...excludedBy.keys()];
    const outcome = await runner.run(key, (excluded, attempt) => {
      const to = `${deps.target.resultsUri}unload/${runId}/${key.replace(/[^A-Za-z0-9._-]+/g, '_')}/${attempt}/`;
      const all = [...known, ...excluded.filter((e) => !known.includes(e))];
      return unloadQuery(pass, request, tables, { ...scope, excluded: all }, to, quotas);
    });
    for (const s of outcome.skipped) excludedBy.set(s.path, s);
    const manifest = `${deps.target.resultsUri}results/${outcome.execution.id}-manifest.csv`;
    const rows: T[] = [];
    for await (const row of unloadedRows(manifest, schema, storeOptions)) rows.push(row);
    return rows;
  };

  try {
    const statsRows = await run('stats', request.range, statsRowSchema);
    const stats = statsFromRows(statsRows, { maxInputLength: request.maxInputLength });
    if (stats.unique === 0)
      throw new UsageError(
        `no labelled rows in ${request.range.label}: ${stats.rowsInRange} rows in range, ${stats.unlabelled} without a ${request.labelField}`,
      );
    const cap = request.maxExamples === 'all' ? stats.unique : request.maxExamples;
    const quotas = quotasFromStats(stats, request.balance, cap);
    const limit = pLimit(deps.concurrency);
    const chunks = await Promise.all(
      plan.chunks
        .filter((chunk) => chunk.bytes > 0)
        .map((chunk) => limit(() => run('candidates', chunk, sampleRowSchema, quotas))),
    );
    const sample: SqlSampleRow[] = mergeCandidates(chunks.flat(), quotas);
    const written = await writeSampledDataset(out, sampleFromRows(sample), {
      seed: request.seed,
      validationRatio: request.validationRatio,
      maxInputLength: request.maxInputLength,
    });
    const tokens = measureTokens({
      written: written.written,
      // The compact-vs-full saving needs each example in both formats: not drawn on Athena (savingSampleSize 0).
      pairs: [],
      exact: written.exact,
      totalExamples: written.train + written.validation,
      format: request.contextFormat,
      maxInputLength: request.maxInputLength,
    });
    await written.closed;
    for (const { path, reason } of excludedBy.values()) skipped.push({ key: keyUnder(request.logsUri, path), reason });
    const summary = athenaSummary({
      request,
      layout: { used: layout.template, detected: layout.detected },
      objects,
      skipped,
      stats,
      written,
      tokens,
      seconds: Math.max(1e-3, (deps.clock.now() - started) / 1000),
      source: firstTextSource(tables, objects),
      warnings,
      plan,
      runId,
      ledgerRows: deps.ledger.ofBuild(runId),
      workgroup: deps.target.workgroup,
      tables: tables.map((t) => `${t.spec.database}.${t.spec.table}`),
    });
    await writeCompletion(out, summary, signal);
    return summary;
  } catch (error) {
    throw signal?.aborted ? new CancelledError() : error;
  }
}

/**
 * The logs' own columns and format for stats.json (what maps a pasted CSV row): the first text file's in key order,
 * as the local build takes them. A range of Parquet alone reports CloudFront's W3C names, as a pasted line has them.
 */
function firstTextSource(
  tables: readonly PreparedTable[],
  objects: readonly DatedObject[],
): { columns: string[]; format: LogFormat } {
  for (const o of [...objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const format = formatOfKey(o.key);
    const table = tables.find((t) => t.spec.format === format);
    if (table !== undefined && format !== 'parquet' && format !== undefined)
      return { columns: [...table.sourceFields], format };
  }
  return { columns: tables[0]!.spec.columns.map((c) => c.field), format: 'w3c' };
}

interface PreparedTable extends QueryTable {
  readonly objects: readonly DatedObject[];
  /** The first file's own fields, in its order (stats.json's sourceColumns). */
  readonly sourceFields: readonly string[];
}

async function createTables(
  runner: QueryRunner,
  logs: ObjectStore,
  request: BuildRequest,
  layout: string,
  byFormat: ReadonlyMap<TableFormat, readonly DatedObject[]>,
  objects: readonly DatedObject[],
  target: AthenaTarget,
  signal: AbortSignal | undefined,
): Promise<PreparedTable[]> {
  const distributions = layout.includes('{distribution}') ? distributionsOf(objects, layout) : [];
  const years: [number, number] = [Number(request.range.start.slice(0, 4)), Number(request.range.end.slice(0, 4))];
  const tables: PreparedTable[] = [];
  for (const [format, files] of byFormat) {
    throwIfAborted(signal);
    const { columns, sourceFields } = await fieldsOf(logs, format, files, request, signal);
    const material = JSON.stringify([request.logsUri, layout, format, columns, distributions, years]);
    const spec: TableSpec = {
      database: target.database,
      table: tableName(material, format, (t) => createHash('sha256').update(t).digest('hex')),
      format,
      location: request.logsUri,
      layout,
      columns,
      distributions,
      years,
    };
    const others = objects.filter((o) => formatOfKey(o.key) !== format).map((o) => uriOf(request.logsUri, o.key));
    if (others.reduce((n, p) => n + p.length + 4, 0) > MAX_QUERY_BYTES / 2)
      throw new NotSupportedError(
        `the Athena engine on a location mixing formats at this scale (${others.length} files of other formats than ${format} in the range)`,
      );
    // DDL is free and IF NOT EXISTS: run through the ledger like any query, so a restart does not repeat it either.
    await runner.run(`ddl:${spec.table}`, () => renderTableDdl(spec));
    tables.push({ spec, objects: files, others, sourceFields });
  }
  return tables;
}

/**
 * The columns a table needs. CSV and W3C are read by position: the first file's header (every file of the format
 * must have it). JSON is read by key: the first file's keys, with CloudFront's standard fields and v2's `timestamp`
 * besides (a key a file lacks is NULL, as locally). Parquet carries its own names: AWS's documented columns, each
 * read as the CloudFront field it is (`cs_host` → `cs(Host)`), and the label.
 */
async function fieldsOf(
  logs: ObjectStore,
  format: TableFormat,
  files: readonly DatedObject[],
  request: BuildRequest,
  signal: AbortSignal | undefined,
): Promise<{ columns: TableColumn[]; sourceFields: string[] }> {
  if (format === 'parquet') {
    const byName = new Map(tableColumns(CANONICAL_FIELDS).map((c) => [c.name, c.field]));
    const columns = [...CLOUDFRONT_PARQUET_COLUMNS].map((name) => ({ name, field: byName.get(name) ?? name }));
    const label = tableColumns([...columns.map((c) => c.field), request.labelField]).at(-1)!;
    const all = [...columns, { name: label.name, field: request.labelField }];
    return { columns: all, sourceFields: all.map((c) => c.field) };
  }
  // The first file that reads: a corrupt one is left for Athena to fail on, name, and exclude.
  let header: readonly string[] | undefined;
  let lastError: unknown;
  for (const file of files.slice(0, HEADER_TRIES)) {
    try {
      visitLogFile(
        await logs.get(file.key, signal),
        { labelField: request.labelField, maxBytes: request.maxFileBytes },
        { columns: (names) => (header = names), row: () => undefined },
      );
      if (header !== undefined) break;
    } catch (error) {
      if (signal?.aborted) throw error;
      header = undefined;
      lastError = error;
    }
  }
  if (header === undefined)
    throw new UsageError(
      `none of the first ${Math.min(HEADER_TRIES, files.length)} ${format} files could be read for their columns ` +
        `(${(lastError as Error | undefined)?.message ?? 'no file'})`,
    );
  const fields = format === 'jsonl' ? [...new Set([...header, ...CANONICAL_FIELDS, 'timestamp'])] : [...header];
  return { columns: tableColumns(fields), sourceFields: [...header] };
}

/** Files of a format tried for its columns before the build gives up. */
const HEADER_TRIES = 5;

function uriOf(logsUri: string, key: string): string {
  return `${logsUri.endsWith('/') ? logsUri : `${logsUri}/`}${key}`;
}

function keyUnder(logsUri: string, path: string): string {
  const base = logsUri.endsWith('/') ? logsUri : `${logsUri}/`;
  return path.startsWith(base) ? path.slice(base.length) : path;
}

/** The {distribution} values the listing found (the projection's enum). */
function distributionsOf(objects: readonly DatedObject[], layout: string): string[] {
  const before = layout.slice(0, layout.indexOf('{distribution}'));
  const after = layout.slice(layout.indexOf('{distribution}') + '{distribution}'.length);
  const stop = after[0] ?? '/';
  const found = new Set<string>();
  for (const o of objects) {
    if (!o.key.startsWith(before)) continue;
    const rest = o.key.slice(before.length);
    found.add(rest.slice(0, rest.indexOf(stop)));
  }
  return [...found].sort();
}
