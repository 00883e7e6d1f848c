import { TrainingJobNotFoundError } from '../../aws/sagemakerTraining.ts';
import { parseApprovalQuote } from './approvalQuote.ts';
import { stoppedAfterCancelMessage } from './blocks/thread.ts';
import { JOB_KIND, now, type TrainingContext } from './context.ts';
import { replyInThread, showRequest } from './messages.ts';
import type { TrainingRecord } from './trainingRequestsRepo.ts';

/**
 * Cancel pressed after Approve, while CreateTrainingJob was being called or retried. The cancel is recorded first (the
 * request moves approved → cancelled, so no further attempt starts); a job the attempt in flight created anyway is
 * tracked like any other (a restart re-attaches to it) and stopped at once, here; the tracker asks again while it
 * still runs (jobKind.ts), and a restart settles a launch whose answer it never saw (settleCancelledLaunches).
 */

/** Follows the job from now on (the tracker's row is what a restart re-attaches to), before anything is said. */
export function trackJob(ctx: TrainingContext, record: TrainingRecord, jobName: string): void {
  const quote = parseApprovalQuote(record.quoteJson);
  ctx.trackers.track(JOB_KIND, jobName, {
    requestId: record.id,
    usdPerHour: quote?.usdPerHour ?? 1,
    workTokens: quote ? quote.tokens * quote.epochs : 0,
  });
}

/** StopTrainingJob on the job of a cancelled request, said once in its thread; never throws. */
export async function stopWithdrawnJob(ctx: TrainingContext, record: TrainingRecord, jobName: string): Promise<void> {
  let outcome: Parameters<typeof stoppedAfterCancelMessage>[1];
  try {
    const stopped = await ctx.aws.jobs.stop(jobName);
    outcome = stopped.outcome === 'stopping' ? { kind: 'stopping' } : { kind: 'already-ended' };
  } catch (error) {
    // Not yet visible, throttled, unreachable: the tracker's next poll asks again (jobKind.ts).
    ctx.log.warn('stopping a job created after its cancel failed', { requestId: record.id, jobName, error });
    outcome = { kind: 'stop-failed', reason: error instanceof Error ? error.message : String(error) };
  }
  ctx.log.info('training job created after its cancel: stop requested', {
    requestId: record.id,
    jobName,
    outcome: outcome.kind,
  });
  ctx.trackers.pollSoon(JOB_KIND, jobName);
  await replyInThread(ctx, record, 'stopped-after-cancel', stoppedAfterCancelMessage(jobName, outcome));
  await showRequest(ctx, record.id);
}

/** An hour over the job's own limit: by then SageMaker has stopped it at the approved runtime anyway. */
const MARGIN_MS = 3_600_000;

/**
 * After a restart: a request cancelled while its launch was in flight, whose job this process never saw (the bot
 * stopped, or crashed, before CreateTrainingJob answered). DescribeTrainingJob on the derived name settles it: a job
 * found is tracked and stopped. Asked only while such a job could still run (its MaxRuntime after the cancel).
 */
export async function settleCancelledLaunches(ctx: TrainingContext): Promise<void> {
  const at = now(ctx).getTime();
  for (const record of ctx.requests.cancelledDuringLaunch()) {
    const jobName = record.jobName;
    if (jobName === undefined || ctx.trackers.snapshotOf(JOB_KIND, jobName) !== undefined) continue;
    const quote = parseApprovalQuote(record.quoteJson);
    const cancelledAt = Date.parse(record.decidedAt ?? record.createdAt);
    if (quote === undefined || at > cancelledAt + quote.maxRuntimeSeconds * 1000 + MARGIN_MS) continue;
    try {
      await ctx.aws.jobs.describe(jobName);
    } catch (error) {
      if (!(error instanceof TrainingJobNotFoundError))
        ctx.log.warn('could not settle a launch cancelled in flight; asking again on the next start', {
          requestId: record.id,
          jobName,
          error,
        });
      continue;
    }
    trackJob(ctx, record, jobName);
    await stopWithdrawnJob(ctx, record, jobName);
  }
}
