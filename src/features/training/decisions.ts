import { TRAINING_REQUESTED_BY_TAG, TrainingJobNotFoundError } from '../../aws/sagemakerTraining.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { APPROVAL_WORDS } from '../../slack/blocks/spend.ts';
import { escapeMrkdwn, inlineCode } from '../../slack/blocks/text.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import { trainingJobName } from '../../training/request.ts';
import {
  approvalSubject,
  closeExpired,
  decideApproval,
  monthStart,
  type ApprovalSubject,
} from '../../spend/approval.ts';
import { parseApprovalQuote } from './approvalQuote.ts';
import {
  approvedMessage,
  cancelledDuringLaunchMessage,
  cancelledMessage,
  expiredMessage,
  stopRequestedMessage,
} from './blocks/thread.ts';
import { JOB_KIND, now, type TrainingContext } from './context.ts';
import type { TrainingFlow } from './flow.ts';
import { replyInThread, showRequest } from './messages.ts';
import type { TrainingRecord, TrainingState } from './trainingRequestsRepo.ts';

const STATE_OF: Record<TrainingState, ApprovalSubject['state']> = {
  awaiting_dataset: 'closed',
  pending_approval: 'pending',
  approved: 'approved',
  launched: 'approved',
  cancelled: 'cancelled',
  expired: 'expired',
  failed: 'closed',
};

const subjectOf = (record: TrainingRecord) => approvalSubject(record, STATE_OF[record.state], record.capUsd);

const refused = (what: string, reason: string) => plainMessage(`:no_entry: You cannot ${what}: ${reason}.`);

/**
 * People's decisions on a training request: Approve, Cancel (before approval), stop the running job, and requests
 * that expire. Each is checked and recorded in one synchronous step (no other click can slip in), then said in the
 * thread and shown on the message; a refused click is answered privately and changes nothing.
 */
export class TrainingDecisions {
  constructor(
    private readonly ctx: TrainingContext,
    private readonly flow: TrainingFlow,
  ) {}

  async approve(id: string, userId: string): Promise<MessageContent | undefined> {
    const { ctx } = this;
    const at = now(ctx);
    const check = {
      userId,
      action: 'training.approve' as const,
      now: at,
      policy: ctx.policy,
      words: APPROVAL_WORDS,
      monthlyBudgetUsd: ctx.approval.monthlyBudgetUsd,
      approvedThisMonthUsd: ctx.requests.approvedCapsSince(monthStart(at)) + ctx.scanCapsSince(monthStart(at)),
    };
    const outcome = decideApproval(ctx.requests, id, check, subjectOf, trainingJobName(id));
    if (outcome.kind === 'unknown') return plainMessage(`No training request ${inlineCode(id)} is known here.`);
    if (outcome.kind === 'refused') {
      ctx.log.info('training approval refused', { requestId: id, userId, reason: outcome.reason });
      if (outcome.expiredNow) await this.announceExpiry(outcome.record, at);
      return refused('approve this', outcome.reason);
    }
    ctx.log.info('training approved', { requestId: id, userId, capUsd: outcome.record.capUsd });
    const quote = parseApprovalQuote(outcome.record.quoteJson);
    if (quote) await replyInThread(ctx, outcome.record, 'approved', approvedMessage(userId, at.toISOString(), quote));
    await showRequest(ctx, id);
    this.flow.launch(id);
    return undefined;
  }

  /** Cancel before a job exists: the request closes and a later Approve starts nothing. */
  async cancel(id: string, userId: string): Promise<MessageContent | undefined> {
    const { ctx } = this;
    const at = now(ctx);
    const record = ctx.requests.get(id);
    if (!record) return plainMessage(`No training request ${inlineCode(id)} is known here.`);
    if (record.state === 'launched') return this.stop(id, userId);
    const allowed = ctx.policy.may(userId, 'training.cancel', record);
    if (!allowed.allowed) {
      ctx.requests.recordDecision(
        id,
        { userId, action: 'cancel', outcome: 'refused', reason: allowed.reason, capUsd: record.capUsd },
        at,
      );
      return refused('cancel this', escapeMrkdwn(allowed.reason));
    }
    if (record.state === 'approved') return this.cancelLaunch(record, userId, at);
    if (!ctx.requests.close(id, 'cancelled', ['awaiting_dataset', 'pending_approval'], { userId }, at)) {
      return plainMessage(
        `${inlineCode(id)} is no longer waiting (${record.state.replace('_', ' ')}); nothing to cancel.`,
      );
    }
    ctx.requests.recordDecision(
      id,
      { userId, action: 'cancel', outcome: 'allowed', reason: undefined, capUsd: record.capUsd },
      at,
    );
    ctx.log.info('training request cancelled', { requestId: id, userId });
    if (ctx.messenger.tsOf(`training:${id}:request`) === undefined)
      return plainMessage(`Cancelled ${inlineCode(id)} before its estimate was posted.`);
    await replyInThread(ctx, record, 'cancelled', cancelledMessage(userId, at.toISOString()));
    await showRequest(ctx, id);
    return undefined;
  }

  /**
   * Cancel after Approve, while CreateTrainingJob is called or waits to be retried: recorded first (approved →
   * cancelled, so no further attempt starts); a job the attempt in flight creates anyway is stopped as soon as its
   * answer arrives (launch.ts, withdrawn.ts). Already launched meanwhile: the job is stopped like any running one.
   */
  private async cancelLaunch(record: TrainingRecord, userId: string, at: Date): Promise<MessageContent | undefined> {
    const { ctx } = this;
    if (!ctx.requests.close(record.id, 'cancelled', ['approved'], { userId }, at)) return this.stop(record.id, userId);
    ctx.requests.recordDecision(
      record.id,
      { userId, action: 'cancel', outcome: 'allowed', reason: undefined, capUsd: record.capUsd },
      at,
    );
    ctx.log.info('training request cancelled while its launch was in flight', {
      requestId: record.id,
      jobName: record.jobName,
      userId,
    });
    await replyInThread(ctx, record, 'cancelled', cancelledDuringLaunchMessage(userId, at.toISOString()));
    await showRequest(ctx, record.id);
    return undefined;
  }

  /** Stop a running job (the Cancel button on its message, or `/logtune cancel <job>`). */
  async stop(ref: string, userId: string): Promise<MessageContent | undefined> {
    const { ctx } = this;
    const record = ctx.requests.get(ref) ?? ctx.requests.getByJob(ref);
    if (!record) return this.stopAdopted(ref, userId);
    if (record.state === 'awaiting_dataset' || record.state === 'pending_approval' || record.state === 'approved')
      return this.cancel(record.id, userId);
    const allowed = ctx.policy.may(userId, 'training.cancel', record);
    if (!allowed.allowed) return refused('stop this job', escapeMrkdwn(allowed.reason));
    if (record.state !== 'launched' || record.jobName === undefined) {
      return plainMessage(`${inlineCode(record.id)} has no running job (${record.state.replace('_', ' ')}).`);
    }
    let outcome;
    try {
      outcome = (await ctx.aws.jobs.stop(record.jobName)).outcome;
    } catch (error) {
      if (error instanceof TrainingJobNotFoundError)
        return plainMessage(`SageMaker has no job ${inlineCode(record.jobName)} in this account and region.`);
      throw error;
    }
    ctx.log.info('training stop requested', { requestId: record.id, jobName: record.jobName, userId, outcome });
    await replyInThread(ctx, record, `stop:${userId}`, stopRequestedMessage(userId, outcome));
    ctx.trackers.pollSoon(JOB_KIND, record.jobName);
    return outcome === 'stopping'
      ? plainMessage(`Stopping ${inlineCode(record.jobName)}; the thread says when SageMaker has stopped it.`)
      : undefined;
  }

  /** A job adopted by reconciling (no request of this database): its requester (by its tag) or an approver may stop it. */
  private async stopAdopted(jobName: string, userId: string): Promise<MessageContent | undefined> {
    const { ctx } = this;
    const job = ctx.adopted.get('training-job', jobName);
    if (!job || job.endedAt !== undefined)
      return plainMessage(`No training request or job ${inlineCode(jobName)} is known here.`);
    const requestedBy = job.tags[TRAINING_REQUESTED_BY_TAG] ?? '';
    const allowed = ctx.policy.may(userId, 'training.cancel', { requestedBy });
    if (!allowed.allowed) return refused('stop this job', escapeMrkdwn(allowed.reason));
    let outcome;
    try {
      outcome = (await ctx.aws.jobs.stop(jobName)).outcome;
    } catch (error) {
      if (!(error instanceof TrainingJobNotFoundError)) throw error;
      outcome = 'already-ended' as const;
    }
    ctx.adopted.end('training-job', jobName, userId, now(ctx));
    ctx.log.info('adopted training job stop requested', { jobName, userId, outcome });
    return plainMessage(
      outcome === 'stopping'
        ? `:octagonal_sign: Stopping ${inlineCode(jobName)} (adopted: this database had no record of it); SageMaker saves its model and stops it.`
        : `${inlineCode(jobName)} had already ended; nothing more is billed for it.`,
    );
  }

  /** Requests past their time to live stop waiting: the message says so and loses its buttons. */
  async sweepExpired(): Promise<void> {
    const at = now(this.ctx);
    for (const record of closeExpired(this.ctx.requests, at)) await this.announceExpiry(record, at);
  }

  private async announceExpiry(record: TrainingRecord, at: Date): Promise<void> {
    this.ctx.log.info('training request expired', { requestId: record.id });
    await replyInThread(this.ctx, record, 'expired', expiredMessage(at.toISOString()));
    await showRequest(this.ctx, record.id);
  }
}
