import { z } from 'zod';
import { TrainingJobNotFoundError } from '../../aws/sagemakerTraining.ts';
import type { Observation, TrackedKind } from '../../trackers/types.ts';
import { observationOf, trainingProgress } from '../../training/progress.ts';
import { parseApprovalQuote } from './approvalQuote.ts';
import { resultMessage, statusChangeMessage } from './blocks/thread.ts';
import { JOB_KIND, now, type TrainingContext } from './context.ts';
import { jobSnapshotSchema } from './jobSnapshot.ts';
import { replyInThread, showRequest } from './messages.ts';

/**
 * A running training job as the tracker watches it: every secondary status SageMaker lists (those passed while the
 * bot was down included) becomes a change, and the end of the job one more, each reported once in the thread; the
 * request's message shows status, elapsed time and dollars so far. A finished job is also recorded for fitting.
 */
const contextSchema = z.object({
  requestId: z.string(),
  usdPerHour: z.number().positive(),
  workTokens: z.number().nonnegative(),
});

const resultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('completed'),
    artifactUri: z.string().optional(),
    metrics: z.record(z.string(), z.number()),
  }),
  z.object({ kind: z.literal('failed'), reason: z.string(), capacityError: z.boolean() }),
  z.object({ kind: z.literal('stopped'), by: z.enum(['cap', 'request']), artifactUri: z.string().optional() }),
]);

const payloadSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: z.string(), message: z.string().optional() }),
  z.object({
    type: z.literal('result'),
    jobName: z.string(),
    elapsedSeconds: z.number(),
    billableSeconds: z.number(),
    instanceCount: z.number(),
    usdSoFar: z.number(),
    result: resultSchema,
  }),
]);

type Context = z.infer<typeof contextSchema>;
type Payload = z.infer<typeof payloadSchema>;
type Snapshot = z.infer<typeof jobSnapshotSchema>;

export type TrainingJobContext = Context;

export function trainingJobKind(ctx: TrainingContext): TrackedKind<Context, Payload, Snapshot> {
  return {
    kind: JOB_KIND,
    contextSchema,
    payloadSchema,
    snapshotSchema: jobSnapshotSchema,
    async observe(resource): Promise<Observation<Payload, Snapshot>> {
      let job;
      try {
        job = await ctx.aws.jobs.describe(resource.id);
      } catch (error) {
        // Just created and not yet visible, or deleted by hand: keep asking (with backoff), never give up on a job that may bill.
        if (error instanceof TrainingJobNotFoundError)
          ctx.log.warn('training job not found (yet)', { jobName: resource.id });
        throw error;
      }
      // A job created after its request was cancelled (withdrawn.ts) is asked to stop at every poll until it does.
      if (job.TrainingJobStatus === 'InProgress' && ctx.requests.get(resource.context.requestId)?.state === 'cancelled')
        await ctx.aws.jobs.stop(resource.id).catch((error: unknown) =>
          ctx.log.warn('stopping a job created after its cancel failed; asking again at the next poll', {
            jobName: resource.id,
            error,
          }),
        );
      const progress = trainingProgress(job, resource.context.usdPerHour, now(ctx));
      const changes: Observation<Payload, Snapshot>['changes'][number][] = progress.changes.map((c) => ({
        key: `status:${c.key}`,
        payload: { type: 'status', status: c.status, ...(c.message !== undefined && { message: c.message }) },
      }));
      if (progress.terminal && progress.result) {
        const observation = observationOf(job, resource.context.workTokens);
        if (observation) ctx.observations.add(resource.id, observation, now(ctx));
        changes.push({
          key: `result:${progress.status}`,
          payload: {
            type: 'result',
            jobName: progress.jobName,
            elapsedSeconds: progress.elapsedSeconds,
            billableSeconds: progress.billableSeconds,
            instanceCount: progress.instanceCount,
            usdSoFar: progress.usdSoFar,
            result: progress.result,
          },
        });
      }
      const snapshot = {
        status: progress.status,
        secondaryStatus: progress.secondaryStatus,
        elapsedSeconds: progress.elapsedSeconds,
        usdSoFar: progress.usdSoFar,
        terminal: progress.terminal,
      };
      return { changes, snapshot, terminal: progress.terminal };
    },
    async report(resource, change) {
      const record = ctx.requests.get(resource.context.requestId);
      if (!record) return true; // nothing to say it under
      const payload = change.payload;
      const content =
        payload.type === 'status'
          ? statusChangeMessage(payload.status, payload.message)
          : resultMessage(payload, parseApprovalQuote(record.quoteJson), ctx.command);
      // No thread to reply in (the request message never made it to Slack): nothing to wait for either.
      if (ctx.messenger.tsOf(`training:${record.id}:request`) === undefined) return true;
      return replyInThread(ctx, record, change.key, content);
    },
    async refresh(resource) {
      await showRequest(ctx, resource.context.requestId);
    },
  };
}
