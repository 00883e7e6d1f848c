import { describe, expect, it } from 'vitest';
import { LEDGER_MIGRATIONS } from '../../src/athena/ledger.ts';
import { planScan } from '../../src/athena/plan.ts';
import { openDatabase } from '../../src/db/db.ts';
import { decideApproval, type ApprovalCheck } from '../../src/spend/index.ts';
import { ScanRequestsRepo, scanSubject } from '../../src/spend/scanRequests.ts';

/** The scan spend request through the shared approval rules: the same decisions as training, logged the same way. */
const NOW = new Date('2024-05-01T12:00:00Z');
const TB = 1e12;

function setup() {
  const repo = new ScanRequestsRepo(openDatabase(':memory:', LEDGER_MIGRATIONS));
  const plan = planScan([{ day: '2024-04-01', bytes: 3 * TB }], 5);
  const record = repo.insert(
    {
      id: 'scan-1',
      buildId: 'ds-1',
      requestJson: '{}',
      quote: {
        listedBytes: plan.listedBytes,
        scanBytes: plan.scanBytes,
        queries: plan.queries,
        usd: plan.usd,
        cutoffBytes: plan.cutoffBytes,
        rangeLabel: '1 Apr 2024',
      },
      requestedBy: 'UREQUESTER',
      channel: 'C1',
      expiresAt: new Date(NOW.getTime() + 3600_000),
    },
    NOW,
  );
  return { repo, plan, record };
}

function check(userId: string, overrides: Partial<ApprovalCheck> = {}): ApprovalCheck {
  return {
    userId,
    action: 'approve',
    now: NOW,
    policy: {
      may: (user, _action, resource) =>
        user === 'UAPPROVER' && user !== resource.requestedBy
          ? { allowed: true }
          : { allowed: false, reason: 'only an approver (LOGTUNE_APPROVERS) may approve' },
    },
    words: { user: (id) => `<@${id}>`, usd: (n) => `$${n.toFixed(2)}` },
    monthlyBudgetUsd: undefined,
    approvedThisMonthUsd: 0,
    ...overrides,
  };
}

describe('an Athena scan as a spend request', () => {
  it('quotes the plan (3 TB listed, two passes: $30) as its cap', () => {
    const { record, plan } = setup();
    expect(plan.needsApproval).toBe(true);
    expect(record.capUsd).toBe(30);
    expect(scanSubject(record)).toMatchObject({ state: 'pending', capUsd: 30, requestedBy: 'UREQUESTER' });
  });

  it('an approver approves once; a second click is refused and logged', () => {
    const { repo } = setup();
    const first = decideApproval(repo, 'scan-1', check('UAPPROVER'), scanSubject, 'logtune');
    expect(first.kind).toBe('approved');
    expect(repo.get('scan-1')).toMatchObject({ state: 'approved', decidedBy: 'UAPPROVER', workgroup: 'logtune' });
    const second = decideApproval(repo, 'scan-1', check('UAPPROVER'), scanSubject, 'logtune');
    expect(second).toMatchObject({ kind: 'refused', reason: 'it was already approved by <@UAPPROVER>' });
    expect(repo.decisions('scan-1').map((d) => d.outcome)).toEqual(['allowed', 'refused']);
    expect(repo.markStarted('scan-1', NOW)).toBe(true);
    expect(repo.markStarted('scan-1', NOW)).toBe(false);
  });

  it('the requester may not approve their own scan; the month’s budget counts the cap', () => {
    const { repo } = setup();
    expect(decideApproval(repo, 'scan-1', check('UREQUESTER'), scanSubject, 'logtune')).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('only an approver'),
    });
    const over = decideApproval(
      repo,
      'scan-1',
      check('UAPPROVER', { monthlyBudgetUsd: 40, approvedThisMonthUsd: 20 }),
      scanSubject,
      'logtune',
    );
    expect(over).toMatchObject({ kind: 'refused', reason: expect.stringContaining('LOGTUNE_MONTHLY_BUDGET_USD') });
    expect(repo.get('scan-1')!.state).toBe('pending_approval');
  });

  it('an expired request is closed on the click, never approved', () => {
    const { repo } = setup();
    const late = decideApproval(
      repo,
      'scan-1',
      check('UAPPROVER', { now: new Date(NOW.getTime() + 7200_000) }),
      scanSubject,
      'logtune',
    );
    expect(late).toMatchObject({ kind: 'refused', expiredNow: true });
    expect(repo.get('scan-1')!.state).toBe('expired');
  });

  it('approved caps count toward the month', () => {
    const { repo } = setup();
    decideApproval(repo, 'scan-1', check('UAPPROVER'), scanSubject, 'logtune');
    expect(repo.approvedCapsSince(new Date('2024-05-01T00:00:00Z'))).toBe(30);
    expect(repo.approvedCapsSince(new Date('2024-06-01T00:00:00Z'))).toBe(0);
  });
});

describe('the scan approval message', () => {
  it('shows the bytes, the dollars at $5 per TB and the cutoff, with Approve and Cancel while it waits', async () => {
    const { scanApprovalMessage, SCAN_APPROVE_ACTION_ID, SCAN_CANCEL_ACTION_ID } =
      await import('../../src/features/dataset/blocks/scanApproval.ts');
    const { repo, record } = setup();
    const waiting = scanApprovalMessage(record, 5);
    const text = JSON.stringify(waiting.blocks);
    expect(text).toContain('$30.00');
    expect(text).toContain('at $5 per TB, above LOGTUNE_ATHENA_APPROVAL_USD ($5.00)');
    expect(text).toContain(SCAN_APPROVE_ACTION_ID);
    expect(text).toContain(SCAN_CANCEL_ACTION_ID);
    expect(waiting.text).toContain('Waiting for an approver');
    decideApproval(repo, 'scan-1', check('UAPPROVER'), scanSubject, 'logtune');
    const approved = scanApprovalMessage(repo.get('scan-1')!, 5);
    expect(JSON.stringify(approved.blocks)).not.toContain(SCAN_APPROVE_ACTION_ID);
    expect(approved.text).toContain('Approved by <@UAPPROVER>');
  });
});
