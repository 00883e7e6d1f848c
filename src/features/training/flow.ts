import { randomBytes } from 'node:crypto';
import { requireSetting } from '../../shared/env.ts';
import { buildKey, resolveBuildRequest } from '../../dataset/request/request.ts';
import { openStoredDataset } from '../../dataset/output/stored.ts';
import { ConfigError, UsageError } from '../../errors.ts';
import { BackgroundTasks } from '../../shared/backgroundTasks.ts';
import { expiryOf } from '../../spend/approval.ts';
import { SpendCreation } from '../../spend/creation.ts';
import { findFinishedDataset } from '../../training/findDataset.ts';
import { maxInputLengthMismatch, trainingMaxInputLength } from '../../training/maxInputLength.ts';
import { hourlyPrice } from '../../training/prices.ts';
import { offeredInstanceTypes } from '../../training/quote.ts';
import { isEstimatedInstanceType, type TrainingInstanceType } from '../../training/instanceTypes.ts';
import type { TrainArgs } from './args.ts';
import { toApprovalQuote, withSubset } from './approvalQuote.ts';
import { quoteWithinBudget } from './budgetSizing.ts';
import { notStartedMessage } from './blocks/thread.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { inlineCode, link, permalink } from '../../slack/blocks/text.ts';
import { refusalAdvice } from '../../slack/postRefusal.ts';
import { now, type TrainingContext } from './context.ts';
import { trainingLaunch } from './launch.ts';
import { replyInThread, showRequest } from './messages.ts';
import type { TrainingRecord } from './trainingRequestsRepo.ts';
import { settleCancelledLaunches } from './withdrawn.ts';

export type RequestOutcome =
  | { readonly kind: 'building'; readonly record: TrainingRecord }
  | { readonly kind: 'reusing'; readonly record: TrainingRecord };

function newRequestId(at: Date): string {
  return `tr-${at.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(2).toString('hex')}`;
}

/**
 * The path of a training request up to a running job: dataset (reused or built), the quote, the approval message,
 * and — once approved — the launch. Every step is safe to run twice (after a restart, on a retried event): states
 * move by compare-and-set and the job name comes from the request id.
 */
export class TrainingFlow {
  private readonly busy = new Set<string>();
  readonly tasks: BackgroundTasks;
  private readonly creation: SpendCreation<TrainingRecord, 'created' | 'exists'>;

  constructor(private readonly ctx: TrainingContext) {
    this.tasks = new BackgroundTasks(ctx.log);
    this.creation = new SpendCreation(trainingLaunch(ctx), { clock: ctx.clock, log: ctx.log, tasks: this.tasks });
  }

  /** Checks everything that can be checked before anything is created; throws UsageError/ConfigError otherwise. */
  async request(args: TrainArgs, requestedBy: string, channel: string, askedIn = channel): Promise<RequestOutcome> {
    const { ctx } = this;
    const at = now(ctx);
    resolveBuildRequest(ctx.data, { rangeText: args.rangeText }, at); // the range and the data settings, first
    requireSetting(ctx.training.roleArn, 'LOGTUNE_SAGEMAKER_ROLE_ARN', 'the role SageMaker assumes to train');
    const artifacts = requireSetting(ctx.data.artifactsUri, 'LOGTUNE_ARTIFACTS_URI', 'where datasets and models go');
    if (!artifacts.startsWith('s3://'))
      throw new ConfigError(
        'LOGTUNE_ARTIFACTS_URI',
        'must be an s3:// location to train (SageMaker reads the dataset and writes the model there)',
      );
    const region = await ctx.aws.region();
    if (region === undefined)
      throw new ConfigError('AWS_REGION', "is not set: training runs in the SageMaker client's region");
    // Before anything is built: the spec must resolve, be usable, and offer the instance type.
    const recipe = await ctx.recipes.forTraining(region);
    const instanceType = args.instanceType ?? ctx.training.instanceType ?? recipe.training.defaultInstanceType;
    if (
      !isEstimatedInstanceType(instanceType) ||
      !offeredInstanceTypes(recipe.training.supportedInstanceTypes).includes(instanceType)
    )
      throw new UsageError(
        `${instanceType} is not offered: ${recipe.modelId} ${recipe.version} trains on ` +
          `${offeredInstanceTypes(recipe.training.supportedInstanceTypes).join(', ') || 'no type logtune can estimate'}`,
      );
    // The dataset is cut to the max_input_length the training will use (a dataset cut otherwise is not reused).
    const maxInputLength = trainingMaxInputLength(recipe, instanceType, ctx.training).value;
    const build = resolveBuildRequest(ctx.data, { rangeText: args.rangeText, maxInputLength }, at);
    const ask = {
      rangeLabel: build.range.label,
      rangeStart: build.range.start,
      rangeEnd: build.range.end,
      instanceType,
      epochs: args.epochs ?? ctx.training.epochs,
      ...(args.budgetUsd !== undefined && { budgetUsd: args.budgetUsd }),
      ...(askedIn !== channel && { askedIn }),
    };
    const key = buildKey(build);
    const finished =
      ctx.builds.findSucceededByKey(key)?.id ?? (await findFinishedDataset(build, artifacts))?.stats.datasetId;
    const running = finished === undefined ? ctx.builds.findActiveByKey(key) : undefined;
    const datasetId = finished ?? running?.id ?? build.datasetId;
    const record = ctx.requests.insert({ id: newRequestId(at), ask, requestedBy, channel, datasetId }, at);
    ctx.log.info('training requested', { requestId: record.id, datasetId, reuse: finished !== undefined, requestedBy });
    if (finished !== undefined) {
      this.background(this.quote(record.id));
      return { kind: 'reusing', record };
    }
    if (running === undefined) ctx.runner.submit({ request: build, requestedBy, channel });
    return { kind: 'building', record };
  }

  /** A build ended: the requests waiting on it go on to their quote, or end with its failure. */
  datasetSettled(buildId: string, state: string, error: string | undefined): void {
    for (const record of this.ctx.requests.awaitingDataset(buildId)) {
      if (state === 'succeeded') this.background(this.quote(record.id));
      else this.background(this.fail(record, `the dataset build ${buildId} ${state}${error ? `: ${error}` : ''}`));
    }
  }

  /** Prices the request, freezes the quote, and posts the approval message (or why it cannot be approved). */
  async quote(id: string): Promise<void> {
    const { ctx } = this;
    if (this.busy.has(id)) return;
    this.busy.add(id);
    try {
      const record = ctx.requests.get(id);
      if (record?.state !== 'awaiting_dataset' || record.datasetId === undefined) return;
      const dataset = await openStoredDataset(record.datasetId, ctx.data.artifactsUri, {
        s3ForcePathStyle: ctx.data.s3ForcePathStyle,
      });
      const region = await ctx.aws.region();
      if (region === undefined)
        return await this.fail(record, "AWS_REGION is not set: training runs in the SageMaker client's region");
      const recipe = await ctx.recipes.forTraining(region);
      const mismatch = maxInputLengthMismatch(
        dataset.stats.datasetId,
        dataset.stats.settings.maxInputLength,
        trainingMaxInputLength(recipe, record.ask.instanceType, ctx.training),
      );
      if (mismatch !== undefined) return await this.fail(record, mismatch);
      const sized = await quoteWithinBudget(
        id,
        dataset,
        {
          stats: dataset.stats,
          region,
          config: ctx.training,
          instanceType: record.ask.instanceType as TrainingInstanceType,
          instanceTypes: offeredInstanceTypes(recipe.training.supportedInstanceTypes),
          epochs: record.ask.epochs,
          ...(record.ask.budgetUsd !== undefined && { budgetUsd: record.ask.budgetUsd }),
          observations: ctx.observations.all(),
        },
        (query) =>
          hourlyPrice(query, {
            fetchPrice: (q, signal) => ctx.aws.fetchPrice(q, signal),
            cache: ctx.prices,
            now: () => now(ctx),
          }),
      );
      if (!sized.ok) return await this.fail(record, sized.problem);
      const { quote, subset } = sized;
      const baseline = await ctx.baselineMacroF1?.(dataset).catch(() => undefined);
      const outcome = toApprovalQuote(quote, dataset, baseline, recipe);
      if (!outcome.ok) return await this.fail(record, outcome.problem);
      const approval = subset === undefined ? outcome.quote : withSubset(outcome.quote, subset, record.ask.epochs);
      const expiresAt = expiryOf(ctx.approval, now(ctx));
      if (!ctx.requests.markQuoted(id, JSON.stringify(approval), approval.capUsd, expiresAt, now(ctx))) return;
      ctx.log.info('training estimate posted for approval', {
        requestId: id,
        capUsd: approval.capUsd,
        instanceType: approval.instanceType,
      });
      const shown = await showRequest(ctx, id);
      if (shown.kind === 'refused') await this.approvalRefused(id, shown.reason);
      if (shown.kind === 'posted') await this.linkApproval(id, shown.ts);
    } catch (error) {
      const record = ctx.requests.get(id);
      ctx.log.error('training estimate failed', { requestId: id, error });
      if (record) await this.fail(record, `the estimate could not be made: ${(error as Error).message}`);
    } finally {
      this.busy.delete(id);
    }
  }

  /** After approval: CreateTrainingJob with the name derived from the request (in the background), then the tracker follows the job. */
  launch(id: string): void {
    this.creation.start(id);
  }

  /** Work that outlives the click or event that started it: errors are logged, and stop() waits for it. */
  background(task: Promise<unknown>): void {
    this.tasks.run(task, 'training step');
  }

  /** Resolves when no step runs (tests). */
  idle(): Promise<void> {
    return this.tasks.idle();
  }

  /** No new attempts (the next start picks approved requests up again); waits, bounded, for steps in flight. */
  async stop(timeoutMs: number): Promise<void> {
    this.creation.stop();
    await this.tasks.stop(timeoutMs);
  }

  /** Requests a previous process left half-way: quotes to make, launches to (re)try. Launched jobs are the tracker's. */
  resume(): void {
    // Cancelled while a launch was in flight, before this process saw its answer: a job it created is stopped.
    this.background(settleCancelledLaunches(this.ctx));
    for (const record of this.ctx.requests.inStates(['awaiting_dataset', 'approved'])) {
      if (record.state === 'approved') {
        this.launch(record.id);
        continue;
      }
      const build = record.datasetId === undefined ? undefined : this.ctx.builds.get(record.datasetId);
      if (build === undefined || build.state === 'succeeded') this.background(this.quote(record.id));
      else if (build.state !== 'queued' && build.state !== 'running')
        this.datasetSettled(build.id, build.state, build.error);
    }
  }

  /**
   * Slack refused the approval message (the bot is not in the channel, it is archived…): the request closes, holding
   * nothing, and its requester is told privately — in their direct message with the bot, as the command's own
   * answer may be long expired — what to fix before asking again.
   */
  private async approvalRefused(id: string, reason: string): Promise<void> {
    const { ctx } = this;
    const record = ctx.requests.get(id);
    const error = `Slack refused its approval message (${reason})`;
    if (!record || !ctx.requests.close(id, 'failed', ['pending_approval'], { error }, now(ctx))) return;
    ctx.log.warn('training request closed: Slack refused its approval message', {
      requestId: id,
      channel: record.channel,
      reason,
    });
    await ctx.messenger.post(
      `training:${id}:refused`,
      { channel: record.requestedBy },
      plainMessage(
        `:no_entry: Training request ${inlineCode(id)} was not posted for approval: ${refusalAdvice(reason, record.channel)}. Nothing was started.`,
      ),
    );
  }

  /**
   * The approval went to LOGTUNE_APPROVALS_CHANNEL, not where it was asked: its requester gets the link to it in
   * their direct message with logtune (the command's own answer may be long expired by the time the dataset is built).
   */
  private async linkApproval(id: string, ts: string): Promise<void> {
    const { ctx } = this;
    const record = ctx.requests.get(id);
    if (record?.ask.askedIn === undefined || record.ask.askedIn === record.channel) return;
    await ctx.messenger.post(
      `training:${id}:approval-link`,
      { channel: record.requestedBy },
      plainMessage(
        `:moneybag: The estimate of your training request ${inlineCode(id)} is posted for an approver in <#${record.channel}>: ` +
          `${link(permalink(ctx.workspaceUrl, record.channel, ts), 'see it')}. Its progress follows in that thread.`,
      ),
    );
  }

  private async fail(record: TrainingRecord, reason: string): Promise<void> {
    const { ctx } = this;
    if (!ctx.requests.close(record.id, 'failed', ['awaiting_dataset'], { error: reason }, now(ctx))) return;
    ctx.log.warn('training request not started', { requestId: record.id, reason });
    await showRequest(ctx, record.id);
    await replyInThread(ctx, record, 'not-started', notStartedMessage(reason));
  }
}
