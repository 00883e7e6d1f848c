import { z } from 'zod';
import { endpointPhase } from '../../deploy/deployer.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import type { Observation, TrackedKind } from '../../trackers/types.ts';
import {
  afterInServiceFailedMessage,
  endpointFailedMessage,
  goneMessage,
  inServiceMessage,
  statusChangeMessage,
} from './blocks/thread.ts';
import { ENDPOINT_KIND, now, requestKey, type DeployContext } from './context.ts';
import { endpointSnapshotSchema, replyInThread, showRequest } from './messages.ts';
import type { DeployRecord } from './deployRequestsRepo.ts';
import type { BackgroundTasks } from '../../shared/backgroundTasks.ts';

/**
 * A new endpoint as the tracker watches it, until InService or failed: each status SageMaker shows becomes a change,
 * reported once in the thread; InService and failure are recorded on the endpoint's row before they are told.
 * InService also starts the after-InService hook (the evaluation), once, in the background.
 */
const contextSchema = z.object({ requestId: z.string() });

const payloadSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: z.string() }),
  z.object({ type: z.literal('in_service') }),
  z.object({ type: z.literal('failed'), status: z.string(), reason: z.string() }),
  z.object({ type: z.literal('gone') }),
]);

type Context = z.infer<typeof contextSchema>;
type Payload = z.infer<typeof payloadSchema>;
type Snapshot = z.infer<typeof endpointSnapshotSchema>;

export function endpointKind(ctx: DeployContext, tasks: BackgroundTasks): TrackedKind<Context, Payload, Snapshot> {
  const afterInService = (name: string, record: DeployRecord) => {
    const hook = ctx.afterInService;
    if (hook === undefined || !ctx.endpoints.claimEvaluation(name, now(ctx))) return;
    const run = async () => {
      let content: MessageContent | undefined;
      try {
        content = await hook({ endpointName: name, datasetId: record.quote.datasetId, deployId: record.id });
      } catch (error) {
        ctx.log.warn('the after-InService hook failed', { endpointName: name, error });
        content = afterInServiceFailedMessage(name, (error as Error).message, ctx.command);
      }
      if (content) await replyInThread(ctx, record, 'evaluation', content);
    };
    tasks.run(run(), 'the after-InService hook');
  };

  return {
    kind: ENDPOINT_KIND,
    contextSchema,
    payloadSchema,
    snapshotSchema: endpointSnapshotSchema,
    async observe(resource, signal): Promise<Observation<Payload, Snapshot>> {
      const name = resource.id;
      const row = ctx.endpoints.get(name);
      // Recorded right after the creates; until then (a crash in between, being resumed) there is nothing to update.
      if (!row) throw new Error(`endpoint ${name} is not recorded yet`);
      if (row.state === 'deleting' || row.state === 'deleted')
        return { changes: [], snapshot: resource.snapshot ?? { status: 'Deleting' }, terminal: true };
      const endpoint = await ctx.aws.hosting.describeEndpoint(name, signal);
      if (endpoint === undefined) {
        // Just created and not visible yet: ask again. Seen before and now gone: deleted outside logtune.
        if (resource.snapshot === undefined) throw new Error(`endpoint ${name} is not visible yet`);
        ctx.endpoints.markFailed(name, 'removed outside logtune', now(ctx));
        return { changes: [{ key: 'gone', payload: { type: 'gone' } }], snapshot: { status: 'Gone' }, terminal: true };
      }
      ctx.endpoints.noteCreatedAt(name, endpoint.createdAt, now(ctx));
      const snapshot = {
        status: endpoint.status,
        ...(endpoint.failureReason !== undefined && { failureReason: endpoint.failureReason }),
      };
      const phase = endpointPhase(endpoint.status);
      if (phase === 'in_service') {
        ctx.endpoints.markInService(name, now(ctx));
        return { changes: [{ key: 'in_service', payload: { type: 'in_service' } }], snapshot, terminal: true };
      }
      if (phase === 'failed') {
        const reason = endpoint.failureReason ?? endpoint.status;
        ctx.endpoints.markFailed(name, reason, now(ctx));
        return {
          changes: [{ key: 'failed', payload: { type: 'failed', status: endpoint.status, reason } }],
          snapshot,
          terminal: true,
        };
      }
      return {
        changes: [{ key: `status:${endpoint.status}`, payload: { type: 'status', status: endpoint.status } }],
        snapshot,
        terminal: false,
      };
    },
    async report(resource, change) {
      const record = ctx.requests.get(resource.context.requestId);
      // No record or no thread to reply in (the request message never made it to Slack): nothing to wait for.
      if (!record || ctx.messenger.tsOf(requestKey(record.id)) === undefined) return true;
      const payload = change.payload;
      let content: MessageContent;
      switch (payload.type) {
        case 'status':
          content = statusChangeMessage(payload.status);
          break;
        case 'in_service':
          content = inServiceMessage(
            resource.id,
            record.quote.usdPerHour * record.quote.instanceCount,
            ctx.settings.idleHours,
            ctx.settings.graceHours,
            ctx.command,
          );
          break;
        case 'failed':
          content = endpointFailedMessage(payload.status, payload.reason, ctx.command);
          break;
        case 'gone':
          content = goneMessage();
          break;
      }
      const delivered = await replyInThread(ctx, record, change.key, content);
      if (delivered && payload.type === 'in_service') afterInService(resource.id, record);
      return delivered;
    },
    async refresh(resource) {
      await showRequest(ctx, resource.context.requestId);
    },
  };
}
