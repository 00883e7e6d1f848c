import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureStream } from '../helpers/captureStream.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';
import { startFakeAthena, type FakeAthena } from './fakeAthena.ts';

/** `logtune dataset --engine …` on the command line: the choice said on stderr, settings named, the plan before any query. */
describe('logtune dataset --engine', () => {
  let s3: LocalS3;
  let fake: FakeAthena;
  let root: string;

  beforeAll(async () => {
    s3 = await startLocalS3(['logs', 'artifacts']);
    root = await mkdtemp(join(tmpdir(), 'logtune-athena-cli-'));
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'logs',
        Key: 'cf/2024/04/01/part-0000.csv',
        Body: 'date,time,cs-uri-stem,ThreatLevel\n2024-04-01,00:00:01,/a,benign\n',
      }),
    );
    fake = await startFakeAthena(
      async () => ({ scannedBytes: 0 }),
      async () => undefined,
    );
    for (const [k, v] of Object.entries({ ...s3.env, AWS_ENDPOINT_URL_ATHENA: fake.endpoint, AWS_MAX_ATTEMPTS: '1' }))
      vi.stubEnv(k, v);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await fake?.close();
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

  it('athena prints its plan (bytes, queries, dollars) and stops, not supported yet, before any query or cutoff', async () => {
    const { code, stderr } = await run(['--engine', 'athena'], {
      LOGTUNE_ATHENA_WORKGROUP: 'logtune',
      LOGTUNE_ATHENA_DATABASE: 'logtune_logs',
    });
    expect(stderr).toContain('Engine: athena (--engine / LOGTUNE_ENGINE)');
    expect(stderr).toMatch(
      /Athena plan: 0\.00 GB listed, 1 chunks, 2 queries scanning at most 0\.00 GB: \$0\.0001 at \$5\/TB\n/,
    );
    expect(stderr).toMatch(/logtune: .*not wired into the Athena engine.*\(not supported yet\)/);
    expect(code).toBe(1);
    expect(fake.count('StartQueryExecution')).toBe(0);
    expect(fake.count('UpdateWorkGroup')).toBe(0);
  });

  it('LOGTUNE_ENGINE=athena is the default --engine; over LOGTUNE_ATHENA_APPROVAL_USD the CLI refuses (exit 2) before anything runs', async () => {
    const { code, stderr } = await run([], {
      LOGTUNE_ENGINE: 'athena',
      LOGTUNE_ATHENA_WORKGROUP: 'logtune',
      LOGTUNE_ATHENA_DATABASE: 'logtune_logs',
      LOGTUNE_ATHENA_APPROVAL_USD: '0',
    });
    expect(stderr).toContain('needs an approver');
    expect(code).toBe(2);
    expect(fake.count('StartQueryExecution')).toBe(0);
  });
});
