import { buildDataset } from '../dataset/build.ts';
import { loadDataSettings } from '../dataset/settings.ts';
import type { BuildHooks, BuildRequest, BuildSummary } from '../dataset/types.ts';
import { athenaApi, athenaClient } from '../aws/athena.ts';
import { listDays } from '../logs/dateRange.ts';
import { resolveLayout } from '../logs/detectLayout.ts';
import { listRangeObjects } from '../logs/layout.ts';
import { openStore } from '../objectStore/open.ts';
import type { Env } from '../shared/env.ts';
import type { Clock } from '../shared/clock.ts';
import { buildOnAthena, type AthenaBuildHooks } from './build.ts';
import { chooseEngine, type EngineChoice } from './engine.ts';
import { QueryLedger } from './ledger.ts';
import type { ScanPlan } from './plan.ts';
import { athenaConfigured, requireAthena, settingsOfRequest } from './settings.ts';
import { ScanRequestsRepo } from '../spend/scanRequests.ts';

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
  const scanned = new Map<string, { bytes: number; running: boolean }>();
  try {
    // A scan an approver approved for this build (the spend lifecycle's scan kind) runs within its cap.
    const scans = new ScanRequestsRepo(ledger.db);
    const approved = scans.approvedFor(request.datasetId);
    const approvedUsd = options.approvedUsd ?? approved?.capUsd;
    return await buildOnAthena(
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
      },
      {
        ...(hooks.signal && { signal: hooks.signal }),
        ...(hooks.onPlan && { onPlan: hooks.onPlan }),
        ...(hooks.onLayout && { onLayout: hooks.onLayout }),
        ...(hooks.onWarning && { onWarning: hooks.onWarning }),
        onQuery: (q) => {
          hooks.onQuery?.(q);
          // The thread's progress line (and the CLI's): bytes Athena has scanned so far, every query together.
          // DDL is free and instant: only the paid queries are progress.
          if (q.key.startsWith('ddl:')) return;
          scanned.set(`${q.key}#${q.attempt}`, {
            bytes: q.scannedBytes,
            running: q.state === 'QUEUED' || q.state === 'RUNNING',
          });
          const bytesRead = [...scanned.values()].reduce((a, b) => a + b.bytes, 0);
          const running = [...scanned.values()].filter((s) => s.running).length;
          const elapsedSeconds = (Date.now() - started) / 1000;
          hooks.onProgress?.({
            phase: 'reading',
            filesDone: 0,
            // Unknown to the Slack thread's "listing done" and the CLI's bar: Athena reads the files.
            filesTotal: undefined,
            filesSkipped: 0,
            rowsScanned: 0,
            bytesRead,
            elapsedSeconds,
            bytesPerSecond: elapsedSeconds > 0 ? bytesRead / elapsedSeconds : 0,
            etaSeconds: undefined,
            athena: { bytesScanned: bytesRead, running, done: scanned.size - running },
          });
        },
      },
    );
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
