import { describe, expect, it } from 'vitest';
import { checkApproval, monthStart, type ApprovalCheck, type ApprovalSubject } from '../../src/spend/approval.ts';
import { Policy } from '../../src/slack/policy.ts';
import { APPROVAL_WORDS } from '../../src/slack/blocks/spend.ts';

const now = new Date('2024-06-15T12:00:00Z');
const subject = (over: Partial<ApprovalSubject> = {}): ApprovalSubject => ({
  state: 'pending',
  requestedBy: 'U0ALICE',
  decidedBy: undefined,
  expiresAt: new Date('2024-06-16T12:00:00Z'),
  capUsd: 100,
  ...over,
});
const check = (over: Partial<ApprovalCheck> = {}): ApprovalCheck => ({
  userId: 'U0APPROVER',
  action: 'training.approve',
  now,
  policy: new Policy({ approvers: ['U0APPROVER'], allowSelfApproval: false }),
  words: APPROVAL_WORDS,
  monthlyBudgetUsd: undefined,
  approvedThisMonthUsd: 0,
  ...over,
});

describe('checkApproval', () => {
  it('lets an approver approve a pending request', () => {
    expect(checkApproval(subject(), check())).toEqual({ ok: true });
  });

  it('refuses a request that is no longer pending, saying who decided', () => {
    expect(checkApproval(subject({ state: 'approved', decidedBy: 'U0BOSS' }), check())).toEqual({
      ok: false,
      reason: 'it was already approved by <@U0BOSS>',
    });
    expect(checkApproval(subject({ state: 'cancelled', decidedBy: 'U0ALICE' }), check())).toMatchObject({
      reason: 'it was cancelled by <@U0ALICE>; nothing will start',
    });
    expect(checkApproval(subject({ state: 'expired' }), check())).toMatchObject({ ok: false, expired: true });
  });

  it('refuses once the time to live has passed, even if nobody marked it expired yet', () => {
    expect(checkApproval(subject({ expiresAt: now }), check())).toMatchObject({
      ok: false,
      expired: true,
      reason: expect.stringContaining('LOGTUNE_APPROVAL_TTL_HOURS'),
    });
  });

  it('asks the policy: non-approvers and self-approval are refused', () => {
    expect(checkApproval(subject(), check({ userId: 'U0MALLORY' }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('LOGTUNE_APPROVERS'),
    });
    expect(checkApproval(subject({ requestedBy: 'U0APPROVER' }), check())).toMatchObject({
      ok: false,
      reason: expect.stringContaining('another approver'),
    });
  });

  it('keeps the month within LOGTUNE_MONTHLY_BUDGET_USD, to the cent', () => {
    expect(
      checkApproval(subject({ capUsd: 100 }), check({ monthlyBudgetUsd: 500, approvedThisMonthUsd: 400 })),
    ).toEqual({ ok: true });
    expect(
      checkApproval(subject({ capUsd: 100.01 }), check({ monthlyBudgetUsd: 500, approvedThisMonthUsd: 400 })),
    ).toEqual({
      ok: false,
      reason:
        "approving its cap of $100.01 would take this month's approved caps to $500.01, over LOGTUNE_MONTHLY_BUDGET_USD ($500.00; $400.00 approved so far)",
    });
  });

  it('counts the month from its first day, UTC', () => {
    expect(monthStart(new Date('2024-03-01T00:00:00Z')).toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(monthStart(new Date('2024-02-29T23:59:59Z')).toISOString()).toBe('2024-02-01T00:00:00.000Z');
  });
});
