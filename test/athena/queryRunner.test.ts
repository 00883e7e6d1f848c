import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { athenaApi } from '../../src/aws/athena.ts';
import { QueryLedger } from '../../src/athena/ledger.ts';
import { AthenaQueryFailedError, QueryRunner, type QueryProgress } from '../../src/athena/queryRunner.ts';
import { openDatabase } from '../../src/db/db.ts';
import { LEDGER_MIGRATIONS } from '../../src/athena/ledger.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { CancelledError } from '../../src/errors.ts';
import { startFakeAthena, type Executor, type FakeAthena } from './fakeAthena.ts';

const LOGS = 's3://logs/cf/';
const BAD = 's3://logs/cf/2024/04/02/part-0002.csv.gz';
const OTHER_BAD = 's3://logs/cf/2024/04/03/part-0009.csv.gz';

/** Fails naming every bad file the SQL still reads, in Trino's words (HIVE_CANNOT_OPEN_SPLIT). */
function failingOn(bad: readonly string[]): Executor {
  return async ({ sql }) => {
    const still = bad.find((path) => !sql.includes(`'${path}'`));
    if (still !== undefined)
      return {
        scannedBytes: 3_000_000,
        failure: `HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split ${still} (offset=0, length=2048): incorrect header check`,
      };
    return { scannedBytes: 50_000_000 };
  };
}

function render(excluded: readonly string[]): string {
  const not = excluded.length === 0 ? '' : ` WHERE "$path" NOT IN (${excluded.map((p) => `'${p}'`).join(', ')})`;
  return `SELECT count(*) FROM logs${not}`;
}

describe('QueryRunner against a loopback Athena', () => {
  let fake: FakeAthena;
  let ledger: QueryLedger;
  let executor: Executor;

  beforeEach(async () => {
    executor = failingOn([]);
    fake = await startFakeAthena(
      (q) => executor(q),
      async () => undefined,
    );
    ledger = new QueryLedger(openDatabase(':memory:', LEDGER_MIGRATIONS));
  });
  afterEach(async () => {
    ledger.close();
    await fake.close();
  });

  function runner(
    extra: {
      signal?: AbortSignal;
      onProgress?: (p: QueryProgress) => void;
      maxRetries?: number;
      api?: ReturnType<typeof athenaApi>;
      stopWaitMs?: number;
    } = {},
  ) {
    return new QueryRunner({
      api: extra.api ?? athenaApi(fake.client),
      ledger,
      clock: systemClock,
      buildId: 'ds-1',
      workgroup: 'logtune',
      database: 'logs',
      outputLocation: 's3://artifacts/athena/results/',
      logsLocation: LOGS,
      maxRetries: extra.maxRetries ?? 3,
      pollMs: 2,
      ...(extra.stopWaitMs !== undefined && { stopWaitMs: extra.stopWaitMs }),
      ...(extra.signal && { signal: extra.signal }),
      ...(extra.onProgress && { onProgress: extra.onProgress }),
    });
  }

  it('follows QUEUED → RUNNING → SUCCEEDED, reporting each state, and records the scanned bytes', async () => {
    fake.pace(2, 2);
    const seen: string[] = [];
    const outcome = await runner({ onProgress: (p) => seen.push(p.state) }).run('stats-0', render);
    expect(outcome.execution.state).toBe('SUCCEEDED');
    expect(outcome.scannedBytes).toBe(50_000_000);
    expect([...new Set(seen)]).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(fake.count('StartQueryExecution')).toBe(1);
    const [row] = ledger.attempts('ds-1', 'stats-0');
    expect(row).toMatchObject({ state: 'SUCCEEDED', scannedBytes: 50_000_000, attempt: 1 });
    expect(row!.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a failure naming a log file excludes it, reruns, and counts every attempt’s bytes', async () => {
    executor = failingOn([BAD, OTHER_BAD]);
    const outcome = await runner().run('candidates-0', render);
    expect(outcome.attempts).toBe(3);
    expect(outcome.skipped.map((s) => s.path)).toEqual([BAD, OTHER_BAD]);
    expect(outcome.skipped[0]!.reason).toBe('athena_error: HIVE_CANNOT_OPEN_SPLIT: incorrect header check');
    expect(outcome.scannedBytes).toBe(3_000_000 + 3_000_000 + 50_000_000);
    const sql = fake.requests
      .filter((r) => r.operation === 'StartQueryExecution')
      .map((r) => String(r.body.QueryString));
    expect(sql.at(-1)).toContain(`"$path" NOT IN ('${BAD}', '${OTHER_BAD}')`);
  });

  it('stops after LOGTUNE_ATHENA_MAX_RETRIES reruns, saying so', async () => {
    executor = failingOn([BAD, OTHER_BAD]);
    await expect(runner({ maxRetries: 1 }).run('candidates-0', render)).rejects.toThrow(
      /LOGTUNE_ATHENA_MAX_RETRIES is 1/,
    );
    expect(fake.count('StartQueryExecution')).toBe(2);
  });

  it('a failure naming no log file fails the query with Athena’s reason, without a rerun', async () => {
    executor = async () => ({ scannedBytes: 0, failure: "SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved" });
    const error = await runner()
      .run('stats-0', render)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AthenaQueryFailedError);
    expect((error as Error).message).toContain("Column 'nope' cannot be resolved");
    expect(fake.count('StartQueryExecution')).toBe(1);
  });

  it('cancel stops the running query (StopQueryExecution) and waits to see it CANCELLED', async () => {
    fake.hold(true);
    const controller = new AbortController();
    const running = runner({
      signal: controller.signal,
      onProgress: (p) => p.state === 'RUNNING' && controller.abort(),
    }).run('stats-0', render);
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(fake.count('StopQueryExecution')).toBe(1);
    expect([...fake.queries.values()][0]!.state).toBe('CANCELLED');
    expect(ledger.attempts('ds-1', 'stats-0')[0]!.state).toBe('CANCELLED');
  });

  it('a restart mid-query re-attaches to the running query and never starts it again', async () => {
    fake.hold(true);
    const first = new AbortController();
    // The first process dies while the query runs: its polling ends, the query goes on in Athena.
    const dying = runner({
      api: { ...athenaApi(fake.client), stop: async () => undefined },
      stopWaitMs: 0,
      signal: first.signal,
      onProgress: (p) => {
        if (p.state === 'RUNNING') first.abort();
      },
    }).run('stats-0', render);
    await expect(dying).rejects.toBeInstanceOf(CancelledError);
    expect(ledger.active()).toHaveLength(1);
    fake.hold(false);
    const outcome = await runner().run('stats-0', render);
    expect(outcome.execution.state).toBe('SUCCEEDED');
    expect(fake.count('StartQueryExecution')).toBe(1);
    expect(fake.queries.size).toBe(1);
  });

  it('a crash between writing the token and hearing Athena starts again with the same token: the same query', async () => {
    // What a process that died right after begin() (or whose StartQueryExecution answer was lost) leaves behind.
    const row = ledger.begin(
      { buildId: 'ds-1', key: 'stats-0', attempt: 1, sql: render([]), excluded: [] },
      new Date(),
    );
    const api = athenaApi(fake.client);
    const lostAnswer = await api.start({
      sql: row.sql,
      token: row.token,
      workgroup: 'logtune',
      database: 'logs',
      outputLocation: 's3://artifacts/athena/results/',
    });
    const outcome = await runner().run('stats-0', render);
    expect(outcome.execution.id).toBe(lostAnswer);
    expect(fake.queries.size).toBe(1);
    expect(fake.count('StartQueryExecution')).toBe(2);
  });

  it('the fake refuses what Athena refuses: a short token, a reused token with other SQL', async () => {
    const api = athenaApi(fake.client);
    const query = { sql: 'SELECT 1', workgroup: 'w', database: 'd', outputLocation: 's3://a/b/' };
    await expect(api.start({ ...query, token: 'short' })).rejects.toMatchObject({ name: 'InvalidRequestException' });
    const token = 'x'.repeat(40);
    await api.start({ ...query, token });
    await expect(api.start({ ...query, token, sql: 'SELECT 2' })).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
    await expect(api.setCutoff('w', 9_999_999)).rejects.toMatchObject({ name: 'InvalidRequestException' });
    await api.setCutoff('w', 10_000_000);
    expect(await api.cutoff('w')).toBe(10_000_000);
  });
});
