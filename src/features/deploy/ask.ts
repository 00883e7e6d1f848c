import { randomBytes } from 'node:crypto';
import type { CheckResult } from '../../doctor/check.ts';
import { TrainingJobNotFoundError } from '../../aws/sagemakerTraining.ts';
import { requireSetting } from '../../shared/env.ts';
import { hostingConfig } from '../../deploy/hosting.ts';
import { modelData } from '../../deploy/requests.ts';
import { ConfigError, UsageError } from '../../errors.ts';
import { expiryOf } from '../../spend/approval.ts';
import { inlineCode } from '../../slack/blocks/text.ts';
import { describePriceSource, PriceUnavailableError } from '../../training/prices.ts';
import { now, type DeployContext } from './context.ts';
import { showRequest } from './messages.ts';
import { refusalAdvice } from '../../slack/postRefusal.ts';
import type { DeployQuote } from './quote.ts';
import type { DeployRecord } from './deployRequestsRepo.ts';

export type AskOutcome =
  | { readonly kind: 'posted'; readonly record: DeployRecord; readonly ts: string | undefined }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'failing'; readonly failing: readonly CheckResult[] };

// deployInputs hosts on one instance, as JumpStart's deploy() does.
const INSTANCE_COUNT = 1;

function newRequestId(at: Date): string {
  return `dep-${at.toISOString().replace(/[-:]/g, '').slice(0, 15).toLowerCase()}-${randomBytes(2).toString('hex')}`;
}

/** Why this job cannot get another endpoint now (one is live, or a request for it is under way), if so. */
function duplicateOf(ctx: DeployContext, jobName: string): string | undefined {
  const live = ctx.endpoints.liveForJob(jobName);
  if (live)
    return `${inlineCode(jobName)} is already deployed as ${inlineCode(live.name)}; remove it first with ${inlineCode(`${ctx.command} undeploy ${live.name}`)}`;
  const waiting = ctx.requests.waitingForJob(jobName, now(ctx));
  if (waiting)
    return `deploy request ${inlineCode(waiting.id)} for ${inlineCode(jobName)} is already ${waiting.state === 'approved' ? 'being created' : 'waiting for approval'}`;
  return undefined;
}

/**
 * `/logtune deploy <job>`: checks everything that can be checked before anything is posted (a job logtune trained,
 * completed, with a model; settings; a price), freezes the plan and its price, and posts it for approval.
 */
export async function askDeploy(
  ctx: DeployContext,
  jobName: string,
  requestedBy: string,
  channel: string,
): Promise<AskOutcome> {
  const refused = (reason: string): AskOutcome => ({ kind: 'refused', reason });
  const training = ctx.models.launched(jobName);
  if (!training)
    return refused(
      `no training job ${inlineCode(jobName)} launched by logtune is known here (${inlineCode(`${ctx.command} status`)} lists them)`,
    );
  const duplicate = duplicateOf(ctx, jobName);
  if (duplicate) return refused(duplicate);
  const roleArn = requireSetting(
    ctx.training.roleArn,
    'LOGTUNE_SAGEMAKER_ROLE_ARN',
    'the role SageMaker assumes to host the model',
  );
  const region = await ctx.aws.region();
  if (region === undefined)
    throw new ConfigError('AWS_REGION', "is not set: endpoints run in the SageMaker client's region");
  // The job's own spec version (recorded in its approved quote), read from AWS: what it was trained with.
  const recipe = await ctx.recipes.forHosting(region, training.jumpstartVersion);
  let hosting;
  try {
    hosting = hostingConfig(recipe, ctx.hosting);
  } catch (error) {
    if (error instanceof UsageError) return refused(error.message);
    throw error;
  }
  let job;
  try {
    job = await ctx.models.describe(jobName);
  } catch (error) {
    if (error instanceof TrainingJobNotFoundError)
      return refused(`SageMaker has no training job ${inlineCode(jobName)} in ${region}`);
    throw error;
  }
  if (job.TrainingJobStatus !== 'Completed')
    return refused(
      `${inlineCode(jobName)} is ${job.TrainingJobStatus}, not Completed: only a completed job's model can be deployed`,
    );
  const artifacts = job.ModelArtifacts?.S3ModelArtifacts;
  if (artifacts === undefined) return refused(`SageMaker reports no model artifacts for ${inlineCode(jobName)}`);
  try {
    modelData(artifacts);
  } catch (error) {
    if (error instanceof UsageError) return refused(error.message);
    throw error;
  }
  const failing = await ctx.preflight?.failures({
    use: 'deploy',
    instanceType: hosting.instanceType,
    modelArtifacts: artifacts,
  });
  if (failing !== undefined && failing.length > 0) return { kind: 'failing', failing };
  let price;
  try {
    price = await ctx.models.hourlyPrice({ instanceType: hosting.instanceType, region, usage: 'hosting' });
  } catch (error) {
    if (error instanceof PriceUnavailableError)
      return refused(`${error.message}; an endpoint is not offered for approval without its price`);
    throw error;
  }
  const quote: DeployQuote = {
    trainingJobName: jobName,
    trainedBy: training.requestedBy,
    datasetId: training.datasetId,
    modelArtifacts: artifacts,
    roleArn,
    region,
    jumpstartVersion: recipe.version,
    jumpstartModelId: recipe.modelId,
    hosting: { ...hosting, environment: { ...hosting.environment } },
    instanceCount: INSTANCE_COUNT,
    usdPerHour: price.usdPerHour,
    priceNote: describePriceSource(price),
  };
  const at = now(ctx);
  const expiresAt = expiryOf(ctx.approval, at);
  // Checked again with the insert, in one synchronous step: two commands at once cannot both get through.
  const outcome = ctx.requests.transaction(() => {
    const again = duplicateOf(ctx, jobName);
    return again
      ? refused(again)
      : {
          kind: 'inserted' as const,
          record: ctx.requests.insert({ id: newRequestId(at), jobName, quote, requestedBy, channel, expiresAt }, at),
        };
  });
  if (outcome.kind !== 'inserted') return outcome;
  ctx.log.info('deploy requested', {
    requestId: outcome.record.id,
    jobName,
    instanceType: hosting.instanceType,
    usdPerHour: price.usdPerHour,
    requestedBy,
  });
  const shown = await showRequest(ctx, outcome.record.id);
  if (shown.kind === 'refused') {
    // Nothing half-made: the request closes, so it holds no lock on the job and asking again works at once.
    ctx.requests.close(
      outcome.record.id,
      'failed',
      ['pending_approval'],
      { error: `Slack refused its approval message (${shown.reason})` },
      now(ctx),
    );
    ctx.log.warn('deploy request closed: Slack refused its approval message', {
      requestId: outcome.record.id,
      channel,
      reason: shown.reason,
    });
    return refused(`${refusalAdvice(shown.reason, channel)}. Nothing was started`);
  }
  return { kind: 'posted', record: outcome.record, ts: shown.kind === 'posted' ? shown.ts : undefined };
}
