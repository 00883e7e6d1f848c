/** Who may do what: the surface's policy (LOGTUNE_APPROVERS, self-approval), seen only through this. */
export interface ApprovalPolicy<A extends string = string> {
  may(
    userId: string,
    action: A,
    resource: { readonly requestedBy: string },
  ): { readonly allowed: true } | { readonly allowed: false; readonly reason: string };
}

/** How the surface writes a person and an amount in a reason (Slack: a mention, dollars). */
export interface ApprovalWords {
  user(userId: string): string;
  usd(amount: number): string;
}

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
  readonly action: string;
  readonly now: Date;
  readonly policy: ApprovalPolicy;
  readonly words: ApprovalWords;
  readonly monthlyBudgetUsd: number | undefined;
  /** Caps approved so far this calendar month (UTC). */
  readonly approvedThisMonthUsd: number;
}

/** `reason` is mrkdwn made only of logtune's own words and validated mentions: shown as it is. */
export type ApprovalVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly expired?: boolean };

export function checkApproval(subject: ApprovalSubject, check: ApprovalCheck): ApprovalVerdict {
  switch (subject.state) {
    case 'approved':
      return {
        ok: false,
        reason: `it was already approved${subject.decidedBy ? ` by ${check.words.user(subject.decidedBy)}` : ''}`,
      };
    case 'cancelled':
      return {
        ok: false,
        reason: `it was cancelled${subject.decidedBy ? ` by ${check.words.user(subject.decidedBy)}` : ''}; nothing will start`,
      };
    case 'expired':
      return { ok: false, reason: 'it has expired; ask again to get a fresh estimate', expired: true };
    case 'closed':
      return { ok: false, reason: 'it is no longer waiting for approval' };
    case 'pending':
      break;
  }
  if (subject.expiresAt !== undefined && check.now >= subject.expiresAt) {
    return {
      ok: false,
      reason: 'it has expired (LOGTUNE_APPROVAL_TTL_HOURS); ask again to get a fresh estimate',
      expired: true,
    };
  }
  const decision = check.policy.may(check.userId, check.action, subject);
  if (!decision.allowed) return { ok: false, reason: decision.reason };
  if (check.monthlyBudgetUsd !== undefined && subject.capUsd !== undefined) {
    const total = check.approvedThisMonthUsd + subject.capUsd;
    if (total > check.monthlyBudgetUsd + 1e-9) {
      return {
        ok: false,
        reason:
          `approving its cap of ${check.words.usd(subject.capUsd)} would take this month's approved caps to ${check.words.usd(total)}, over ` +
          `LOGTUNE_MONTHLY_BUDGET_USD (${check.words.usd(check.monthlyBudgetUsd)}; ${check.words.usd(check.approvedThisMonthUsd)} approved so far)`,
      };
    }
  }
  return { ok: true };
}

/** The first instant of the calendar month (UTC) that `now` is in: the monthly budget's window. */
export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** What a request's store offers the approval step (training and deploy requests alike). */
export interface ApprovableStore<R> extends Pick<ExpirableStore<R>, 'close'> {
  get(id: string): R | undefined;
  /** pending → approved, naming what the approval will create; false if it moved meanwhile. */
  approve(id: string, userId: string, resourceName: string, now: Date): boolean;
  recordDecision(
    id: string,
    decision: {
      userId: string;
      action: 'approve';
      outcome: 'allowed' | 'refused';
      reason: string | undefined;
      capUsd: number | undefined;
    },
    now: Date,
  ): void;
  transaction<T>(work: () => T): T;
}

export type ApprovalOutcome<R> =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'refused'; readonly record: R; readonly reason: string; readonly expiredNow: boolean }
  | { readonly kind: 'approved'; readonly record: R };

/**
 * One click on Approve, checked and recorded in one synchronous transaction (no other click can slip in between):
 * refused → the refusal is logged (and an expired request closed); allowed → the request is approved and the
 * decision logged, before anything is created.
 */
export function decideApproval<R>(
  store: ApprovableStore<R>,
  id: string,
  check: ApprovalCheck,
  subjectOf: (record: R) => ApprovalSubject,
  resourceName: string,
): ApprovalOutcome<R> {
  return store.transaction((): ApprovalOutcome<R> => {
    const record = store.get(id);
    if (record === undefined) return { kind: 'unknown' };
    const subject = subjectOf(record);
    const verdict = checkApproval(subject, check);
    const decision = { userId: check.userId, action: 'approve' as const, capUsd: subject.capUsd };
    if (!verdict.ok) {
      store.recordDecision(id, { ...decision, outcome: 'refused', reason: verdict.reason }, check.now);
      const expiredNow = verdict.expired === true && store.close(id, 'expired', ['pending_approval'], {}, check.now);
      return { kind: 'refused', record, reason: verdict.reason, expiredNow };
    }
    store.approve(id, check.userId, resourceName, check.now);
    store.recordDecision(id, { ...decision, outcome: 'allowed', reason: undefined }, check.now);
    return { kind: 'approved', record };
  });
}

/** Who may approve, for how long a request waits, and the month's cap on committed spend: the same for every kind. */
export interface ApprovalSettings {
  readonly approvers: readonly string[];
  readonly ttlHours: number;
  readonly monthlyBudgetUsd: number | undefined;
}

export function approvalSettings(bot: {
  readonly approvers: readonly string[];
  readonly approvalTtlHours: number;
  readonly monthlyBudgetUsd: number | undefined;
}): ApprovalSettings {
  return { approvers: bot.approvers, ttlHours: bot.approvalTtlHours, monthlyBudgetUsd: bot.monthlyBudgetUsd };
}

/** When a request quoted at `now` stops waiting for approval. */
export function expiryOf(settings: ApprovalSettings, now: Date): Date {
  return new Date(now.getTime() + settings.ttlHours * 3600_000);
}

/** What a kind's store offers the expiry sweep. */
export interface ExpirableStore<R> {
  inStates(states: readonly ['pending_approval']): R[];
  close(
    id: string,
    state: 'expired',
    from: readonly ['pending_approval'],
    details: Record<string, never>,
    now: Date,
  ): boolean;
}

/**
 * Requests past their time to live stop waiting: each is closed by compare-and-set (a click in between wins or loses
 * cleanly), and only those this sweep closed are returned, for the kind to say so once.
 */
export function closeExpired<R extends { readonly id: string; readonly expiresAt: string | undefined }>(
  store: ExpirableStore<R>,
  now: Date,
): R[] {
  return store
    .inStates(['pending_approval'])
    .filter((r) => r.expiresAt !== undefined && new Date(r.expiresAt) <= now)
    .filter((r) => store.close(r.id, 'expired', ['pending_approval'], {}, now));
}

/** A request as the approval rules see it: its state in their words, who asked and decided, its expiry, its cap. */
export function approvalSubject(
  record: {
    readonly requestedBy: string;
    readonly decidedBy: string | undefined;
    readonly expiresAt: string | undefined;
  },
  state: ApprovalSubject['state'],
  capUsd: number | undefined,
): ApprovalSubject {
  const { requestedBy, decidedBy, expiresAt } = record;
  return {
    state,
    requestedBy,
    decidedBy,
    expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt),
    capUsd,
  };
}
