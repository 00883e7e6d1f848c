import { deployNames } from '../../deploy/requests.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { APPROVAL_WORDS } from '../../slack/blocks/spend.ts';
import { escapeMrkdwn, inlineCode } from '../../slack/blocks/text.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import { approvalSubject, closeExpired, decideApproval, type ApprovalSubject } from '../../spend/approval.ts';
import { approvedMessage, cancelledDuringCreationMessage, cancelledMessage, expiredMessage } from './blocks/thread.ts';
import { now, requestKey, type DeployContext } from './context.ts';
import type { SpendCreation } from '../../spend/creation.ts';
import { replyInThread, showRequest } from './messages.ts';
import type { DeployRecord, DeployState } from './deployRequestsRepo.ts';

const STATE_OF: Record<DeployState, ApprovalSubject['state']> = {
  pending_approval: 'pending',
  approved: 'approved',
  created: 'approved',
  cancelled: 'cancelled',
  expired: 'expired',
  failed: 'closed',
};

// A deploy commits no cap: it bills by the hour until removed, which the idle sweep bounds.
const subjectOf = (record: DeployRecord) => approvalSubject(record, STATE_OF[record.state], undefined);

const refused = (what: string, reason: string) => plainMessage(`:no_entry: You cannot ${what}: ${reason}.`);
const unknown = (id: string) => plainMessage(`No deploy request ${inlineCode(id)} is known here.`);

/**
 * People's decisions on a deploy request: Approve, Cancel, and requests that expire. Each is checked and recorded in
 * one synchronous step (no other click can slip in), then said in the thread and shown on the message; a refused
 * click is answered privately and changes nothing.
 */
export class DeployDecisions {
  constructor(
    private readonly ctx: DeployContext,
    private readonly creation: Pick<SpendCreation<unknown, unknown>, 'start'>,
  ) {}

  async approve(id: string, userId: string): Promise<MessageContent | undefined> {
    const { ctx } = this;
    const at = now(ctx);
    // Deploys commit no cap: the monthly budget (for training caps) does not apply to them.
    const check = {
      userId,
      action: 'deploy.approve' as const,
      now: at,
      policy: ctx.policy,
      words: APPROVAL_WORDS,
      monthlyBudgetUsd: undefined,
      approvedThisMonthUsd: 0,
    };
    const outcome = decideApproval(ctx.requests, id, check, subjectOf, deployNames(id).endpoint);
    if (outcome.kind === 'unknown') return unknown(id);
    if (outcome.kind === 'refused') {
      ctx.log.info('deploy approval refused', { requestId: id, userId, reason: outcome.reason });
      if (outcome.expiredNow) await this.announceExpiry(outcome.record, at);
      return refused('approve this', outcome.reason);
    }
    ctx.log.info('deploy approved', { requestId: id, userId });
    await replyInThread(
      ctx,
      outcome.record,
      'approved',
      approvedMessage(userId, at.toISOString(), outcome.record.quote),
    );
    await showRequest(ctx, id);
    this.creation.start(id);
    return undefined;
  }

  /** Withdraws a request before approval: it closes, and a later Approve creates nothing. */
  async cancel(id: string, userId: string): Promise<MessageContent | undefined> {
    const { ctx } = this;
    const at = now(ctx);
    const record = ctx.requests.get(id);
    if (!record) return unknown(id);
    const allowed = ctx.policy.may(userId, 'deploy.cancel', record);
    if (!allowed.allowed) {
      ctx.requests.recordDecision(id, { userId, action: 'cancel', outcome: 'refused', reason: allowed.reason }, at);
      return refused('cancel this', escapeMrkdwn(allowed.reason));
    }
    if (record.state === 'approved') return this.cancelCreation(record, userId, at);
    if (!ctx.requests.close(id, 'cancelled', ['pending_approval'], { userId }, at)) {
      const hint = record.endpointName
        ? `; remove its endpoint with ${inlineCode(`${ctx.command} undeploy ${record.endpointName}`)}`
        : '';
      return plainMessage(
        `${inlineCode(id)} is no longer waiting for approval (${record.state.replace('_', ' ')})${hint}.`,
      );
    }
    ctx.requests.recordDecision(id, { userId, action: 'cancel', outcome: 'allowed', reason: undefined }, at);
    ctx.log.info('deploy request cancelled', { requestId: id, userId });
    if (ctx.messenger.tsOf(requestKey(id)) !== undefined)
      await replyInThread(ctx, record, 'cancelled', cancelledMessage(userId, at.toISOString()));
    await showRequest(ctx, id);
    return undefined;
  }

  /**
   * Cancel after Approve, while the creates run or wait to be retried: recorded first (approved → cancelled, so no
   * further attempt starts); an endpoint the creates in flight make anyway is removed as soon as their answer
   * arrives (creator.ts), or on the next start when this process never saw it (withdrawn.ts).
   */
  private async cancelCreation(record: DeployRecord, userId: string, at: Date): Promise<MessageContent | undefined> {
    const { ctx } = this;
    if (!ctx.requests.close(record.id, 'cancelled', ['approved'], { userId }, at)) {
      const name = ctx.requests.get(record.id)?.endpointName ?? '';
      return plainMessage(
        `${inlineCode(record.id)} was created meanwhile; remove its endpoint with ${inlineCode(`${ctx.command} undeploy ${name}`)}.`,
      );
    }
    ctx.requests.recordDecision(record.id, { userId, action: 'cancel', outcome: 'allowed', reason: undefined }, at);
    ctx.log.info('deploy request cancelled while its creates were in flight', { requestId: record.id, userId });
    await replyInThread(ctx, record, 'cancelled', cancelledDuringCreationMessage(userId, at.toISOString()));
    await showRequest(ctx, record.id);
    return undefined;
  }

  /** Requests past their time to live stop waiting: the message says so and loses its buttons. */
  async sweepExpired(): Promise<void> {
    const at = now(this.ctx);
    for (const record of closeExpired(this.ctx.requests, at)) await this.announceExpiry(record, at);
  }

  private async announceExpiry(record: DeployRecord, at: Date): Promise<void> {
    this.ctx.log.info('deploy request expired', { requestId: record.id });
    await replyInThread(this.ctx, record, 'expired', expiredMessage(at.toISOString()));
    await showRequest(this.ctx, record.id);
  }
}
