import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { athenaApi, type AthenaApi } from '../../src/aws/athena.ts';
import { ALL_ON_ATHENA, buildOnAthena, ScanApprovalRequired, type AthenaBuildDeps } from '../../src/athena/build.ts';
import { LEDGER_MIGRATIONS, QueryLedger } from '../../src/athena/ledger.ts';
import { buildDataset } from '../../src/dataset/build.ts';
import { DATASET_FILES } from '../../src/dataset/output/folder.ts';
import { resolveBuildRequest, type BuildOptions } from '../../src/dataset/request/request.ts';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import type { BuildRequest } from '../../src/dataset/types.ts';
import { openDatabase } from '../../src/db/db.ts';
import { CancelledError } from '../../src/errors.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { FIXTURE_RANGE, datasetFixture } from '../helpers/datasetFixture.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';
import { CLOUDFRONT_PARQUET_COLUMNS, tableColumns } from '../../src/athena/ddl.ts';
import { CANONICAL_FIELDS } from '../../src/dataset/examples/example.ts';
import { LABEL_FIELD } from '../helpers/syntheticLogs.ts';
import { duckdbAthena, parquetOf, type DuckdbAthena } from './duckdbAthena.ts';
import { manifestWriter, startFakeAthena, type FakeAthena } from './fakeAthena.ts';

/**
 * `--engine athena` against the loopback Athena (fakeAthena.ts: the JSON 1.1 protocol, QUEUED → RUNNING → end)
 * executing the same SQL template in DuckDB (duckdbAthena.ts) over the fixture's files in s3rver: the dataset must
 * equal, byte for byte, the local build of the same range, settings and seed. Then the paths around it: the corrupt
 * file named by the failure and excluded, the scan's bytes and dollars, approval, cancel, a restart mid-query.
 */
const LOGS = 'logs';
const ARTIFACTS = 'artifacts';
const NOW = new Date('2024-06-10T12:00:00Z');
const CORRUPT = '2024/04/01/bad-corrupt.csv.gz';

let s3: LocalS3;
let root: string;
let fake: FakeAthena;
let duck: DuckdbAthena;
let ledger: QueryLedger;
let outs = 0;
/** Each test its own results location: a test's fresh ledger and fake would otherwise UNLOAD where one already did. */
let resultsUri: string;

beforeAll(async () => {
  s3 = await startLocalS3([LOGS, ARTIFACTS]);
  root = await mkdtemp(join(tmpdir(), 'logtune-athena-build-'));
  // The fixture's files in every format; of its bad files the corrupt gzip (Athena fails on it, naming it). The
  // others (no label column, bad UTF-8, a wrong field count, an empty file) are read differently by a table with the
  // first file's columns: the local engine's per-file checks have no Athena equivalent (docs/athena.md).
  const { objects } = datasetFixture();
  const kept = objects.filter((o) => !o.key.includes('/bad-') || o.key === CORRUPT);
  for (const o of kept) await s3.client.send(new PutObjectCommand({ Bucket: LOGS, Key: `cf/${o.key}`, Body: o.bytes }));
  // The same logs with the W3C files delivered as CloudFront v2 Parquet instead (the same records, by AWS's column
  // names), under pq/: the local engine does not read Parquet, so the Parquet table is compared with the local
  // build of the W3C delivery.
  const columns = new Map(tableColumns([...CANONICAL_FIELDS, LABEL_FIELD]).map((c) => [c.field, c.name]));
  const parquetColumns = new Set([...CLOUDFRONT_PARQUET_COLUMNS, columns.get(LABEL_FIELD)!]);
  for (const o of kept) {
    const w3c = o.key.endsWith('/part-0002.log.gz');
    const body = w3c
      ? await parquetOf(
          o.records!,
          (field) => (parquetColumns.has(columns.get(field)!) ? columns.get(field) : undefined),
          join(root, 'parquet'),
        )
      : o.bytes;
    const key = w3c ? o.key.replace(/\.log\.gz$/, '.parquet') : o.key;
    await s3.client.send(new PutObjectCommand({ Bucket: LOGS, Key: `pq/${key}`, Body: body }));
  }
}, 30_000);

afterAll(async () => {
  await s3?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v);
  duck = await duckdbAthena({
    s3,
    logsBucket: LOGS,
    artifactsBucket: ARTIFACTS,
    workDir: join(root, `duck-${++outs}`),
  });
  fake = await startFakeAthena(
    duck.executor,
    manifestWriter(() => s3, ARTIFACTS),
  );
  ledger = new QueryLedger(openDatabase(':memory:', LEDGER_MIGRATIONS));
  resultsUri = `s3://${ARTIFACTS}/lt-${outs}/athena/`;
});

afterEach(async () => {
  vi.unstubAllEnvs();
  ledger.close();
  duck.close();
  await fake.close();
});

function request(options: Partial<BuildOptions> = {}): BuildRequest {
  const env = {
    ...s3.env,
    LOGTUNE_S3_FORCE_PATH_STYLE: 'true',
    LOGTUNE_PARSE_WORKERS: '0',
    LOGTUNE_FETCH_CONCURRENCY: '4',
  };
  return resolveBuildRequest(
    loadDataSettings(env),
    {
      rangeText: FIXTURE_RANGE.text,
      logsUri: `s3://${LOGS}/cf/`,
      outUri: join(root, `out-${++outs}`),
      maxExamples: 100,
      ...options,
    },
    NOW,
  );
}

function deps(extra: Partial<AthenaBuildDeps> & { api?: AthenaApi } = {}): AthenaBuildDeps {
  return {
    api: athenaApi(fake.client),
    ledger,
    clock: systemClock,
    target: { workgroup: 'logtune', database: 'logtune_logs', resultsUri },
    approvalUsd: 5,
    maxRetries: 3,
    pollMs: 1,
    concurrency: 2,
    ...extra,
  };
}

async function files(outUri: string) {
  return {
    train: await readFile(join(outUri, DATASET_FILES.train), 'utf8'),
    validation: await readFile(join(outUri, DATASET_FILES.validation), 'utf8'),
    template: await readFile(join(outUri, DATASET_FILES.template), 'utf8'),
    stats: JSON.parse(await readFile(join(outUri, DATASET_FILES.stats), 'utf8')) as Record<string, unknown>,
  };
}

/**
 * stats.json without what differs between engines by nature: timings, the output folder (each build writes its
 * own), the engine's own section, a skipped file's reason (each engine says why in its own words; the files are
 * compared), and the compact-vs-full token saving (measured on examples read in both formats, which only a local
 * read has: 0 on Athena, docs/athena.md). Everything else, every count above all, must be equal.
 */
function sharedStats(stats: Record<string, unknown>): Record<string, unknown> {
  const {
    seconds: _s,
    rowsPerSecond: _r,
    megabytesPerSecond: _m,
    outUri: _u,
    outputs: _o,
    channels: _c,
    engine: _e,
    athena: _a,
    warnings: _w,
    files,
    tokens,
    ...rest
  } = stats as { files: { skippedFiles: { key: string }[] }; tokens: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  const {
    compactContextTokensPerExample: _cc,
    compactSavingPercent: _cs,
    fullContextTokensPerExample: _fc,
    savingSampleSize: _ss,
    ...tokenCounts
  } = tokens;
  return {
    ...rest,
    files: { ...files, skippedFiles: files.skippedFiles.map((f) => f.key) },
    tokens: tokenCounts,
  };
}

describe('a dataset built with --engine athena', () => {
  it.each([
    ['proportional, 100 examples, one chunk', {}, undefined],
    ['balanced, 120 examples, a chunk per day', { maxExamples: 120, balance: 'balanced' as const }, 1],
    ['another seed, a larger validation share, a chunk per day', { seed: 7, validationRatio: 0.3 }, 1],
    ['contexts cut to max_input_length', { maxExamples: 200, maxInputLength: 400 }, undefined],
  ])(
    'equals the local build byte for byte: %s',
    async (_name, options, maxChunkBytes) => {
      const localRequest = request(options);
      const local = await buildDataset(localRequest);
      const athenaRequest = { ...request(options), datasetId: localRequest.datasetId };
      const athena = await buildOnAthena(athenaRequest, deps(maxChunkBytes === undefined ? {} : { maxChunkBytes }));
      const [a, b] = [await files(localRequest.outUri), await files(athenaRequest.outUri)];
      expect(a.train.length).toBeGreaterThan(0);
      expect(b.train).toBe(a.train);
      expect(b.validation).toBe(a.validation);
      expect(b.template).toBe(a.template);
      expect(sharedStats(b.stats)).toEqual(sharedStats(a.stats));
      // The same counts in stats.json.
      expect(athena.rows).toEqual(local.rows);
      expect(athena.labels).toEqual(local.labels);
      expect(athena.examples).toEqual(local.examples);
      expect(athena.tokens.totalTokens).toBe(local.tokens.totalTokens);
      expect(athena.files.skippedFiles.map((f) => f.key)).toEqual([`${CORRUPT}`]);
      expect(local.files.skippedFiles.map((f) => f.key)).toEqual([CORRUPT]);
      const stats = JSON.parse(await readFile(join(athenaRequest.outUri, DATASET_FILES.stats), 'utf8')) as {
        engine: string;
        athena: { bytesScanned: number; dollars: number };
      };
      expect(stats.engine).toBe('athena');
      expect(stats.athena.bytesScanned).toBe(athena.athena.bytesScanned);
      if (maxChunkBytes !== undefined) expect(athena.athena.queries).toBeGreaterThan(3);
      // Every query Athena was sent parsed under the Trino grammar.
      expect(duck.validated.length).toBeGreaterThan(1);
      expect(duck.validated.filter((v) => v.errors > 0)).toEqual([]);
    },
    90_000,
  );

  it('Parquet (CloudFront v2): the Parquet table over the same records gives the local build of the W3C delivery', async () => {
    const localRequest = request({ maxExamples: 150 });
    const local = await buildDataset(localRequest);
    const athenaRequest = {
      ...request({ maxExamples: 150, logsUri: `s3://${LOGS}/pq/` }),
      datasetId: localRequest.datasetId,
    };
    const athena = await buildOnAthena(athenaRequest, deps());
    expect(athena.athena.tables.some((t) => duck.tables.get(t)?.format === 'parquet')).toBe(true);
    const [a, b] = [await files(localRequest.outUri), await files(athenaRequest.outUri)];
    expect(b.train).toBe(a.train);
    expect(b.validation).toBe(a.validation);
    expect(b.template).toBe(a.template);
    // The same counts but for the location and its bytes (a Parquet file's size is not its W3C file's).
    const same = (stats: Record<string, unknown>) => {
      const {
        logsUri: _l,
        files,
        ...rest
      } = sharedStats(stats) as {
        logsUri: string;
        files: Record<string, unknown>;
      };
      const { bytes: _b, ...counts } = files;
      return { ...rest, files: counts };
    };
    expect(same(b.stats)).toEqual(same(a.stats));
    expect(athena.files.read).toBe(local.files.read);
  }, 90_000);

  it('--max-examples all: every distinct example, as the local build with a cap of them all writes it (said in stats.json)', async () => {
    const localRequest = request({ maxExamples: 1_000_000 });
    const local = await buildDataset(localRequest);
    const athenaRequest = { ...request({ maxExamples: 'all' }), datasetId: localRequest.datasetId };
    const warned: string[] = [];
    const athena = await buildOnAthena(athenaRequest, deps({ maxChunkBytes: 1 }), { onWarning: (w) => warned.push(w) });
    const [a, b] = [await files(localRequest.outUri), await files(athenaRequest.outUri)];
    expect(b.train).toBe(a.train);
    expect(b.validation).toBe(a.validation);
    expect(athena.rows.train + athena.rows.validation).toBe(local.rows.unique);
    // The same stats but for the setting asked for ("all" and the cap), wherever stats.json repeats it.
    const cap = (stats: Record<string, unknown>) =>
      JSON.parse(JSON.stringify(sharedStats(stats)).replace(/"maxExamples":(1000000|"all")/g, '"maxExamples":"cap"'));
    expect(cap(b.stats)).toEqual(cap(a.stats));
    expect(warned).toEqual([ALL_ON_ATHENA]);
    expect(b.stats.warnings).toEqual([ALL_ON_ATHENA]);
  }, 90_000);

  it('the corrupt file fails the stats query by name, is excluded from the rerun and from the candidates, and every attempt is paid for', async () => {
    const result = await buildOnAthena(request(), deps());
    expect(result.files.skippedFiles).toEqual([
      { key: CORRUPT, reason: expect.stringMatching(/^athena_error: HIVE_CANNOT_OPEN_SPLIT: /) },
    ]);
    const attempts = ledger.ofBuild(result.athena.runId);
    const failed = attempts.filter((a) => a.state === 'FAILED');
    expect(failed.map((f) => f.key)).toEqual([`stats:${FIXTURE_RANGE.start}..${FIXTURE_RANGE.end}`]);
    expect(failed[0]!.scannedBytes).toBeGreaterThan(0);
    expect(result.athena.bytesScanned).toBe(attempts.reduce((s, a) => s + a.scannedBytes, 0));
    const billed = attempts.filter((a) => a.scannedBytes > 0).length * 10e6; // each under 10 MB: the minimum
    expect(result.athena.dollars).toBeCloseTo((billed / 1e12) * 5, 9);
    // The stats rerun left the file out by name; every candidates query left it out from the start and never failed.
    const stats = attempts.filter((a) => a.key.startsWith('stats:'));
    expect(stats.map((a) => a.state)).toEqual(['FAILED', 'SUCCEEDED']);
    expect(stats[1]!.excluded.map((e) => e.path)).toEqual([`s3://${LOGS}/cf/${CORRUPT}`]);
    const candidates = attempts.filter((a) => a.key.startsWith('candidates:'));
    expect(candidates.map((a) => [a.attempt, a.state])).toEqual([[1, 'SUCCEEDED']]);
    expect(candidates[0]!.sql).toContain(`'s3://${LOGS}/cf/${CORRUPT}'`);
    expect(fake.cutoffs.get('logtune')).toBeGreaterThanOrEqual(10_000_000);
  }, 60_000);

  it('a lost ledger: Athena answers the same tokens with the same queries; once it forgets them, UNLOAD refuses the used locations', async () => {
    const first = await buildOnAthena(request(), deps());
    const started = fake.count('StartQueryExecution');
    // The same build with a new ledger, Athena still knowing the tokens: the same executions, nothing runs again.
    const lost = new QueryLedger(openDatabase(':memory:', LEDGER_MIGRATIONS));
    const again = await buildOnAthena(request(), deps({ ledger: lost }));
    expect(fake.queries.size).toBe(ledger.ofBuild(first.athena.runId).length);
    expect(fake.count('StartQueryExecution')).toBeGreaterThan(started);
    expect(again.rows).toEqual(first.rows);
    lost.close();
    // An Athena that never saw the tokens: a new query to a location that holds the first build's output is refused.
    const forgetful = await startFakeAthena(duck.executor, async () => undefined);
    try {
      const gone = new QueryLedger(openDatabase(':memory:', LEDGER_MIGRATIONS));
      const error = await buildOnAthena(request(), deps({ ledger: gone, api: athenaApi(forgetful.client) })).catch(
        (e: unknown) => e,
      );
      expect(String(error)).toMatch(/HIVE_PATH_ALREADY_EXISTS: .*\/unload\//);
      gone.close();
    } finally {
      await forgetful.close();
    }
  }, 60_000);

  it('above LOGTUNE_ATHENA_APPROVAL_USD nothing runs until that much is approved', async () => {
    const refused = await buildOnAthena(request(), deps({ approvalUsd: 0 })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ScanApprovalRequired);
    expect(fake.count('StartQueryExecution')).toBe(0);
    expect(fake.count('UpdateWorkGroup')).toBe(0);
    const plan = (refused as ScanApprovalRequired).plan;
    const result = await buildOnAthena(request(), deps({ approvalUsd: 0, approvedUsd: plan.usd }));
    expect(result.rows.train).toBeGreaterThan(0);
    expect(fake.cutoffs.get('logtune')).toBe(plan.cutoffBytes);
  }, 60_000);

  it('cancel stops the running query; asked again, the cancelled query runs as a new attempt', async () => {
    fake.hold((sql) => sql.startsWith('UNLOAD'));
    const controller = new AbortController();
    const building = buildOnAthena(request(), deps(), {
      signal: controller.signal,
      onQuery: (p) => p.key.startsWith('stats') && p.state === 'RUNNING' && controller.abort(),
    });
    await expect(building).rejects.toBeInstanceOf(CancelledError);
    expect(fake.count('StopQueryExecution')).toBe(1);
    expect([...fake.queries.values()].filter((q) => q.state === 'CANCELLED')).toHaveLength(1);
    fake.hold(false);
    const again = await buildOnAthena(request(), deps());
    expect(again.rows.train).toBeGreaterThan(0);
    expect(ledger.ofBuild(again.athena.runId).some((r) => r.state === 'CANCELLED')).toBe(true);
  }, 60_000);

  it('a restart mid-query re-attaches: no query is started twice, and the dataset is the same', async () => {
    fake.hold((sql) => sql.startsWith('UNLOAD'));
    const dying = new AbortController();
    const api = athenaApi(fake.client);
    const first = request();
    await buildOnAthena(first, deps({ api: { ...api, stop: async () => undefined }, stopWaitMs: 0 }), {
      signal: dying.signal,
      onQuery: (p) => p.key.startsWith('stats') && p.state === 'RUNNING' && dying.abort(),
    }).catch(() => undefined);
    const attached = ledger.active().filter((r) => r.executionId !== undefined);
    expect(attached).toHaveLength(1);
    fake.hold(false);
    // A new process (on the CLI, a new dataset id): the same request over the same files is the same run.
    const result = await buildOnAthena(request(), deps());
    const starts = fake.requests
      .filter((r) => r.operation === 'StartQueryExecution')
      .map((r) => String(r.body.ClientRequestToken));
    for (const row of ledger.ofBuild(result.athena.runId))
      expect(starts.filter((t) => t === row.token)).toHaveLength(1);
    const finished = new Map(ledger.ofBuild(result.athena.runId).map((r) => [r.token, r.executionId]));
    expect(finished.get(attached[0]!.token)).toBe(attached[0]!.executionId);
    expect(fake.queries.size).toBe(starts.length);
    const localRequest = request();
    const local = await buildDataset(localRequest);
    expect(result.rows).toEqual(local.rows);
    const [a, b] = [await files(localRequest.outUri), await files(result.outUri)];
    expect(b.train).toBe(a.train);
    expect(b.validation).toBe(a.validation);
  }, 60_000);
});
