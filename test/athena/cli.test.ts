import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureStream } from '../helpers/captureStream.ts';
import { DATASET_FILES } from '../../src/dataset/output/folder.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';
import { duckdbAthena, type DuckdbAthena } from './duckdbAthena.ts';
import { manifestWriter, startFakeAthena, type FakeAthena } from './fakeAthena.ts';

/**
 * `logtune dataset --engine …` on the command line: the choice said on stderr, settings named, the plan before any
 * query, and a build through the loopback Athena (its queries run in DuckDB over s3rver) that writes the dataset the
 * local engine writes.
 */
const CSV =
  'date,time,cs-uri-stem,sc-status,ThreatLevel\n' +
  ['/a,200,benign', '/b,200,benign', '/c,404,suspicious', '/a,200,benign', '/d,500,malicious', '/e,200,benign']
    .map((r, i) => `2024-04-01,00:00:0${i},${r}`)
    .join('\n') +
  '\n';

describe('logtune dataset --engine', () => {
  let s3: LocalS3;
  let fake: FakeAthena;
  let duck: DuckdbAthena;
  let root: string;

  beforeAll(async () => {
    s3 = await startLocalS3(['logs', 'artifacts']);
    root = await mkdtemp(join(tmpdir(), 'logtune-athena-cli-'));
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'logs',
        Key: 'cf/2024/04/01/part-0000.csv',
        Body: CSV,
      }),
    );
    duck = await duckdbAthena({
      s3,
      logsBucket: 'logs',
      artifactsBucket: 'artifacts',
      workDir: join(root, 'duck'),
    });
    fake = await startFakeAthena(
      duck.executor,
      manifestWriter(() => s3, 'artifacts'),
    );
    for (const [k, v] of Object.entries({ ...s3.env, AWS_ENDPOINT_URL_ATHENA: fake.endpoint, AWS_MAX_ATTEMPTS: '1' }))
      vi.stubEnv(k, v);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await fake?.close();
    duck?.close();
    await s3?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function run(args: string[], env: Record<string, string> = {}) {
    const stdout = captureStream();
    const stderr = captureStream();
    const code = await main(['dataset', '2024-04-01', ...args], {
      stdout: stdout.stream,
      stderr: stderr.stream,
      env: {
        ...process.env,
        LOGTUNE_PARSE_WORKERS: '0',
        LOGTUNE_LOGS_URI: 's3://logs/cf/',
        LOGTUNE_ARTIFACTS_URI: 's3://artifacts/lt/',
        LOGTUNE_S3_FORCE_PATH_STYLE: 'true',
        LOGTUNE_ATHENA_LEDGER: join(root, 'ledger.db'),
        ...env,
      },
    });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  it('refuses an unknown engine in its own words', async () => {
    const { code, stderr } = await run(['--engine', 'spark']);
    expect(code).toBe(2);
    expect(stderr).toContain('--engine must be local, athena or auto, got "spark"');
  });

  it('athena without its settings names the first one missing (exit 2)', async () => {
    const { code, stderr } = await run(['--engine', 'athena']);
    expect(code).toBe(2);
    expect(stderr).toContain('LOGTUNE_ATHENA_WORKGROUP: is required but not set');
  });

  it('auto below LOGTUNE_ATHENA_MIN_GB builds locally, and says why', async () => {
    const { code, stderr } = await run(['--engine', 'auto', '--out', join(root, 'auto')], {
      LOGTUNE_ATHENA_WORKGROUP: 'logtune',
      LOGTUNE_ATHENA_DATABASE: 'logtune_logs',
    });
    expect(stderr).toMatch(/Engine: local \(auto: 0\.0 GB listed, within LOGTUNE_ATHENA_MIN_GB 100\)/);
    expect(code).toBe(0);
  });

  it('athena prints its plan, then builds through Athena the dataset the local engine builds', async () => {
    const settings = { LOGTUNE_ATHENA_WORKGROUP: 'logtune', LOGTUNE_ATHENA_DATABASE: 'logtune_logs' };
    const flags = ['--max-examples', '4', '--validation', '0.25'];
    const athena = await run(['--engine', 'athena', ...flags, '--out', join(root, 'athena')], settings);
    expect(athena.stderr).toContain('Engine: athena (--engine / LOGTUNE_ENGINE)');
    expect(athena.stderr).toMatch(
      /Athena plan: 0\.00 GB listed, 1 chunks, 2 queries scanning at most 0\.00 GB: \$0\.0001 at \$5\/TB\n/,
    );
    // Progress from GetQueryExecution, per query, then the Athena line of the summary.
    expect(athena.stderr).toMatch(/ {2}athena stats:2024-04-01\.\.2024-04-01 \(attempt 1\): SUCCEEDED, /);
    expect(athena.stderr).toMatch(/ {2}athena candidates:2024-04-01\.\.2024-04-01 \(attempt 1\): SUCCEEDED, /);
    expect(athena.stderr).toMatch(/^Athena: 0\.00 GB scanned, \d+ queries running, \d+ done, /m);
    expect(athena.stderr).toMatch(/ {2}Athena: 0\.00 GB scanned over \d+ query attempts, \$0\.0001\n/);
    expect(athena.code).toBe(0);
    expect(fake.cutoffs.get('logtune')).toBe(10_000_000);
    const summary = JSON.parse(athena.stdout) as { engine: string; rows: { train: number; validation: number } };
    expect(summary.engine).toBe('athena');
    expect(summary.rows.train + summary.rows.validation).toBe(4);

    const local = await run(['--engine', 'local', ...flags, '--out', join(root, 'local')]);
    expect(local.code).toBe(0);
    for (const file of [DATASET_FILES.train, DATASET_FILES.validation, DATASET_FILES.template])
      expect(await readFile(join(root, 'athena', file), 'utf8')).toBe(
        await readFile(join(root, 'local', file), 'utf8'),
      );
  }, 60_000);

  it('LOGTUNE_ENGINE=athena is the default --engine; over LOGTUNE_ATHENA_APPROVAL_USD the CLI refuses (exit 2) before anything runs', async () => {
    const [starts, cutoffs] = [fake.count('StartQueryExecution'), fake.count('UpdateWorkGroup')];
    const { code, stderr } = await run([], {
      LOGTUNE_ENGINE: 'athena',
      LOGTUNE_ATHENA_WORKGROUP: 'logtune',
      LOGTUNE_ATHENA_DATABASE: 'logtune_logs',
      LOGTUNE_ATHENA_APPROVAL_USD: '0',
    });
    expect(stderr).toContain('needs an approver');
    expect(code).toBe(2);
    expect(fake.count('StartQueryExecution')).toBe(starts);
    expect(fake.count('UpdateWorkGroup')).toBe(cutoffs);
  });
});
