import { CancelledError, throwIfAborted } from '../errors.ts';
import { isTerminal, type AthenaApi, type QueryExecution } from '../aws/athena.ts';
import type { Clock } from '../shared/clock.ts';
import { badFileOf, type NamedBadFile } from './badFile.ts';
import type { LedgerRow, QueryLedger } from './ledger.ts';

/** One query's progress, from GetQueryExecution: for the thread and stderr. */
export interface QueryProgress {
  readonly key: string;
  readonly attempt: number;
  readonly executionId: string;
  readonly state: QueryExecution['state'];
  readonly scannedBytes: number;
  readonly elapsedMs: number;
}

export interface QueryRunnerOptions {
  readonly api: AthenaApi;
  readonly ledger: QueryLedger;
  readonly clock: Clock;
  readonly buildId: string;
  readonly workgroup: string;
  readonly database: string;
  /** s3://…/ for the queries' own result files. */
  readonly outputLocation: string;
  /** The logs' s3:// location: a failure naming a file under it is a bad log file. */
  readonly logsLocation: string;
  /** LOGTUNE_ATHENA_MAX_RETRIES: reruns after bad files, per query. */
  readonly maxRetries: number;
  readonly pollMs: number;
  /** How long a cancelled query may take to say CANCELLED before logtune stops waiting. */
  readonly stopWaitMs?: number;
  readonly onProgress?: (progress: QueryProgress) => void;
  readonly signal?: AbortSignal;
}

export interface QueryOutcome {
  readonly execution: QueryExecution;
  /** Every attempt's scanned bytes (failed attempts are billed too when they scanned, and counted). */
  readonly scannedBytes: number;
  readonly attempts: number;
  /** The files excluded on the way, each with Athena's reason. */
  readonly skipped: readonly NamedBadFile[];
}

/** The attempt's SQL, without the files excluded so far; `attempt` names its own output folder (UNLOAD's TO must be empty). */
export type Render = (excludedPaths: readonly string[], attempt: number) => string;

/** The query failed for a reason logtune cannot work around; Athena's words. */
export class AthenaQueryFailedError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`Athena query ${key} failed: ${reason}`);
    this.name = 'AthenaQueryFailedError';
  }
}

/**
 * Runs one logical query to its end through the ledger: re-attaches to an attempt already started (by an earlier
 * process), starts one otherwise (token written first), follows it with GetQueryExecution, stops it on cancel, and
 * on a failure that names a bad log file reruns it without that file, at most maxRetries times.
 */
export class QueryRunner {
  constructor(private readonly o: QueryRunnerOptions) {}

  async run(key: string, render: Render): Promise<QueryOutcome> {
    const { ledger, buildId } = this.o;
    for (;;) {
      throwIfAborted(this.o.signal);
      const attempts = ledger.attempts(buildId, key);
      let row = attempts.at(-1);
      if (row === undefined) row = this.begin(key, 1, [], render);
      // Cancelled before (the build was cancelled, and now someone asks for it again): a new attempt, not an error.
      else if (row.state === 'CANCELLED') row = this.begin(key, row.attempt + 1, row.excluded, render);
      const execution = await this.follow(row);
      const scanned = ledger.attempts(buildId, key).reduce((sum, r) => sum + r.scannedBytes, 0);
      const skipped = row.excluded.map((e) => ({ path: e.path, reason: e.reason }));
      if (execution.state === 'SUCCEEDED') return { execution, scannedBytes: scanned, attempts: row.attempt, skipped };
      if (execution.state === 'CANCELLED') throw new CancelledError(`Athena query ${key} was cancelled`);
      const bad = badFileOf(execution.reason, this.o.logsLocation);
      const reason = execution.reason ?? 'no reason given';
      if (bad === undefined) throw new AthenaQueryFailedError(key, reason);
      if (row.excluded.some((e) => e.path === bad.path))
        throw new AthenaQueryFailedError(key, `${reason} (the file was already excluded)`);
      if (row.excluded.length >= this.o.maxRetries)
        throw new AthenaQueryFailedError(
          key,
          `${reason} — ${row.excluded.length} bad files excluded already, LOGTUNE_ATHENA_MAX_RETRIES is ${this.o.maxRetries}`,
        );
      this.begin(key, row.attempt + 1, [...row.excluded, bad], render);
    }
  }

  private begin(key: string, attempt: number, excluded: readonly NamedBadFile[], render: Render): LedgerRow {
    const sql = render(
      excluded.map((e) => e.path),
      attempt,
    );
    return this.o.ledger.begin({ buildId: this.o.buildId, key, attempt, sql, excluded }, this.now());
  }

  /** Starts the attempt if the ledger has no execution for it yet (same token: same query), then follows it. */
  private async follow(row: LedgerRow): Promise<QueryExecution> {
    const { api, ledger, signal } = this.o;
    let id = row.executionId;
    if (id === undefined) {
      id = await api.start(
        {
          sql: row.sql,
          token: row.token,
          workgroup: this.o.workgroup,
          database: this.o.database,
          outputLocation: this.o.outputLocation,
        },
        signal,
      );
      ledger.started(row.token, id, this.now());
    }
    for (;;) {
      if (signal?.aborted) return this.stop(row, id);
      const execution = await api.get(id);
      ledger.observed(row.token, execution.state, execution.scannedBytes, execution.reason, this.now());
      this.o.onProgress?.({
        key: row.key,
        attempt: row.attempt,
        executionId: id,
        state: execution.state,
        scannedBytes: execution.scannedBytes,
        elapsedMs: execution.elapsedMs,
      });
      if (isTerminal(execution.state)) return execution;
      await this.sleep(this.o.pollMs);
    }
  }

  /** StopQueryExecution, then waits (bounded) to see it end, so its scanned bytes are recorded. */
  private async stop(row: LedgerRow, id: string): Promise<never> {
    const { api, ledger } = this.o;
    await api.stop(id);
    const deadline = this.o.clock.now() + (this.o.stopWaitMs ?? 60_000);
    while (this.o.clock.now() < deadline) {
      const execution = await api.get(id);
      ledger.observed(row.token, execution.state, execution.scannedBytes, execution.reason, this.now());
      if (isTerminal(execution.state)) break;
      await this.sleep(this.o.pollMs, false);
    }
    throw new CancelledError();
  }

  private sleep(ms: number, wakeOnAbort = true): Promise<void> {
    const { clock, signal } = this.o;
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        clock.clearTimeout(timer);
        resolve();
      };
      const timer = clock.setTimeout(done, ms);
      if (wakeOnAbort) signal?.addEventListener('abort', done, { once: true });
    });
  }

  private now(): Date {
    return new Date(this.o.clock.now());
  }
}
