import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ScanApprovalRequired } from '../../src/athena/build.ts';
import { QueryLedger } from '../../src/athena/ledger.ts';
import type { ScanPlan } from '../../src/athena/plan.ts';
import { buildWithEngine } from '../../src/athena/runBuild.ts';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { resolveBuildRequest } from '../../src/dataset/request/request.ts';
import { ScanRequestsRepo } from '../../src/spend/scanRequests.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';
import { duckdbAthena, type DuckdbAthena } from './duckdbAthena.ts';
import { manifestWriter, startFakeAthena, type FakeAthena } from './fakeAthena.ts';

/** buildWithEngine: an approved scan request (the spend lifecycle's scan kind) lets a build over the threshold run. */
describe('buildWithEngine and scan approval', () => {
  let s3: LocalS3;
  let fake: FakeAthena;
  let duck: DuckdbAthena;
  let root: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    s3 = await startLocalS3(['logs', 'artifacts']);
    root = await mkdtemp(join(tmpdir(), 'logtune-athena-run-'));
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'logs',
        Key: 'cf/2024/04/01/part-0000.csv',
        Body: 'date,time,cs-uri-stem,ThreatLevel\n2024-04-01,00:00:01,/a,benign\n',
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
    env = {
      ...s3.env,
      LOGTUNE_LOGS_URI: 's3://logs/cf/',
      LOGTUNE_ARTIFACTS_URI: 's3://artifacts/lt/',
      LOGTUNE_S3_FORCE_PATH_STYLE: 'true',
      LOGTUNE_ATHENA_LEDGER: join(root, 'ledger.db'),
      LOGTUNE_ATHENA_WORKGROUP: 'logtune',
      LOGTUNE_ATHENA_DATABASE: 'logtune_logs',
      LOGTUNE_ATHENA_APPROVAL_USD: '0',
    };
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await fake?.close();
    duck?.close();
    await s3?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  function request(id: string) {
    const r = resolveBuildRequest(
      loadDataSettings(env),
      { rangeText: '2024-04-01', engine: 'athena' },
      new Date('2024-05-01'),
    );
    return { ...r, datasetId: id };
  }

  it('without an approved scan request the build stops at the plan, nothing started', async () => {
    const error = await buildWithEngine(request('ds-unapproved'), {}, { env, pollMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScanApprovalRequired);
    expect((error as Error).message).toContain(
      'ask in Slack (/logtune dataset … --engine athena posts the quote for one)',
    );
    expect(fake.count('StartQueryExecution')).toBe(0);
  });

  it('with one approved for the build, it builds within the cap, and the request is marked started', async () => {
    const ledger = QueryLedger.open(env.LOGTUNE_ATHENA_LEDGER!);
    const scans = new ScanRequestsRepo(ledger.db);
    const now = new Date();
    scans.insert(
      {
        id: 'scan-ds-approved',
        buildId: 'ds-approved',
        requestJson: '{}',
        quote: {
          listedBytes: 63,
          scanBytes: 126,
          queries: 2,
          usd: 0.0001,
          cutoffBytes: 10_000_000,
          rangeLabel: '1 Apr 2024',
        },
        requestedBy: 'UREQ',
        channel: 'C1',
        expiresAt: new Date(now.getTime() + 3600_000),
      },
      now,
    );
    scans.approve('scan-ds-approved', 'UAPPROVER', 'logtune', now);
    ledger.close();
    let plan: ScanPlan | undefined;
    const summary = await buildWithEngine(
      { ...request('ds-approved'), outUri: join(root, 'out-approved') },
      { onPlan: (p) => (plan = p) },
      { env, pollMs: 1 },
    );
    expect(plan?.needsApproval).toBe(true);
    expect(summary.engine).toBe('athena');
    expect(summary.rows).toMatchObject({ scanned: 1, unique: 1 });
    expect(summary.rows.train + summary.rows.validation).toBe(1);
    expect(summary.athena?.dollars).toBeLessThanOrEqual(0.0001 + 1e-12);
    const after = QueryLedger.open(env.LOGTUNE_ATHENA_LEDGER!);
    expect(new ScanRequestsRepo(after.db).get('scan-ds-approved')!.state).toBe('started');
    after.close();
  });
});
