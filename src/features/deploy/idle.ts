import { plainMessage } from '../../slack/blocks/help.ts';
import { escapeMrkdwn, inlineCode } from '../../slack/blocks/text.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import { keptMessage } from './blocks/thread.ts';
import { now, type DeployContext } from './context.ts';
import { idleSince, type EndpointRecord } from './endpointsRepo.ts';
import { replyInThread, showRequest, showWarning } from './messages.ts';
import type { EndpointRemoval } from './removal.ts';

const HOUR_MS = 3_600_000;

/**
 * Endpoints nobody uses: after LOGTUNE_ENDPOINT_IDLE_HOURS without a classification (or a Keep) a warning with a Keep
 * button goes to the endpoint's thread; LOGTUNE_ENDPOINT_GRACE_HOURS later, still unused and not kept, the endpoint is
 * removed. Each step is a compare-and-set on the endpoint's row, so a Keep or a use racing the sweep wins or loses
 * cleanly, never half-way.
 */
export class IdleEndpoints {
  constructor(
    private readonly ctx: DeployContext,
    private readonly removal: EndpointRemoval,
  ) {}

  async sweep(): Promise<void> {
    const at = now(this.ctx);
    for (const endpoint of this.ctx.endpoints.inStates(['in_service'])) await this.check(endpoint, at);
    await this.removal.resume();
  }

  async keep(name: string, userId: string): Promise<MessageContent | undefined> {
    const { ctx } = this;
    const at = now(ctx);
    const endpoint = ctx.endpoints.get(name);
    if (!endpoint) return plainMessage(`No endpoint ${inlineCode(name)} is known here.`);
    const allowed = ctx.policy.may(userId, 'endpoint.keep', { requestedBy: endpoint.deployedBy });
    if (!allowed.allowed) {
      ctx.requests.recordDecision(
        endpoint.requestId,
        { userId, action: 'keep', outcome: 'refused', reason: allowed.reason },
        at,
      );
      return plainMessage(`:no_entry: You cannot keep ${inlineCode(name)}: ${escapeMrkdwn(allowed.reason)}.`);
    }
    if (!ctx.endpoints.keep(name, userId, at))
      return plainMessage(
        `${inlineCode(name)} is no longer in service (it is being removed or gone); nothing to keep.`,
      );
    ctx.requests.recordDecision(
      endpoint.requestId,
      { userId, action: 'keep', outcome: 'allowed', reason: undefined },
      at,
    );
    ctx.log.info('idle endpoint kept', { endpointName: name, userId });
    const record = ctx.requests.get(endpoint.requestId);
    if (record)
      await replyInThread(
        ctx,
        record,
        `kept:${at.toISOString()}`,
        keptMessage(userId, at.toISOString(), ctx.settings.idleHours),
      );
    if (endpoint.idleWarnedAt !== undefined)
      await showWarning(ctx, endpoint, endpoint.idleWarnedAt, { kind: 'kept', by: userId });
    await showRequest(ctx, endpoint.requestId);
    return undefined;
  }

  private async check(endpoint: EndpointRecord, at: Date): Promise<void> {
    const { ctx } = this;
    const since = idleSince(endpoint);
    if (since === undefined) return;
    const warnedAt = endpoint.idleWarnedAt;
    if (warnedAt === undefined) {
      if (
        at.getTime() - Date.parse(since) < ctx.settings.idleHours * HOUR_MS ||
        !ctx.endpoints.warnIdle(endpoint.name, at)
      )
        return;
      ctx.log.info('idle endpoint warned', { endpointName: endpoint.name, idleSince: since });
      await showWarning(ctx, endpoint, at.toISOString(), { kind: 'open' });
      await showRequest(ctx, endpoint.requestId);
      return;
    }
    if (since > warnedAt) {
      // Used since the warning: it stands no more.
      if (!ctx.endpoints.clearWarning(endpoint.name, warnedAt, at)) return;
      await showWarning(ctx, endpoint, warnedAt, { kind: 'used' });
      await showRequest(ctx, endpoint.requestId);
      return;
    }
    if (
      at.getTime() - Date.parse(warnedAt) < ctx.settings.graceHours * HOUR_MS ||
      !ctx.endpoints.startIdleRemoval(endpoint.name, warnedAt, at)
    )
      return;
    ctx.log.info('idle endpoint being removed', { endpointName: endpoint.name, idleSince: since, warnedAt });
    await showRequest(ctx, endpoint.requestId);
    await this.removal.remove(endpoint.name);
  }
}
