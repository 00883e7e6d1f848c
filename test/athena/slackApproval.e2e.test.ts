import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCAN_APPROVE_ACTION_ID, SCAN_CANCEL_ACTION_ID } from '../../src/features/dataset/blocks/scanApproval.ts';
import { approvalKey } from '../../src/features/dataset/scanApprovals.ts';
import { QueryLedger } from '../../src/athena/ledger.ts';
import { ScanRequestsRepo } from '../../src/spend/scanRequests.ts';
import { monthStart } from '../../src/spend/approval.ts';
import type { DatasetFeature } from '../../src/features/dataset/index.ts';
import Database from 'better-sqlite3';
import { S3Store } from '../../src/objectStore/s3Store.ts';
import { startBotHarness, type BotHarness } from '../helpers/botHarness.ts';
import { writeSeedLayout } from '../helpers/syntheticLogs.ts';
import { waitFor } from '../slack/support.ts';
import { duckdbAthena, type DuckdbAthena } from './duckdbAthena.ts';
import { manifestWriter, startFakeAthena, type FakeAthena } from './fakeAthena.ts';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * `/logtune dataset … --engine athena` over LOGTUNE_ATHENA_APPROVAL_USD, end to end: the quote is posted with Approve
 * and Cancel, nothing is asked of Athena before an approval, the wrong people are refused, and an approval queues the
 * build, which runs on the loopback Athena (its queries executed in DuckDB over s3rver) within the approved cap and
 * posts the dataset in its thread, with what the scan cost.
 */
const BUCKET = 'logtune-athena-e2e';
let h: BotHarness;
let athena: FakeAthena;
let duck: DuckdbAthena | undefined;
let dir: string;
const days = ['2024-04-01', '2024-04-02'];

beforeAll(async () => {
  // The harness starts s3rver; the executor is made once it runs (before any query can arrive).
  athena = await startFakeAthena(
    (query) => duck!.executor(query),
    manifestWriter(() => h.s3, BUCKET),
  );
  dir = mkdtempSync(join(tmpdir(), 'logtune-athena-e2e-'));
  h = await startBotHarness({
    buckets: [BUCKET],
    env: {
      LOGTUNE_LOGS_URI: `s3://${BUCKET}/logs`,
      LOGTUNE_ARTIFACTS_URI: `s3://${BUCKET}/artifacts`,
      LOGTUNE_S3_FORCE_PATH_STYLE: 'true',
      LOGTUNE_APPROVERS: 'U0CAROL',
      LOGTUNE_ATHENA_WORKGROUP: 'logtune',
      LOGTUNE_ATHENA_DATABASE: 'logtune_logs',
      LOGTUNE_ATHENA_APPROVAL_USD: '0',
      LOGTUNE_MONTHLY_BUDGET_USD: '1',
      LOGTUNE_ATHENA_LEDGER: join(dir, 'ledger.db'),
      AWS_ENDPOINT_URL_ATHENA: athena.endpoint,
    },
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_ATHENA: athena.endpoint,
    LOGTUNE_ATHENA_LEDGER: join(dir, 'ledger.db'),
  });
  duck = await duckdbAthena({
    s3: h.s3,
    logsBucket: BUCKET,
    artifactsBucket: BUCKET,
    workDir: join(dir, 'duck'),
  });
  await writeSeedLayout(new S3Store(h.s3.client, BUCKET, 'logs/'), { days, filesPerDay: 1, rowsPerFile: 20 });
  await h.start();
}, 30_000);

afterAll(async () => {
  await h?.close();
  await athena?.close();
  duck?.close();
  delete process.env.AWS_ENDPOINT_URL_ATHENA;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const scanId = (text: string) => `scan-${/`(ds-[^`]+)`/.exec(text)![1]!}`;

describe('/logtune dataset --engine athena over the approval threshold', () => {
  it('posts the quote for an approver, asks nothing of Athena before, and once approved builds on Athena', async () => {
    const answer = await h.command(`dataset ${days[0]}..${days[1]} --engine athena`, 'U0ALICE');
    expect(answer.text).toMatch(
      /on Athena scans \$0\.\d+: the quote, with Approve and Cancel for an approver, is in this channel/,
    );
    const id = scanId(answer.text);
    const message = await waitFor(() => h.posted(approvalKey(id))[0], { what: 'the approval message' });
    const shown = h.textOf(message);
    expect(shown).toContain('Athena scan for');
    expect(shown).toContain('at $5 per TB, above LOGTUNE_ATHENA_APPROVAL_USD');
    expect(shown).toContain('Waiting for an approver');
    expect(athena.count('StartQueryExecution')).toBe(0);
    expect(athena.count('UpdateWorkGroup')).toBe(0);

    // The requester is not an approver; a stranger may not cancel it.
    expect((await h.click(message, SCAN_APPROVE_ACTION_ID, 'U0ALICE'))?.text).toContain('You cannot approve this');
    expect((await h.click(message, SCAN_CANCEL_ACTION_ID, 'U0MALLORY'))?.text).toContain('You cannot cancel this');

    // The approver approves: the message says so, the build is queued and runs within the cap.
    await h.click(message, SCAN_APPROVE_ACTION_ID, 'U0CAROL', 500);
    await waitFor(() => (h.textOf(message).includes('Approved') ? true : undefined), { what: 'the approved message' });
    const ledger = QueryLedger.open(join(dir, 'ledger.db'));
    expect(new ScanRequestsRepo(ledger.db).get(id)).toMatchObject({ state: 'approved', decidedBy: 'U0CAROL' });
    ledger.close();
    // The approved build runs on Athena and posts the dataset in its thread, with what the scan cost.
    const ready = await waitFor(
      () =>
        [...h.fake.callsOf('chat.postMessage'), ...h.fake.callsOf('chat.update')].find((c) =>
          JSON.stringify(c).includes('Dataset ready'),
        ),
      { what: 'the dataset ready in the thread', timeoutMs: 40_000 },
    );
    expect(JSON.stringify(ready)).toMatch(/\*Athena:\* .* scanned over \d+ query attempts · \$0\.\d{4}/);
    expect(athena.count('StartQueryExecution')).toBeGreaterThanOrEqual(2);
    expect(athena.cutoffs.get('logtune')).toBe(10_000_000);
    const after = QueryLedger.open(join(dir, 'ledger.db'));
    expect(new ScanRequestsRepo(after.db).get(id)!.state).toBe('started');
    after.close();
    // The buttons are gone: the decision is in their place.
    expect(JSON.stringify(h.updatesOf(message).at(-1)!.blocks)).not.toContain(SCAN_APPROVE_ACTION_ID);
  }, 90_000);

  it('the requester may cancel a waiting scan; nothing is built', async () => {
    const answer = await h.command(`dataset ${days[0]} --engine athena`, 'U0ALICE');
    const id = scanId(answer.text);
    const message = await waitFor(() => h.posted(approvalKey(id))[0], { what: 'the approval message' });
    await h.click(message, SCAN_CANCEL_ACTION_ID, 'U0ALICE', 500);
    await waitFor(() => (h.textOf(message).includes('Cancelled') ? true : undefined), {
      what: 'the cancelled message',
    });
    // The buttons are gone; the request is closed and an approval would be refused.
    expect(JSON.stringify(h.updatesOf(message).at(-1)!.blocks)).not.toContain(SCAN_APPROVE_ACTION_ID);
    const ledger = QueryLedger.open(join(dir, 'ledger.db'));
    expect(new ScanRequestsRepo(ledger.db).get(id)).toMatchObject({ state: 'cancelled', decidedBy: 'U0ALICE' });
    ledger.close();
  }, 30_000);

  it('one monthly budget for every kind: training counts approved scans, a scan is refused beside training caps; unanswered, it expires', async () => {
    const dataset = h.bot!.features.find((f) => f.name === 'dataset') as DatasetFeature;
    const now = new Date(h.clock.now());
    // The scan approved above: training's approval adds this to its own caps (features/training/decisions.ts).
    const scanCaps = dataset.scanCapsSince(monthStart(now));
    expect(scanCaps).toBeGreaterThan(0);
    expect(scanCaps).toBeLessThan(0.01);
    // A launched fine-tune's cap takes what is left of LOGTUNE_MONTHLY_BUDGET_USD ($1).
    const db = new Database(h.env.LOGTUNE_DB!);
    db.prepare(
      `INSERT INTO training_requests (id, request_json, state, requested_by, channel, cap_usd, decided_by, decided_at, job_name, created_at, updated_at)
       VALUES ('tr-budget', '{}', 'launched', 'U0ALICE', 'C0FAKE', ?, 'U0CAROL', ?, 'logtune-tr-budget', ?, ?)`,
    ).run(1 - scanCaps / 2, now.toISOString(), now.toISOString(), now.toISOString());
    db.close();
    const queries = athena.count('StartQueryExecution');
    const answer = await h.command(`dataset ${days[1]} --engine athena`, 'U0ALICE');
    const message = await waitFor(() => h.posted(approvalKey(scanId(answer.text)))[0], {
      what: 'the approval message',
    });
    const refused = await h.click(message, SCAN_APPROVE_ACTION_ID, 'U0CAROL');
    expect(refused?.text).toContain('LOGTUNE_MONTHLY_BUDGET_USD');
    expect(h.textOf(message)).toContain('Waiting for an approver');

    // Nobody decides within LOGTUNE_APPROVAL_TTL_HOURS (24): the sweep closes it and the quote says so, without buttons.
    const id = scanId(answer.text);
    // The sweep runs every minute of the harness clock, each run scheduled once the one before has ended.
    h.clock.advance(24 * 3_600_000);
    await waitFor(
      () => {
        h.clock.advance(60_000);
        return h.textOf(message).includes('Expired') ? true : undefined;
      },
      { what: 'the expired quote' },
    );
    expect(JSON.stringify(h.updatesOf(message).at(-1)!.blocks)).not.toContain(SCAN_APPROVE_ACTION_ID);
    const ledger = QueryLedger.open(join(dir, 'ledger.db'));
    expect(new ScanRequestsRepo(ledger.db).get(id)!.state).toBe('expired');
    ledger.close();
    expect(athena.count('StartQueryExecution')).toBe(queries);
  }, 30_000);
});
