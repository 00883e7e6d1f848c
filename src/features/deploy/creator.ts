import { Deployer, undeploy } from '../../deploy/deployer.ts';
import { deployInputs, deployNames } from '../../deploy/requests.ts';
import type { CreateOutcome } from '../../aws/sagemakerHosting.ts';
import { CreationWithdrawn, type CreationKind } from '../../spend/creation.ts';
import { JUMPSTART_MODEL_ID } from '../../jumpstart/settings.ts';
import { createdMessage, createFailedMessage, deletingAfterCancelMessage } from './blocks/thread.ts';
import { ENDPOINT_KIND, now, type DeployContext } from './context.ts';
import { replyInThread, showRequest } from './messages.ts';
import type { DeployRecord } from './deployRequestsRepo.ts';

/**
 * Deploys as a kind of spend creation: CreateModel, CreateEndpointConfig, CreateEndpoint under names derived from the
 * request id (SageMaker answers "already existing" for what an earlier attempt created, so each is created once); a
 * lost answer is settled by DescribeEndpoint on the derived name; a failed deploy removes whatever part exists, so
 * it bills nothing.
 */
export function endpointCreation(
  ctx: DeployContext,
  /** Deletes an endpoint marked `deleting` (removal.ts); true once it is gone. */
  remove: (name: string) => Promise<boolean>,
): CreationKind<DeployRecord, CreateOutcome> {
  const deployer = new Deployer(ctx.aws.hosting);
  const settle = async (record: DeployRecord, signal: AbortSignal): Promise<CreateOutcome | undefined> => {
    const found = await ctx.aws.hosting.describeEndpoint(deployNames(record.id).endpoint, signal);
    return found === undefined ? undefined : 'existing';
  };
  return {
    what: 'endpoint creation',
    approved(id) {
      const record = ctx.requests.get(id);
      return record?.state === 'approved' && record.endpointName !== undefined ? record : undefined;
    },
    async create(record, signal) {
      if (ctx.requests.get(record.id)?.state !== 'approved') {
        // Cancelled while waiting to retry: an earlier attempt whose answer was lost may have made the endpoint.
        if ((await settle(record, signal)) !== undefined) return 'existing';
        // cleanUp (below) removes a model or config an earlier attempt left.
        throw new CreationWithdrawn(`${record.id} was cancelled before this attempt; no endpoint was created`);
      }
      const q = record.quote;
      const inputs = deployInputs(
        {
          requestId: record.id,
          trainingJobName: q.trainingJobName,
          datasetId: q.datasetId,
          modelArtifacts: q.modelArtifacts,
          roleArn: q.roleArn,
          jumpstart: { modelId: q.jumpstartModelId ?? JUMPSTART_MODEL_ID, version: q.jumpstartVersion },
        },
        q.hosting,
      );
      const started = await deployer.start(inputs, signal);
      ctx.log.info('endpoint creates answered', {
        requestId: record.id,
        model: started.model,
        endpointConfig: started.endpointConfig,
        endpoint: started.endpoint,
      });
      return started.endpoint;
    },
    settle,
    async created(record, outcome) {
      const q = record.quote;
      const name = deployNames(record.id).endpoint;
      // Tracked before anything else: from here on, a restart re-attaches to the endpoint, it never creates another.
      ctx.trackers.track(ENDPOINT_KIND, name, { requestId: record.id });
      const withdrawnBy = ctx.requests.transaction(() => {
        ctx.endpoints.insert(
          {
            name,
            requestId: record.id,
            datasetId: q.datasetId,
            jobName: q.trainingJobName,
            instanceType: q.hosting.instanceType,
            instanceCount: q.instanceCount,
            usdPerHour: q.usdPerHour,
            deployedBy: record.requestedBy,
          },
          now(ctx),
        );
        if (ctx.requests.markCreated(record.id, now(ctx))) return undefined;
        // Cancel was pressed while the creates were in flight (recorded first): the endpoint is removed at once,
        // marked `deleting` in the same step, so a restart finishes the removal (removal.ts resume).
        const current = ctx.requests.get(record.id);
        if (current?.state !== 'cancelled') return undefined;
        const by = current.decidedBy ?? record.requestedBy;
        ctx.endpoints.startRemoval(name, by, now(ctx));
        return by;
      });
      if (withdrawnBy !== undefined) {
        ctx.log.info('endpoint created after its cancel: deleting it', { requestId: record.id, endpointName: name });
        await replyInThread(ctx, record, 'deleting-after-cancel', deletingAfterCancelMessage(name));
        await remove(name);
        await showRequest(ctx, record.id);
        return;
      }
      ctx.log.info('endpoint created', { requestId: record.id, endpointName: name, endpoint: outcome });
      await replyInThread(ctx, record, 'created', createdMessage(name, outcome === 'existing'));
      await showRequest(ctx, record.id);
    },
    requests: ctx.requests,
    failure: 'SageMaker did not create the endpoint',
    async cleanUp(record) {
      // Whatever part exists (a model, a config, an endpoint whose answer was lost) is removed: a failed deploy bills nothing.
      await undeploy(ctx.aws.hosting, deployNames(record.id).endpoint).catch((cleanup: unknown) =>
        ctx.log.warn('cleaning up a failed deploy failed', { requestId: record.id, error: cleanup }),
      );
    },
    async failed(record, reason) {
      await replyInThread(ctx, record, 'create-failed', createFailedMessage(reason));
      await showRequest(ctx, record.id);
    },
  };
}
