import { undeploy } from '../../deploy/deployer.ts';
import { isLogtuneError } from '../../errors.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { escapeMrkdwn, inlineCode } from '../../slack/blocks/text.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import { removalFailedMessage, removedMessage } from './blocks/thread.ts';
import { now, type DeployContext } from './context.ts';
import { costOf, replyInThread, showRequest, showWarning } from './messages.ts';

/**
 * Removing endpoints: `/logtune undeploy` (the deployer or an approver) and the idle sweep both mark the endpoint
 * `deleting` first, then delete endpoint, config and model; a failed attempt is tried again on the next sweep, and
 * one left half-way by a crash on the next start.
 */
export class EndpointRemoval {
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(private readonly ctx: DeployContext) {}

  async undeploy(ref: string, userId: string): Promise<MessageContent> {
    const { ctx } = this;
    const at = now(ctx);
    const endpointName = ctx.endpoints.get(ref)?.name ?? ctx.requests.get(ref)?.endpointName;
    const row = endpointName === undefined ? undefined : ctx.endpoints.get(endpointName);
    if (!row) return this.undeployUnknown(ref, userId);
    const allowed = ctx.policy.may(userId, 'endpoint.undeploy', { requestedBy: row.deployedBy });
    if (!allowed.allowed) {
      ctx.requests.recordDecision(
        row.requestId,
        { userId, action: 'undeploy', outcome: 'refused', reason: allowed.reason },
        at,
      );
      return plainMessage(`:no_entry: You cannot remove ${inlineCode(row.name)}: ${escapeMrkdwn(allowed.reason)}.`);
    }
    if (row.state === 'deleted')
      return plainMessage(
        `${inlineCode(row.name)} was already removed (${row.endedAt?.slice(0, 16).replace('T', ' ')} UTC).`,
      );
    // Already being removed (a failed attempt, say): asking again tries again now.
    const started = row.state === 'deleting' || ctx.endpoints.startRemoval(row.name, userId, at);
    if (!started) return plainMessage(`${inlineCode(row.name)} is already gone; nothing to remove.`);
    ctx.requests.recordDecision(
      row.requestId,
      { userId, action: 'undeploy', outcome: 'allowed', reason: undefined },
      at,
    );
    ctx.log.info('endpoint removal requested', { endpointName: row.name, userId });
    await showRequest(ctx, row.requestId);
    return (await this.remove(row.name))
      ? plainMessage(`:wastebasket: Removed ${inlineCode(row.name)}: endpoint, endpoint config and model deleted.`)
      : plainMessage(
          `:warning: Removing ${inlineCode(row.name)} did not finish; logtune tries again every minute and its thread says when it is done.`,
        );
  }

  /** Deletes an endpoint marked `deleting`; true once it is gone. Concurrent calls for one endpoint share one attempt. */
  remove(name: string): Promise<boolean> {
    const running = this.inFlight.get(name);
    if (running) return running;
    const attempt = this.attempt(name).finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, attempt);
    return attempt;
  }

  /** Endpoints whose removal was started but not finished (a failure, a crash): tried again. */
  async resume(): Promise<void> {
    for (const row of this.ctx.endpoints.inStates(['deleting'])) await this.remove(row.name);
  }

  private async attempt(name: string): Promise<boolean> {
    const { ctx } = this;
    const row = ctx.endpoints.get(name);
    if (row?.state !== 'deleting') return row?.state === 'deleted';
    const record = ctx.requests.get(row.requestId);
    try {
      const result = await undeploy(ctx.aws.hosting, name);
      ctx.log.info('endpoint removed', {
        endpointName: name,
        removedBy: row.removedBy ?? 'idle',
        deleted: result.deleted,
      });
    } catch (error) {
      ctx.log.warn('endpoint removal failed; retried on the next sweep', { endpointName: name, error });
      if (record) await replyInThread(ctx, record, 'removal-failed', removalFailedMessage((error as Error).message));
      return false;
    }
    ctx.endpoints.markDeleted(name, now(ctx));
    const removed = ctx.endpoints.get(name) ?? row;
    if (record) {
      const by =
        row.removedBy === undefined
          ? { idleHours: ctx.settings.idleHours, graceHours: ctx.settings.graceHours }
          : { userId: row.removedBy };
      await replyInThread(ctx, record, 'removed', removedMessage(by, costOf(ctx, removed).soFarUsd));
      if (row.idleWarnedAt !== undefined) await showWarning(ctx, removed, row.idleWarnedAt, { kind: 'removed' });
      await showRequest(ctx, record.id);
    }
    return true;
  }

  /** An endpoint this database does not know (deployed before it was lost, say): approvers only, logtune's tag required. */
  private async undeployUnknown(ref: string, userId: string): Promise<MessageContent> {
    const { ctx } = this;
    if (!ctx.policy.isApprover(userId))
      return plainMessage(`No endpoint or deploy request ${inlineCode(ref)} is known here.`);
    try {
      const result = await undeploy(ctx.aws.hosting, ref);
      ctx.log.info('unrecorded endpoint removed', { endpointName: ref, userId, deleted: result.deleted });
      ctx.adopted.end('endpoint', ref, userId, now(ctx));
      const parts = result.deleted.map(
        (d) =>
          `${d.kind.replace('_', ' ')} ${inlineCode(d.name)} ${d.outcome === 'deleted' ? 'deleted' : 'was already gone'}`,
      );
      return plainMessage(`:wastebasket: ${parts.join(', ')}.`);
    } catch (error) {
      if (isLogtuneError(error)) return plainMessage(`:no_entry: ${escapeMrkdwn(error.message)}.`);
      throw error;
    }
  }
}
