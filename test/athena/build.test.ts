import { PutObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { gzipSync, gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { athenaApi, type AthenaApi } from '../../src/aws/athena.ts';
import { buildOnAthena, formatOfKey, ScanApprovalRequired, type AthenaBuildDeps } from '../../src/athena/build.ts';
import { LEDGER_MIGRATIONS, QueryLedger } from '../../src/athena/ledger.ts';
import type { AthenaSql, DatasetAssembler, SqlSource } from '../../src/athena/sqlPlan.ts';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { resolveBuildRequest } from '../../src/dataset/request/request.ts';
import { openDatabase } from '../../src/db/db.ts';
import { CancelledError } from '../../src/errors.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';
import { startFakeAthena, type Executor, type FakeAthena } from './fakeAthena.ts';

/**
 * The Athena engine's flow against the loopback Athena and s3rver: tables, the cutoff, a stats and a candidates
 * UNLOAD per chunk and format, the manifests read back, a corrupt file named by the failure and excluded, the
 * scan's bytes and dollars, approval, cancel and restart. The SQL here is the test's own (a marker the fake engine
 * reads); the dataset's SQL is the sampling template's, checked byte for byte elsewhere.
 */
const LOGS = 'logs';
const ARTIFACTS = 'artifacts';
const CSV_HEADER = 'date,time,cs-uri-stem,ThreatLevel';
const BAD_KEY = 'cf/2024/04/02/part-0002.csv.gz';

const FILES: Record<string, Uint8Array> = {
  'cf/2024/04/01/part-0000.csv': text(
    `${CSV_HEADER}\n2024-04-01,00:00:01,/a,benign\n2024-04-01,00:00:02,/b,malicious\n`,
  ),
  'cf/2024/04/02/part-0001.csv.gz': gzipSync(`${CSV_HEADER}\n2024-04-02,00:00:01,/c,benign\n`),
  [BAD_KEY]: gzipSync(`${CSV_HEADER}\n2024-04-02,00:00:09,/never,benign\n`).subarray(0, 30),
  'cf/2024/04/03/waf.jsonl': text(
    '{"date":"2024-04-03","time":"00:00:03","cs-uri-stem":"/d","ThreatLevel":"suspicious"}\n',
  ),
  'cf/2024/04/03/E2EXAMPLE.w3c.gz': gzipSync(
    '#Version: 1.0\n#Fields: date time cs-uri-stem ThreatLevel\n2024-04-03\t00:00:04\t/e\tbenign\n',
  ),
};

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** The test's SQL: a marker the fake engine reads, wrapped by the engine in UNLOAD. */
const testSql: AthenaSql<{ label: string; n: number }, { label: string; path: string; uri: string }> = {
  statsSelect: (source) => `SELECT /* logtune-test ${marker('stats', source)} */ label, count(*) AS n`,
  candidatesSelect: (source) => `SELECT /* logtune-test ${marker('candidates', source)} */ label, path, uri`,
  statsRow: z.object({ label: z.string(), n: z.number() }),
  candidateRow: z.object({ label: z.string(), path: z.string(), uri: z.string() }),
};

function marker(pass: string, source: SqlSource): string {
  return JSON.stringify({
    pass,
    format: source.format,
    chunk: source.chunk,
    excluded: source.excluded,
    partitions: source.partitions,
  });
}

interface Assembled {
  readonly stats: Record<string, number>;
  readonly candidates: string[];
}

function assembler(): DatasetAssembler<
  { label: string; n: number },
  { label: string; path: string; uri: string },
  Assembled
> {
  const stats: Record<string, number> = {};
  const candidates: string[] = [];
  return {
    stats: (row) => void (stats[row.label] = (stats[row.label] ?? 0) + row.n),
    candidate: (row) => void candidates.push(`${row.label} ${row.uri}`),
    finish: async () => ({ stats, candidates: candidates.sort() }),
    abort: async () => undefined,
  };
}

describe('an Athena build against the loopback Athena and s3rver', () => {
  let s3: LocalS3;
  let fake: FakeAthena;
  let ledger: QueryLedger;
  const env = () => ({
    ...s3.env,
    LOGTUNE_LOGS_URI: `s3://${LOGS}/cf/`,
    LOGTUNE_ARTIFACTS_URI: `s3://${ARTIFACTS}/lt/`,
    LOGTUNE_S3_FORCE_PATH_STYLE: 'true',
    LOGTUNE_S3_FAST_GET: 'false',
  });

  /** Runs the marker SQL over the s3rver files: reads each file of the chunk's days not excluded; a bad gzip fails. */
  const executor: Executor = async ({ sql }) => {
    if (/^\s*CREATE EXTERNAL TABLE IF NOT EXISTS/.test(sql)) return { scannedBytes: 0 };
    const m = /logtune-test (\{.*?\}) \*\//.exec(sql);
    if (!m) return { scannedBytes: 0, failure: `SYNTAX_ERROR: the fake cannot run ${sql.slice(0, 40)}` };
    const spec = JSON.parse(m[1]!) as {
      pass: string;
      format: string;
      chunk: { start: string; end: string };
      excluded: string[];
    };
    const to = /TO '([^']+)'/.exec(sql)![1]!;
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: LOGS, Prefix: 'cf/' }));
    let scanned = 0;
    const rows: Record<string, unknown>[] = [];
    for (const object of listed.Contents ?? []) {
      const key = object.Key!;
      const uri = `s3://${LOGS}/${key}`;
      const day = key.slice(3, 13).replaceAll('/', '-');
      if (day < spec.chunk.start || day > spec.chunk.end || spec.excluded.includes(uri)) continue;
      if (formatOfKey(key) !== spec.format)
        return { scannedBytes: scanned, failure: `HIVE_BAD_DATA: the fake read ${uri} with the ${spec.format} table` };
      const body = await (
        await s3.client.send(new GetObjectCommand({ Bucket: LOGS, Key: key }))
      ).Body!.transformToByteArray();
      scanned += body.length;
      let content: string;
      try {
        content = (key.endsWith('.gz') ? gunzipSync(body) : Buffer.from(body)).toString('utf8');
      } catch {
        return {
          scannedBytes: scanned,
          failure: `HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split ${uri} (offset=0, length=${body.length}): unexpected end of file`,
        };
      }
      for (const line of content.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('date,'))) {
        const fields =
          spec.format === 'jsonl'
            ? (JSON.parse(line) as Record<string, string>)
            : Object.fromEntries(
                ['date', 'time', 'cs-uri-stem', 'ThreatLevel'].map((f, i) => [f, line.split(/[,\t]/)[i]!]),
              );
        rows.push({ label: fields.ThreatLevel, path: key, uri: fields['cs-uri-stem'] });
      }
    }
    const out =
      spec.pass === 'stats'
        ? Object.entries(
            rows.reduce<Record<string, number>>(
              (acc, r) => ({ ...acc, [String(r.label)]: (acc[String(r.label)] ?? 0) + 1 }),
              {},
            ),
          ).map(([label, n]) => ({ label, n }))
        : rows;
    const file = `${to}part-00000.json.gz`;
    const key = file.slice(`s3://${ARTIFACTS}/`.length);
    await s3.client.send(
      new PutObjectCommand({
        Bucket: ARTIFACTS,
        Key: key,
        Body: gzipSync(out.map((r) => JSON.stringify(r)).join('\n')),
      }),
    );
    return { scannedBytes: scanned, files: [file] };
  };

  beforeAll(async () => {
    s3 = await startLocalS3([LOGS, ARTIFACTS]);
    for (const [key, body] of Object.entries(FILES))
      await s3.client.send(new PutObjectCommand({ Bucket: LOGS, Key: key, Body: body }));
  });
  afterAll(async () => {
    await s3?.close();
  });
  beforeEach(async () => {
    for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v);
    fake = await startFakeAthena(
      (q) => executor(q),
      async (uri, body) => {
        await s3.client.send(
          new PutObjectCommand({ Bucket: ARTIFACTS, Key: uri.slice(`s3://${ARTIFACTS}/`.length), Body: body }),
        );
      },
    );
    ledger = new QueryLedger(openDatabase(':memory:', LEDGER_MIGRATIONS));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    ledger.close();
    await fake.close();
  });

  function request(id = 'ds-20240401-20240403-test') {
    const r = resolveBuildRequest(
      loadDataSettings(env()),
      { rangeText: '2024-04-01..2024-04-03' },
      new Date('2024-05-01T00:00:00Z'),
    );
    return { ...r, datasetId: id };
  }

  function deps(
    extra: Partial<
      AthenaBuildDeps<{ label: string; n: number }, { label: string; path: string; uri: string }, Assembled>
    > & { api?: AthenaApi } = {},
  ) {
    return {
      api: athenaApi(fake.client),
      ledger,
      clock: systemClock,
      target: { workgroup: 'logtune', database: 'logtune_logs', resultsUri: `s3://${ARTIFACTS}/lt/athena/` },
      approvalUsd: 5,
      maxRetries: 3,
      pollMs: 1,
      concurrency: 2,
      sql: testSql,
      assembler: () => assembler(),
      ...extra,
    };
  }

  it('creates a table per format, caps the workgroup, runs both passes per chunk, and reads the UNLOAD manifests', async () => {
    const result = await buildOnAthena(request(), deps());
    expect(result.assembled.stats).toEqual({ benign: 3, malicious: 1, suspicious: 1 });
    expect(result.assembled.candidates).toEqual([
      'benign /a',
      'benign /c',
      'benign /e',
      'malicious /b',
      'suspicious /d',
    ]);
    const ddl = fake.requests.filter((r) => /^CREATE EXTERNAL TABLE IF NOT EXISTS/.test(String(r.body.QueryString)));
    expect(ddl).toHaveLength(3); // csv, jsonl, w3c
    expect(String(ddl[0]!.body.QueryString)).toContain("'projection.enabled' = 'true'");
    expect(fake.cutoffs.get('logtune')).toBe(result.plan.cutoffBytes);
    expect(result.plan.cutoffBytes).toBeGreaterThanOrEqual(10_000_000);
    expect(result.skipped).toEqual([
      {
        key: '2024/04/02/part-0002.csv.gz',
        reason: 'athena_error: HIVE_CANNOT_OPEN_SPLIT: unexpected end of file',
      },
    ]);
    // The failed attempt's bytes are counted with the rest.
    const attempts = ledger.ofBuild(result.athena.runId);
    expect(result.athena.attempts).toBe(attempts.length);
    expect(attempts.some((a) => a.state === 'FAILED')).toBe(true);
    expect(result.athena.bytesScanned).toBe(attempts.reduce((s, a) => s + a.scannedBytes, 0));
    expect(result.athena.bytesScanned).toBeGreaterThan(0);
    // Athena bills at least 10 MB a query that scanned anything.
    expect(result.athena.dollars).toBeCloseTo((attempts.filter((a) => a.scannedBytes > 0).length * 10e6 * 5) / 1e12, 6);
  });

  it('the candidates pass leaves out a file the stats pass found corrupt, without failing on it again', async () => {
    const result = await buildOnAthena(request(), deps());
    const failed = ledger.ofBuild(result.athena.runId).filter((a) => a.state === 'FAILED');
    expect(failed.map((f) => f.key)).toEqual(['stats:csv:2024-04-01..2024-04-03']);
  });

  it('above LOGTUNE_ATHENA_APPROVAL_USD nothing runs until that much is approved; then the cutoff is the plan’s', async () => {
    const refused = await buildOnAthena(request(), deps({ approvalUsd: 0 })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ScanApprovalRequired);
    expect((refused as Error).message).toMatch(/above LOGTUNE_ATHENA_APPROVAL_USD \(\$0\.00\)/);
    expect(fake.count('StartQueryExecution')).toBe(0);
    expect(fake.count('UpdateWorkGroup')).toBe(0);
    const plan = (refused as ScanApprovalRequired).plan;
    const result = await buildOnAthena(request(), deps({ approvalUsd: 0, approvedUsd: plan.usd }));
    expect(result.assembled.stats.benign).toBe(3);
  });

  it('cancel stops the running query and ends the build cancelled', async () => {
    fake.hold((sql) => sql.startsWith('UNLOAD'));
    const controller = new AbortController();
    const building = buildOnAthena(request(), deps(), {
      signal: controller.signal,
      onQuery: (p) => p.key.startsWith('stats') && p.state === 'RUNNING' && controller.abort(),
    });
    await expect(building).rejects.toBeInstanceOf(CancelledError);
    expect(fake.count('StopQueryExecution')).toBeGreaterThanOrEqual(1);
    expect([...fake.queries.values()].filter((q) => q.state === 'CANCELLED').length).toBeGreaterThanOrEqual(1);
    // Asked again after the cancel: the cancelled queries run as new attempts (new tokens, new output folders).
    fake.hold(false);
    const again = await buildOnAthena(request(), deps());
    expect(again.assembled.stats).toEqual({ benign: 3, malicious: 1, suspicious: 1 });
    const rows = ledger.ofBuild(again.athena.runId);
    expect(rows.some((r) => r.state === 'CANCELLED')).toBe(true);
    expect(rows.filter((r) => r.state === 'SUCCEEDED').length).toBe(again.athena.queries);
  });

  it('a restart mid-query re-attaches: the build finishes and no query was started twice', async () => {
    fake.hold((sql) => sql.startsWith('UNLOAD'));
    const dying = new AbortController();
    const api = athenaApi(fake.client);
    await buildOnAthena(request(), deps({ api: { ...api, stop: async () => undefined }, stopWaitMs: 0 }), {
      signal: dying.signal,
      onQuery: (p) => p.key.startsWith('stats') && p.state === 'RUNNING' && dying.abort(),
    }).catch(() => undefined);
    const attached = ledger.active().filter((r) => r.executionId !== undefined);
    expect(attached.length).toBeGreaterThanOrEqual(1);
    fake.hold(false);
    // A new process, and on the CLI a new dataset id: the same request over the same files is the same run.
    const result = await buildOnAthena(request('ds-20240401-20240403-rerun'), deps());
    expect(result.assembled.stats).toEqual({ benign: 3, malicious: 1, suspicious: 1 });
    const starts = fake.requests
      .filter((r) => r.operation === 'StartQueryExecution')
      .map((r) => String(r.body.ClientRequestToken));
    // Every attempt the ledger knows was started exactly once, across both processes.
    for (const row of ledger.ofBuild(result.athena.runId))
      expect(starts.filter((t) => t === row.token)).toHaveLength(1);
    // The queries running when the first process died are the ones the build finished with.
    const finished = new Map(ledger.ofBuild(result.athena.runId).map((r) => [r.token, r.executionId]));
    for (const row of attached) expect(finished.get(row.token)).toBe(row.executionId);
    expect(fake.queries.size).toBe(starts.length);
  });
});
