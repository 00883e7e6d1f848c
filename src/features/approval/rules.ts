import { formatUsd } from '../../slack/blocks/money.ts';
import { mention } from '../../slack/blocks/text.ts';
import type { Policy, PolicyAction } from '../../slack/policy.ts';

/**
 * Whether a click on Approve may go through, for any request that spends money (a training job, an endpoint). Pure:
 * the caller records the decision (allowed or refused) and, when allowed, moves the request's state in the same
 * synchronous step, so no second click can slip in between.
 */
export interface ApprovalSubject {
  /** `pending` is the only state an approval can move; the others say why not. */
  readonly state: 'pending' | 'approved' | 'cancelled' | 'expired' | 'closed';
  readonly requestedBy: string;
  readonly decidedBy: string | undefined;
  readonly expiresAt: Date | undefined;
  /** What approving commits this month: the training cap (deploys commit no cap and pass undefined). */
  readonly capUsd: number | undefined;
}

export interface ApprovalCheck {
  readonly userId: string;
  readonly action: PolicyAction;
  readonly now: Date;
  readonly policy: Policy;
  readonly monthlyBudgetUsd: number | undefined;
  /** Caps approved so far this calendar month (UTC). */
  readonly approvedThisMonthUsd: number;
}

/** `reason` is mrkdwn made only of logtune's own words and validated mentions: shown as it is. */
export type ApprovalVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly expired?: boolean };

export function checkApproval(subject: ApprovalSubject, check: ApprovalCheck): ApprovalVerdict {
  switch (subject.state) {
    case 'approved':
      return { ok: false, reason: `it was already approved${subject.decidedBy ? ` by ${mention(subject.decidedBy)}` : ''}` };
    case 'cancelled':
      return { ok: false, reason: `it was cancelled${subject.decidedBy ? ` by ${mention(subject.decidedBy)}` : ''}; nothing will start` };
    case 'expired':
      return { ok: false, reason: 'it has expired; ask again to get a fresh estimate', expired: true };
    case 'closed':
      return { ok: false, reason: 'it is no longer waiting for approval' };
    case 'pending':
      break;
  }
  if (subject.expiresAt !== undefined && check.now >= subject.expiresAt) {
    return { ok: false, reason: 'it has expired (LOGTUNE_APPROVAL_TTL_HOURS); ask again to get a fresh estimate', expired: true };
  }
  const decision = check.policy.may(check.userId, check.action, subject);
  if (!decision.allowed) return { ok: false, reason: decision.reason };
  if (check.monthlyBudgetUsd !== undefined && subject.capUsd !== undefined) {
    const total = check.approvedThisMonthUsd + subject.capUsd;
    if (total > check.monthlyBudgetUsd + 1e-9) {
      return {
        ok: false,
        reason:
          `approving its cap of ${formatUsd(subject.capUsd)} would take this month's approved caps to ${formatUsd(total)}, over ` +
          `LOGTUNE_MONTHLY_BUDGET_USD (${formatUsd(check.monthlyBudgetUsd)}; ${formatUsd(check.approvedThisMonthUsd)} approved so far)`,
      };
    }
  }
  return { ok: true };
}

/** The first instant of the calendar month (UTC) that `now` is in: the monthly budget's window. */
export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}
