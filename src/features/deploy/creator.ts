import { Deployer, undeploy } from '../../deploy/deployer.ts';
import { deployInputs } from '../../deploy/requests.ts';
import { JUMPSTART_MODEL_ID } from '../../training/jumpstart.ts';
import { isTransient } from '../training/index.ts';
import { createdMessage, createFailedMessage } from './blocks/thread.ts';
import { ENDPOINT_KIND, now, type DeployContext } from './context.ts';
import { replyInThread, showRequest } from './messages.ts';
import type { DeployRecord } from './deployRequestsRepo.ts';
import type { BackgroundTasks } from './tasks.ts';

const RETRY_MS = 60_000;
const ATTEMPTS = 5;

/**
 * After approval: CreateModel, CreateEndpointConfig, CreateEndpoint under names derived from the request id, then the
 * tracker follows the endpoint. Safe to run again (after a restart, a lost answer): SageMaker answers "already
 * existing" for what an earlier attempt created, so each of the three is created once.
 */
export class EndpointCreator {
  private readonly deployer: Deployer;
  private readonly busy = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly retries = new Set<unknown>();
  private stopped = false;

  constructor(
    private readonly ctx: DeployContext,
    private readonly tasks: BackgroundTasks,
  ) {
    this.deployer = new Deployer(ctx.aws.hosting);
  }

  async create(id: string): Promise<void> {
    const { ctx } = this;
    const record = ctx.requests.get(id);
    if (record?.state !== 'approved' || record.endpointName === undefined || this.busy.has(id)) return;
    this.busy.add(id);
    try {
      const q = record.quote;
      const inputs = deployInputs(
        {
          requestId: id,
          trainingJobName: q.trainingJobName,
          datasetId: q.datasetId,
          modelArtifacts: q.modelArtifacts,
          roleArn: q.roleArn,
          jumpstart: { modelId: JUMPSTART_MODEL_ID, version: q.jumpstartVersion },
        },
        q.hosting,
      );
      const started = await this.deployer.start(inputs);
      const name = started.names.endpoint;
      // Tracked before anything else: from here on, a restart re-attaches to the endpoint, it never creates another.
      ctx.trackers.track(ENDPOINT_KIND, name, { requestId: id });
      ctx.requests.transaction(() => {
        ctx.endpoints.insert(
          {
            name,
            requestId: id,
            datasetId: q.datasetId,
            jobName: q.trainingJobName,
            instanceType: q.hosting.instanceType,
            instanceCount: q.instanceCount,
            usdPerHour: q.usdPerHour,
            deployedBy: record.requestedBy,
          },
          now(ctx),
        );
        ctx.requests.markCreated(id, now(ctx));
      });
      ctx.log.info('endpoint created', {
        requestId: id,
        endpointName: name,
        model: started.model,
        endpointConfig: started.endpointConfig,
        endpoint: started.endpoint,
      });
      await replyInThread(ctx, record, 'created', createdMessage(name, started.endpoint === 'existing'));
      await showRequest(ctx, id);
    } catch (error) {
      await this.failed(record, error);
    } finally {
      this.busy.delete(id);
    }
  }

  /** Approved requests a previous process left before (or during) their creates. */
  resume(): void {
    for (const record of this.ctx.requests.inStates(['approved']))
      this.tasks.run(this.create(record.id), 'endpoint creation');
  }

  /** No new retries (the next start picks approved requests up again). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.retries) this.ctx.clock.clearTimeout(timer);
    this.retries.clear();
  }

  private async failed(record: DeployRecord, error: unknown): Promise<void> {
    const { ctx } = this;
    const attempts = (this.attempts.get(record.id) ?? 0) + 1;
    this.attempts.set(record.id, attempts);
    if (isTransient(error) && attempts < ATTEMPTS) {
      ctx.log.warn('endpoint creation failed; retrying', { requestId: record.id, attempts, error });
      if (this.stopped) return;
      const timer = ctx.clock.setTimeout(() => {
        this.retries.delete(timer);
        this.tasks.run(this.create(record.id), 'endpoint creation');
      }, RETRY_MS * attempts);
      this.retries.add(timer);
      return;
    }
    ctx.log.error('endpoint creation failed', { requestId: record.id, attempts, error });
    // Whatever part exists (a model, a config, an endpoint whose answer was lost) is removed: a failed deploy bills nothing.
    if (record.endpointName !== undefined) {
      await undeploy(ctx.aws.hosting, record.endpointName).catch((cleanup: unknown) =>
        ctx.log.warn('cleaning up a failed deploy failed', { requestId: record.id, error: cleanup }),
      );
    }
    const reason = (error as Error).message;
    if (
      ctx.requests.close(
        record.id,
        'failed',
        ['approved'],
        { error: `SageMaker did not create the endpoint: ${reason}` },
        now(ctx),
      )
    ) {
      await replyInThread(ctx, record, 'create-failed', createFailedMessage(reason));
      await showRequest(ctx, record.id);
    }
  }
}
