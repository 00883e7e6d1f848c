import type { PostOutcome } from '../../slack/messenger.ts';
import { z } from 'zod';
import { hostingCost, type HostingCost } from '../../deploy/cost.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import { idleWarningMessage, type IdleWarningView } from './blocks/idle.ts';
import { deployMessage, type EndpointView } from './blocks/request.ts';
import { ENDPOINT_KIND, now, requestKey, type DeployContext } from './context.ts';
import type { EndpointRecord } from './endpointsRepo.ts';
import type { DeployRecord } from './deployRequestsRepo.ts';

/** What the endpoint tracker records of each poll; read back for the request's message. */
export const endpointSnapshotSchema = z.object({ status: z.string(), failureReason: z.string().optional() });

/** What an endpoint costs per day, and has cost from its creation until it ended (or now). */
export function costOf(ctx: Pick<DeployContext, 'clock'>, e: EndpointRecord): HostingCost {
  const until = e.endedAt === undefined ? now(ctx) : new Date(e.endedAt);
  return hostingCost(e.usdPerHour, e.instanceCount, new Date(e.createdAt), until);
}

export function endpointView(ctx: DeployContext, e: EndpointRecord): EndpointView {
  const snapshot = endpointSnapshotSchema.safeParse(ctx.trackers.snapshotOf(ENDPOINT_KIND, e.name));
  const cost = costOf(ctx, e);
  const removeAt =
    e.idleWarnedAt === undefined
      ? undefined
      : new Date(Date.parse(e.idleWarnedAt) + ctx.settings.graceHours * 3600_000).toISOString();
  return {
    name: e.name,
    state: e.state,
    status: snapshot.success ? snapshot.data.status : undefined,
    failureReason: e.failureReason,
    perDayUsd: cost.perDayUsd,
    soFarUsd: cost.soFarUsd,
    removedBy: e.removedBy,
    removeAt: e.state === 'in_service' ? removeAt : undefined,
  };
}

/** The request's top-level message as it should look now: its record, its quote, and its endpoint. */
export function requestMessage(ctx: DeployContext, record: DeployRecord): MessageContent {
  const endpoint = record.endpointName === undefined ? undefined : ctx.endpoints.get(record.endpointName);
  return deployMessage({
    id: record.id,
    requestedBy: record.requestedBy,
    state: record.state,
    quote: record.quote,
    approvers: ctx.approval.approvers,
    expiresAt: record.expiresAt,
    decidedBy: record.decidedBy,
    problem: record.error,
    idleHours: ctx.settings.idleHours,
    graceHours: ctx.settings.graceHours,
    endpoint: endpoint && endpointView(ctx, endpoint),
    command: ctx.command,
  });
}

/** Posts the top-level message, or brings it up to date; says whether Slack has it (or refused it, and why). */
export async function showRequest(ctx: DeployContext, id: string): Promise<PostOutcome> {
  const record = ctx.requests.get(id);
  if (!record) return { kind: 'lost' };
  return ctx.messenger.postOutcome(requestKey(id), { channel: record.channel }, requestMessage(ctx, record));
}

/** A reply in the request's thread, once per key; false when there is no thread to reply in yet. */
export async function replyInThread(
  ctx: DeployContext,
  record: Pick<DeployRecord, 'id' | 'channel'>,
  key: string,
  content: MessageContent,
): Promise<boolean> {
  const threadTs = ctx.messenger.tsOf(requestKey(record.id));
  if (threadTs === undefined) {
    ctx.log.warn('deploy thread reply skipped: the request message was not posted', { requestId: record.id, key });
    return false;
  }
  return (
    (await ctx.messenger.post(`deploy:${record.id}:${key}`, { channel: record.channel, threadTs }, content)) !==
    undefined
  );
}

export type WarningOutcome = IdleWarningView['outcome'];

/** Posts the idle warning given at `warnedAt`, or shows how it was settled; one message per warning. */
export async function showWarning(
  ctx: DeployContext,
  endpoint: EndpointRecord,
  warnedAt: string,
  outcome: WarningOutcome,
): Promise<boolean> {
  const record = ctx.requests.get(endpoint.requestId);
  if (!record) return false;
  const view: IdleWarningView = {
    endpointName: endpoint.name,
    deployedBy: endpoint.deployedBy,
    perDayUsd: costOf(ctx, endpoint).perDayUsd,
    outcome,
    removeAt: new Date(Date.parse(warnedAt) + ctx.settings.graceHours * 3600_000).toISOString(),
  };
  return replyInThread(ctx, record, `idle:${warnedAt}`, idleWarningMessage(view, ctx.settings.idleHours));
}
