import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { CancelledError, NotSupportedError, UsageError, throwIfAborted } from '../errors.ts';
import type { AthenaApi } from '../aws/athena.ts';
import { listDays } from '../logs/dateRange.ts';
import { resolveLayout } from '../logs/detectLayout.ts';
import { visitLogFile } from '../logs/formats/index.ts';
import { listRangeObjects, type DatedObject } from '../logs/layout.ts';
import { openStore } from '../objectStore/open.ts';
import type { ObjectStore } from '../objectStore/store.ts';
import type { Clock } from '../shared/clock.ts';
import { buildKey } from '../dataset/request/request.ts';
import type { BuildRequest, SkippedFile } from '../dataset/types.ts';
import {
  CLOUDFRONT_PARQUET_COLUMNS,
  rangePredicate,
  renderTableDdl,
  sqlString,
  tableColumns,
  tableName,
  type TableFormat,
  type TableSpec,
} from './ddl.ts';
import { assertProjectable } from './engine.ts';
import type { QueryLedger } from './ledger.ts';
import { billedBytes, planScan, usdFor, type DayChunk, type ScanPlan } from './plan.ts';
import { QueryRunner, type QueryProgress } from './queryRunner.ts';
import type { AthenaTarget } from './settings.ts';
import type { AthenaSql, DatasetAssembler, SqlSource } from './sqlPlan.ts';
import { unloadedRows } from './unload.ts';
import { sqlNotWired } from './notWired.ts';

/**
 * Date range → dataset on Athena: list the range (the bytes the plan prices), refuse or ask for approval above
 * LOGTUNE_ATHENA_APPROVAL_USD, cap the workgroup's bytes per query, create the tables (free), then per chunk of days
 * (≤ 1 TB) a stats pass and a candidates pass, each an UNLOAD to JSON under the artifacts location, run concurrently
 * within a small bound, every start guarded by the ledger. The rows go to the assembler, which writes the dataset
 * with the local engine's writers. A file a query cannot read is excluded and counted in skippedFiles.
 */
export interface AthenaBuildDeps<S, C, R> {
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
  /** The dataset's SQL and its assembler; absent while the shared template is not wired in (see runBuild.ts). */
  readonly sql?: AthenaSql<S, C>;
  readonly assembler?: (context: AssemblyContext) => DatasetAssembler<S, C, R>;
  /**
   * The dollars an approver approved for this build's scan (a spend request), if any: a plan above
   * LOGTUNE_ATHENA_APPROVAL_USD runs only within it.
   */
  readonly approvedUsd?: number;
  /** Called once, right before the first side effect in AWS (the cutoff): the approved scan begins. */
  readonly onScanStarts?: () => void;
}

export interface AssemblyContext {
  readonly tables: readonly TableSpec[];
  readonly objects: readonly DatedObject[];
}

export interface AthenaBuildHooks {
  readonly signal?: AbortSignal;
  readonly onPlan?: (plan: ScanPlan) => void;
  readonly onQuery?: (progress: QueryProgress) => void;
  readonly onLayout?: (layout: {
    readonly template: string;
    readonly name: string;
    readonly detected: boolean;
  }) => void;
}

export interface AthenaBuildResult<R> {
  readonly assembled: R;
  readonly plan: ScanPlan;
  readonly athena: {
    /** The ledger's name for this build's queries (the request's content and the listed files). */
    readonly runId: string;
    readonly bytesScanned: number;
    readonly dollars: number;
    readonly queries: number;
    readonly attempts: number;
    readonly workgroup: string;
    readonly tables: readonly string[];
  };
  readonly objects: readonly DatedObject[];
  readonly skipped: readonly SkippedFile[];
  readonly layout: { readonly setting: string; readonly used: string; readonly detected: boolean };
}

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
  const plan = planScan(days, approvalUsd);
  return { logs, layout, objects, byFormat, skipped, plan };
}

export async function buildOnAthena<S, C, R>(
  request: BuildRequest,
  deps: AthenaBuildDeps<S, C, R>,
  hooks: AthenaBuildHooks = {},
): Promise<AthenaBuildResult<R>> {
  const { signal } = hooks;
  const prepared = await prepareScan(request, deps.approvalUsd, hooks);
  const { logs, layout, objects, byFormat, plan } = prepared;
  const skipped = [...prepared.skipped];
  hooks.onPlan?.(plan);
  // The queries' identity: the request's content and the exact files listed, not the dataset id. A rerun of the same
  // build (a restart, or the CLI run again after a crash) finds its queries in the ledger and re-attaches to them;
  // the same SQL over the same files would only give the same rows again, for money.
  const runId = `ath-${createHash('sha256')
    .update(JSON.stringify([buildKey(request), objects.map((o) => [o.key, o.size])]))
    .digest('hex')
    .slice(0, 20)}`;
  if (plan.needsApproval && !(deps.approvedUsd !== undefined && deps.approvedUsd + 1e-9 >= plan.usd))
    throw new ScanApprovalRequired(plan, deps.approvalUsd);

  if (deps.sql === undefined || deps.assembler === undefined) throw sqlNotWired();
  const { sql } = deps;
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

  const tables = await createTables(runner, logs, request, layout.template, byFormat, objects, deps.target, signal);
  const assembler = deps.assembler({ tables: tables.map((t) => t.spec), objects });
  const limit = pLimit(deps.concurrency);
  const excludedBy = new Map<string, { path: string; reason: string }>();
  try {
    const passes = tables
      .flatMap((table) =>
        plan.chunks.map((chunk) => ({
          table,
          chunk,
          files: table.objects.filter((o) => o.day >= chunk.start && o.day <= chunk.end),
        })),
      )
      .filter((p) => p.files.length > 0);
    const run = async (pass: 'stats' | 'candidates', p: (typeof passes)[number]) => {
      const key = `${pass}:${p.table.spec.format}:${p.chunk.start}..${p.chunk.end}`;
      // Files an earlier pass found unreadable are left out from the start: no second failed attempt on them.
      const chunkFiles = new Set(p.files.map((o) => uriOf(request.logsUri, o.key)));
      const known = [...excludedBy.keys()].filter((path) => chunkFiles.has(path));
      const outcome = await runner.run(key, (excluded, attempt) =>
        unloadSql(
          sql,
          deps.target,
          pass,
          p.table,
          p.chunk,
          [...p.table.others, ...known, ...excluded.filter((e) => !known.includes(e))],
          runId,
          key,
          attempt,
        ),
      );
      for (const s of outcome.skipped) excludedBy.set(s.path, s);
      const manifest = `${deps.target.resultsUri}results/${outcome.execution.id}-manifest.csv`;
      const schema = pass === 'stats' ? sql.statsRow : sql.candidateRow;
      const storeOptions = { s3ForcePathStyle: request.s3ForcePathStyle, s3FastGet: request.s3FastGet };
      const rows: unknown[] = [];
      for await (const row of unloadedRows(manifest, schema as typeof sql.statsRow, {
        ...storeOptions,
        ...(signal && { signal }),
      }))
        rows.push(row);
      return rows;
    };
    // Every chunk's stats, then every chunk's candidates: the assembler sees the counts before the examples.
    const stats = await Promise.all(passes.map((p) => limit(() => run('stats', p))));
    for (const rows of stats) for (const row of rows) assembler.stats(row as S);
    const candidates = await Promise.all(passes.map((p) => limit(() => run('candidates', p))));
    for (const rows of candidates) for (const row of rows) assembler.candidate(row as C);
  } catch (error) {
    await assembler.abort().catch(() => undefined);
    throw signal?.aborted ? new CancelledError() : error;
  }
  for (const { path, reason } of excludedBy.values()) {
    const key = keyUnder(request.logsUri, path);
    skipped.push({ key, reason });
  }
  const assembled = await assembler.finish(signal);
  const ledgerRows = deps.ledger.ofBuild(runId);
  const bytesScanned = ledgerRows.reduce((sum, r) => sum + r.scannedBytes, 0);
  return {
    assembled,
    plan,
    athena: {
      runId,
      bytesScanned,
      // Every attempt that scanned is billed (a failed one too when it read), DDL and zero-byte failures are not.
      dollars: usdFor(ledgerRows.reduce((sum, r) => sum + (r.scannedBytes > 0 ? billedBytes(r.scannedBytes) : 0), 0)),
      queries: new Set(ledgerRows.map((r) => r.key)).size,
      attempts: ledgerRows.length,
      workgroup: deps.target.workgroup,
      tables: tables.map((t) => `${t.spec.database}.${t.spec.table}`),
    },
    objects,
    skipped,
    layout: { setting: request.layout, used: layout.template, detected: layout.detected },
  };
}

interface PreparedTable {
  readonly spec: TableSpec;
  readonly objects: readonly DatedObject[];
  /** The other formats' files under the same folders: left out of this table's queries by "$path". */
  readonly others: readonly string[];
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
    const fields = await fieldsOf(logs, format, files[0]!, request, signal);
    const columns = tableColumns(fields);
    const material = JSON.stringify([request.logsUri, layout, format, fields, distributions, years]);
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
    tables.push({ spec, objects: files, others });
  }
  return tables;
}

/** The columns a table needs: the first file's own header (text formats), or CloudFront's Parquet names. */
async function fieldsOf(
  logs: ObjectStore,
  format: TableFormat,
  first: DatedObject,
  request: BuildRequest,
  signal: AbortSignal | undefined,
): Promise<readonly string[]> {
  if (format === 'parquet') return [...CLOUDFRONT_PARQUET_COLUMNS, request.labelField];
  const bytes = await logs.get(first.key, signal);
  let columns: readonly string[] = [];
  visitLogFile(
    bytes,
    { labelField: request.labelField, maxBytes: request.maxFileBytes },
    {
      columns: (names) => (columns = names),
      row: () => undefined,
    },
  );
  return columns;
}

function unloadSql<S, C>(
  sql: AthenaSql<S, C>,
  target: AthenaTarget,
  pass: 'stats' | 'candidates',
  table: PreparedTable,
  chunk: DayChunk,
  excluded: readonly string[],
  buildId: string,
  key: string,
  attempt: number,
): string {
  const source: SqlSource = {
    relation: `\`${table.spec.database}\`.\`${table.spec.table}\``,
    format: table.spec.format,
    columns: table.spec.columns,
    chunk,
    excluded,
    partitions: rangePredicate(chunk.start, chunk.end),
  };
  const select = pass === 'stats' ? sql.statsSelect(source) : sql.candidatesSelect(source);
  // UNLOAD needs an empty TO location: one folder per build, query and attempt.
  const to = `${target.resultsUri}unload/${buildId}/${key.replace(/[^A-Za-z0-9._-]+/g, '_')}/${attempt}/`;
  return `UNLOAD (\n${select}\n) TO ${sqlString(to)} WITH (format = 'JSON')`;
}

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
