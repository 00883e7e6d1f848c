import { describe, expect, it } from 'vitest';
import { Policy, type PolicyAction } from '../../src/slack/policy.ts';

const policy = new Policy({ approvers: ['U0APPROVER', 'U0BOSS'], allowSelfApproval: false });
const mine = { requestedBy: 'U0ALICE' };
const approversOwn = { requestedBy: 'U0APPROVER' };

describe('Policy', () => {
  it.each<[PolicyAction, string, { requestedBy: string }, boolean]>([
    ['dataset.cancel', 'U0ALICE', mine, true],
    ['dataset.cancel', 'U0APPROVER', mine, true],
    ['dataset.cancel', 'U0MALLORY', mine, false],
    ['training.approve', 'U0APPROVER', mine, true],
    ['training.approve', 'U0ALICE', mine, false],
    ['training.approve', 'U0MALLORY', mine, false],
    ['training.approve', 'U0APPROVER', approversOwn, false],
    ['training.approve', 'U0BOSS', approversOwn, true],
    ['training.cancel', 'U0ALICE', mine, true],
    ['training.cancel', 'U0BOSS', mine, true],
    ['training.cancel', 'U0MALLORY', mine, false],
    ['deploy.approve', 'U0APPROVER', mine, true],
    ['deploy.approve', 'U0ALICE', mine, false],
    ['endpoint.undeploy', 'U0ALICE', mine, true],
    ['endpoint.undeploy', 'U0MALLORY', mine, false],
    ['endpoint.keep', 'U0BOSS', mine, true],
  ])('%s by %s on a request of %o → %s', (action, user, resource, allowed) => {
    expect(policy.may(user, action, resource).allowed).toBe(allowed);
  });

  it('says why, in words a person can act on', () => {
    expect(policy.may('U0MALLORY', 'training.approve', mine)).toEqual({
      allowed: false,
      reason: 'only the approvers named in LOGTUNE_APPROVERS may approve spending',
    });
    expect(policy.may('U0APPROVER', 'training.approve', approversOwn)).toMatchObject({
      reason: expect.stringContaining('another approver has to approve it'),
    });
    expect(policy.may('U0MALLORY', 'dataset.cancel', mine)).toMatchObject({
      reason: 'only the person who asked for it or an approver may do this',
    });
    const nobody = new Policy({ approvers: [], allowSelfApproval: false });
    expect(nobody.may('U0ALICE', 'deploy.approve', mine)).toMatchObject({
      reason: expect.stringContaining('no approvers are configured'),
    });
  });

  it('lets an approver approve their own request only when self-approval is allowed', () => {
    const lenient = new Policy({ approvers: ['U0APPROVER'], allowSelfApproval: true });
    expect(lenient.may('U0APPROVER', 'training.approve', approversOwn).allowed).toBe(true);
    expect(lenient.may('U0ALICE', 'training.approve', mine).allowed).toBe(false);
  });
});
