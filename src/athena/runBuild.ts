import { buildDataset } from '../dataset/build.ts';
import { writeCompletion } from '../dataset/output/outputs.ts';
import { channelUris, DATASET_FILES } from '../dataset/output/folder.ts';
import { summaryHeader } from '../dataset/request/request.ts';
import { loadDataSettings } from '../dataset/settings.ts';
import type { BuildHooks, BuildRequest, BuildSummary } from '../dataset/types.ts';
import { athenaApi, athenaClient } from '../aws/athena.ts';
import { listDays } from '../logs/dateRange.ts';
import { resolveLayout } from '../logs/detectLayout.ts';
import { listRangeObjects } from '../logs/layout.ts';
import { openStore } from '../objectStore/open.ts';
import { joinUri } from '../objectStore/uri.ts';
import type { Env } from '../shared/env.ts';
import type { Clock } from '../shared/clock.ts';
import { buildOnAthena, type AthenaBuildHooks } from './build.ts';
import { chooseEngine, type EngineChoice } from './engine.ts';
import { QueryLedger } from './ledger.ts';
import type { ScanPlan } from './plan.ts';
import { athenaConfigured, requireAthena, settingsOfRequest } from './settings.ts';
import { ScanRequestsRepo } from '../spend/scanRequests.ts';
import type { AthenaSql, DatasetAssembler } from './sqlPlan.ts';

/** What the dataset's own content is, as the assembler measures it: the parts of stats.json that are the same on each engine. */
export type AssembledDataset = Pick<
  BuildSummary,
  'rows' | 'labels' | 'examples' | 'tokens' | 'sourceColumns' | 'sourceFormat'
> & { readonly filesRead: number };

/**
 * The dataset's SQL and the assembler that writes its rows with the local engine's writers: provided by the shared
 * SQL template (src/dataset/sql) once it exists; until then an Athena build stops after its plan, saying so.
 */
export interface DatasetSqlProvider {
  sql(request: BuildRequest): AthenaSql<unknown, unknown>;
  assembler(request: BuildRequest): DatasetAssembler<unknown, unknown, AssembledDataset>;
}

export interface EngineHooks extends BuildHooks {
  readonly onEngine?: (choice: EngineChoice) => void;
  readonly onPlan?: (plan: ScanPlan) => void;
  readonly onQuery?: AthenaBuildHooks['onQuery'];
}

/** A poller's clock that keeps the process alive while it waits (the CLI has nothing else holding its event loop). */
const heldClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface EngineOptions {
  readonly env?: Env;
  readonly provider?: DatasetSqlProvider;
  /** The dollars an approver approved for this build's scan (Slack), if any. */
  readonly approvedUsd?: number;
  readonly pollMs?: number;
}

/**
 * `--engine local|athena|auto` → the build. Local is the streaming builder; Athena the SQL engine; auto lists the
 * range first and picks by its bytes (chooseEngine). Both write the same folder and the same stats.json, Athena's
 * with its bytes scanned and dollars.
 */
export async function buildWithEngine(
  request: BuildRequest,
  hooks: EngineHooks = {},
  options: EngineOptions = {},
): Promise<BuildSummary> {
  const env = options.env ?? process.env;
  const setting = request.engine ?? 'local';
  if (setting === 'local') {
    hooks.onEngine?.(chooseEngine('local', 0, { configured: false, minBytes: 0 }));
    return buildDataset(request, hooks);
  }
  const { settings: athena, artifactsUri } = settingsOfRequest(
    request.athena,
    env,
    request.athena === undefined ? loadDataSettings(env).artifactsUri : undefined,
  );
  const configured = athenaConfigured(athena, artifactsUri);
  let listedBytes = 0;
  if (setting === 'auto') {
    if (!configured || !request.logsUri.startsWith('s3://')) {
      const choice = chooseEngine('auto', 0, { configured: false, minBytes: athena.minBytes });
      hooks.onEngine?.(choice);
      return buildDataset(request, hooks);
    }
    listedBytes = await listedBytesOf(request, hooks.signal);
  }
  const choice = chooseEngine(setting, listedBytes, { configured, minBytes: athena.minBytes });
  hooks.onEngine?.(choice);
  if (choice.engine === 'local') return buildDataset(request, hooks);

  const target = requireAthena(athena, artifactsUri);
  const ledger = QueryLedger.open(athena.ledgerPath);
  const client = athenaClient();
  const started = Date.now();
  const scanned = new Map<string, number>();
  try {
    const provider = options.provider;
    // A scan an approver approved for this build (the spend lifecycle's scan kind) runs within its cap.
    const scans = new ScanRequestsRepo(ledger.db);
    const approved = scans.approvedFor(request.datasetId);
    const approvedUsd = options.approvedUsd ?? approved?.capUsd;
    const result = await buildOnAthena(
      request,
      {
        api: athenaApi(client),
        ledger,
        clock: heldClock,
        target,
        approvalUsd: athena.approvalUsd,
        maxRetries: athena.maxRetries,
        pollMs: options.pollMs ?? 2_000,
        concurrency: 4,
        ...(approvedUsd !== undefined && { approvedUsd }),
        ...(approved && { onScanStarts: () => void scans.markStarted(approved.id, new Date()) }),
        ...(provider && { sql: provider.sql(request), assembler: () => provider.assembler(request) }),
      },
      {
        ...(hooks.signal && { signal: hooks.signal }),
        ...(hooks.onPlan && { onPlan: hooks.onPlan }),
        onQuery: (q) => {
          hooks.onQuery?.(q);
          // The thread's progress line (and the CLI's): bytes Athena has scanned so far, every query together.
          scanned.set(`${q.key}#${q.attempt}`, q.scannedBytes);
          const bytesRead = [...scanned.values()].reduce((a, b) => a + b, 0);
          const elapsedSeconds = (Date.now() - started) / 1000;
          hooks.onProgress?.({
            phase: 'reading',
            filesDone: 0,
            filesTotal: undefined,
            filesSkipped: 0,
            rowsScanned: 0,
            bytesRead,
            elapsedSeconds,
            bytesPerSecond: elapsedSeconds > 0 ? bytesRead / elapsedSeconds : 0,
            etaSeconds: undefined,
          });
        },
        ...(hooks.onLayout && { onLayout: hooks.onLayout }),
      },
    );
    const out = await openStore(request.outUri, { s3ForcePathStyle: request.s3ForcePathStyle });
    const seconds = (Date.now() - started) / 1000;
    const bytes = result.objects.reduce((sum, o) => sum + o.size, 0);
    const { assembled } = result;
    const summary: BuildSummary = {
      ...summaryHeader(request),
      layout: result.layout,
      files: {
        listed: result.objects.length,
        read: assembled.filesRead,
        skipped: result.skipped.length,
        skippedFiles: result.skipped,
        bytes,
      },
      rows: assembled.rows,
      labels: assembled.labels,
      examples: assembled.examples,
      tokens: assembled.tokens,
      seconds: Math.round(seconds * 1000) / 1000,
      rowsPerSecond: Math.round(assembled.rows.scanned / seconds),
      megabytesPerSecond: Math.round((bytes / 1e6 / seconds) * 10) / 10,
      fetchConcurrency: request.fetchConcurrency,
      parseWorkers: request.parseWorkers,
      sourceColumns: assembled.sourceColumns,
      sourceFormat: assembled.sourceFormat,
      channels: channelUris(request.outUri),
      outputs: {
        train: joinUri(request.outUri, DATASET_FILES.train),
        validation: joinUri(request.outUri, DATASET_FILES.validation),
        template: joinUri(request.outUri, DATASET_FILES.template),
        stats: joinUri(request.outUri, DATASET_FILES.stats),
      },
      engine: 'athena',
      athena: {
        bytesScanned: result.athena.bytesScanned,
        dollars: result.athena.dollars,
        queries: result.athena.queries,
        attempts: result.athena.attempts,
        workgroup: result.athena.workgroup,
        tables: result.athena.tables,
        quotedUsd: result.plan.usd,
      },
    };
    await writeCompletion(out, summary, hooks.signal);
    return summary;
  } finally {
    client.destroy();
    ledger.close();
  }
}

/** The range's listed bytes, for `auto` (the same listing the plan makes; no object is read). */
async function listedBytesOf(request: BuildRequest, signal: AbortSignal | undefined): Promise<number> {
  const logs = await openStore(request.logsUri, { s3ForcePathStyle: request.s3ForcePathStyle, source: 'logs' });
  const layout = await resolveLayout(logs, request.layout, signal);
  const objects = await listRangeObjects(logs, layout.template, listDays(request.range), {
    concurrency: request.fetchConcurrency,
    ...(signal && { signal }),
  });
  return objects.reduce((sum, o) => sum + o.size, 0);
}
