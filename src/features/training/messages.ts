import type { PostOutcome } from '../../slack/messenger.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import { parseApprovalQuote } from './approvalQuote.ts';
import { trainingMessage, type TrainingJobView } from './blocks/request.ts';
import { JOB_KIND, requestKey, type TrainingContext } from './context.ts';
import { jobSnapshotSchema } from './jobSnapshot.ts';
import type { TrainingRecord } from './trainingRequestsRepo.ts';

/** The request's top-level message as it should look now: its record, its quote, and its job's last snapshot. */
export function requestMessage(ctx: TrainingContext, record: TrainingRecord): MessageContent {
  return trainingMessage({
    id: record.id,
    requestedBy: record.requestedBy,
    rangeLabel: record.ask.rangeLabel,
    state: record.state,
    approvers: ctx.approval.approvers,
    quote: parseApprovalQuote(record.quoteJson),
    decidedBy: record.decidedBy,
    expiresAt: record.expiresAt,
    problem: record.error,
    job: jobView(ctx, record),
    cancelledInLaunch: record.state === 'cancelled' && record.jobName !== undefined,
    firstApproval: !ctx.requests.inStates(['approved', 'launched']).some((other) => other.id !== record.id),
  });
}

export function jobView(ctx: TrainingContext, record: TrainingRecord): TrainingJobView | undefined {
  if (record.jobName === undefined || record.state !== 'launched') return undefined;
  const row = ctx.trackers.snapshotOf(JOB_KIND, record.jobName);
  const parsed = row === undefined ? undefined : jobSnapshotSchema.safeParse(row);
  if (!parsed?.success) return undefined;
  return { name: record.jobName, ...parsed.data };
}

/** Posts the top-level message, or brings it up to date; says whether Slack has it (or refused it, and why). */
export async function showRequest(ctx: TrainingContext, id: string): Promise<PostOutcome> {
  const record = ctx.requests.get(id);
  if (!record) return { kind: 'lost' };
  return ctx.messenger.postOutcome(requestKey(id), { channel: record.channel }, requestMessage(ctx, record));
}

/** A reply in the request's thread, once per key; false when there is no thread to reply in yet. */
export async function replyInThread(
  ctx: TrainingContext,
  record: TrainingRecord,
  key: string,
  content: MessageContent,
): Promise<boolean> {
  const threadTs = ctx.messenger.tsOf(requestKey(record.id));
  if (threadTs === undefined) {
    ctx.log.warn('training thread reply skipped: the request message was not posted', { requestId: record.id, key });
    return false;
  }
  return (
    (await ctx.messenger.post(`training:${record.id}:${key}`, { channel: record.channel, threadTs }, content)) !==
    undefined
  );
}
