import { TrainingJobNotFoundError } from '../../aws/sagemakerTraining.ts';
import { requireSetting } from '../../shared/env.ts';
import { openStoredDataset } from '../../dataset/output/stored.ts';
import { CreationWithdrawn, type CreationKind } from '../../spend/creation.ts';
import { trainingJobRequest } from '../../training/request.ts';
import { parseApprovalQuote } from './approvalQuote.ts';
import { launchedMessage, launchFailedMessage } from './blocks/thread.ts';
import { now, type TrainingContext } from './context.ts';
import { replyInThread, showRequest } from './messages.ts';
import type { TrainingRecord } from './trainingRequestsRepo.ts';
import { stopWithdrawnJob, trackJob } from './withdrawn.ts';

type Launched = 'created' | 'exists';

/**
 * Training as a kind of spend creation: CreateTrainingJob under the name derived from the request; a lost answer is
 * settled by DescribeTrainingJob on that name; once created (or found) the job is tracked before anything is said,
 * so a restart re-attaches to it and never creates another.
 */
export function trainingLaunch(ctx: TrainingContext): CreationKind<TrainingRecord, Launched> {
  const settle = async (record: TrainingRecord, signal: AbortSignal): Promise<Launched | undefined> => {
    try {
      await ctx.aws.jobs.describe(record.jobName!, signal);
      return 'exists';
    } catch (error) {
      if (error instanceof TrainingJobNotFoundError) return undefined;
      throw error;
    }
  };
  return {
    what: 'training launch',
    approved(id) {
      const record = ctx.requests.get(id);
      return record?.state === 'approved' && record.jobName !== undefined ? record : undefined;
    },
    async create(record, signal) {
      if (ctx.requests.get(record.id)?.state !== 'approved') {
        // Cancelled while waiting to retry: an earlier attempt whose answer was lost may still have created the job.
        if ((await settle(record, signal)) !== undefined) return 'exists';
        throw new CreationWithdrawn(`${record.id} was cancelled before this launch attempt; nothing was created`);
      }
      const quote = parseApprovalQuote(record.quoteJson);
      if (!quote) throw new Error('the approved quote could not be read back');
      const dataset = await openStoredDataset(quote.datasetUri, undefined, {
        s3ForcePathStyle: ctx.data.s3ForcePathStyle,
      });
      // Read from AWS again, at the version the approver saw (never the offline snapshot).
      const recipe = await ctx.recipes.forTraining(quote.region, quote.jumpstartVersion, signal);
      const plan = trainingJobRequest({
        requestId: record.id,
        region: quote.region,
        config: ctx.training,
        recipe,
        instanceType: quote.instanceType,
        epochs: quote.epochs,
        dataset,
        ...(quote.sizedToBudget !== undefined && {
          subset: { channels: quote.sizedToBudget.channels, validationRows: quote.sizedToBudget.validation },
        }),
        artifactsUri: requireSetting(ctx.data.artifactsUri, 'LOGTUNE_ARTIFACTS_URI', 'where models go'),
        capUsd: quote.capUsd,
        usdPerHour: quote.usdPerHour,
        estimateUsd: quote.usd,
        requestedBy: record.requestedBy,
        approvedBy: record.decidedBy ?? 'unknown',
      });
      const outcome = await ctx.aws.jobs.create(plan.input, signal);
      ctx.log.info('training job create answered', {
        requestId: record.id,
        jobName: record.jobName,
        outcome,
        maxRuntimeSeconds: plan.runtime.maxRuntimeSeconds,
      });
      return outcome;
    },
    settle,
    async created(record, outcome) {
      const jobName = record.jobName!;
      // Tracked before anything else: from here on, a restart re-attaches to the job, it never creates another.
      trackJob(ctx, record, jobName);
      if (!ctx.requests.markLaunched(record.id, now(ctx))) {
        const current = ctx.requests.get(record.id);
        // Cancel was pressed while CreateTrainingJob was in flight (recorded first): the job is stopped at once.
        if (current?.state === 'cancelled') return stopWithdrawnJob(ctx, current, jobName);
      }
      ctx.log.info('training job launched', { requestId: record.id, jobName, outcome });
      await replyInThread(ctx, record, 'launched', launchedMessage(jobName, outcome === 'created'));
      await showRequest(ctx, record.id);
    },
    requests: ctx.requests,
    failure: 'SageMaker did not start the job',
    async failed(record, reason) {
      await replyInThread(ctx, record, 'launch-failed', launchFailedMessage(reason));
      await showRequest(ctx, record.id);
    },
  };
}
