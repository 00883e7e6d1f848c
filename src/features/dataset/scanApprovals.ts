import { existsSync } from 'node:fs';
import { prepareScan } from '../../athena/build.ts';
import { QueryLedger } from '../../athena/ledger.ts';
import type { ScanPlan } from '../../athena/plan.ts';
import { athenaConfigured, requireAthena, type AthenaSettings } from '../../athena/settings.ts';
import type { DataSettings } from '../../dataset/settings.ts';
import type { BuildRequest } from '../../dataset/types.ts';
import type { Log } from '../../log.ts';
import type { Clock } from '../../shared/clock.ts';
import { closeExpired, decideApproval, expiryOf, monthStart } from '../../spend/approval.ts';
import { ScanRequestsRepo, scanSubject, type ScanRecord } from '../../spend/scanRequests.ts';
import { approvalPlace } from '../../slack/approvalPlace.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { APPROVAL_WORDS } from '../../slack/blocks/spend.ts';
import { escapeMrkdwn, inlineCode } from '../../slack/blocks/text.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import type { Messenger } from '../../slack/messenger.ts';
import type { Policy } from '../../slack/policy.ts';
import { scanApprovalMessage } from './blocks/scanApproval.ts';
import { parseStoredRequest } from './storedRequest.ts';
import type { BuildRunner, SubmitResult } from './runner.ts';

/**
 * Athena scans above LOGTUNE_ATHENA_APPROVAL_USD, in Slack: the quote (listing only, nothing asked of Athena) is
 * posted for an approver with Approve and Cancel; an approval (the shared rules, decideApproval) queues the build,
 * which then runs within the approved cap (runBuild.ts reads the approved request). A scan at or below the setting,
 * and `auto` choosing the local engine, are queued at once.
 */
export interface ScanApprovalsDeps {
  readonly data: DataSettings;
  readonly athena: AthenaSettings;
  readonly bot: {
    readonly approvalsChannel: string | undefined;
    readonly approvalTtlHours: number;
    readonly monthlyBudgetUsd: number | undefined;
    readonly command: string;
  };
  readonly messenger: Messenger;
  readonly policy: Policy;
  readonly runner: BuildRunner;
  readonly clock: Clock;
  readonly log: Log;
  /**
   * The caps of the other kinds of spend approved since a date (training's): LOGTUNE_MONTHLY_BUDGET_USD is one
   * budget for every kind, so a scan is approved only if it fits beside them.
   */
  readonly otherCapsSince?: (since: Date) => number;
  /** The listing and plan (tests may stand in for S3). */
  readonly plan?: (request: BuildRequest, approvalUsd: number) => Promise<ScanPlan>;
}

export type AskOutcome =
  { readonly kind: 'run' } | { readonly kind: 'asked'; readonly record: ScanRecord; readonly where: string };

export const approvalKey = (id: string) => `scan:${id}:approval`;

export class ScanApprovals {
  private repo: ScanRequestsRepo | undefined;

  constructor(private readonly deps: ScanApprovalsDeps) {}

  /** The requests live beside the query ledger (LOGTUNE_ATHENA_LEDGER), opened when first needed. */
  private get scans(): ScanRequestsRepo {
    this.repo ??= new ScanRequestsRepo(QueryLedger.open(this.deps.athena.ledgerPath).db);
    return this.repo;
  }

  /**
   * Scan caps approved since `since`, for the other kinds' budget check. No ledger file yet means no scan was ever
   * asked for: nothing is created to say so.
   */
  approvedCapsSince(since: Date): number {
    if (this.repo === undefined && !existsSync(this.deps.athena.ledgerPath)) return 0;
    return this.scans.approvedCapsSince(since);
  }

  /** Whether the build may be queued now, or waits for an approver (the quote is then posted). */
  async ask(request: BuildRequest, userId: string, channelId: string): Promise<AskOutcome> {
    const { deps } = this;
    const engine = request.engine ?? 'local';
    if (engine === 'local') return { kind: 'run' };
    const configured = athenaConfigured(deps.athena, deps.data.artifactsUri);
    if (engine === 'auto' && !configured) return { kind: 'run' };
    const target = requireAthena(deps.athena, deps.data.artifactsUri);
    const place = approvalPlace(channelId, deps.bot.approvalsChannel, 'dataset', deps.bot.command);
    const plan = await (deps.plan ?? ((r, usd) => prepareScan(r, usd).then((p) => p.plan)))(
      request,
      deps.athena.approvalUsd,
    );
    if (engine === 'auto' && plan.listedBytes <= deps.athena.minBytes) return { kind: 'run' };
    if (!plan.needsApproval) return { kind: 'run' };
    const now = new Date(deps.clock.now());
    const record = this.scans.insert(
      {
        id: `scan-${request.datasetId}`,
        buildId: request.datasetId,
        requestJson: JSON.stringify(request),
        quote: {
          listedBytes: plan.listedBytes,
          scanBytes: plan.scanBytes,
          queries: plan.queries,
          usd: plan.usd,
          cutoffBytes: plan.cutoffBytes,
          rangeLabel: request.range.label,
        },
        requestedBy: userId,
        channel: place.channel,
        expiresAt: expiryOf({ approvers: [], ttlHours: deps.bot.approvalTtlHours, monthlyBudgetUsd: undefined }, now),
      },
      now,
    );
    deps.log.info('athena scan awaits approval', { requestId: record.id, usd: plan.usd, workgroup: target.workgroup });
    await deps.messenger.post(approvalKey(record.id), { channel: place.channel }, this.message(record));
    return { kind: 'asked', record, where: place.where };
  }

  async approve(id: string, userId: string): Promise<MessageContent | undefined> {
    const { deps } = this;
    const at = new Date(deps.clock.now());
    const workgroup = deps.athena.workgroup ?? '';
    const outcome = decideApproval(
      this.scans,
      id,
      {
        userId,
        action: 'scan.approve',
        now: at,
        policy: deps.policy,
        words: APPROVAL_WORDS,
        monthlyBudgetUsd: deps.bot.monthlyBudgetUsd,
        approvedThisMonthUsd:
          this.scans.approvedCapsSince(monthStart(at)) + (deps.otherCapsSince?.(monthStart(at)) ?? 0),
      },
      scanSubject,
      workgroup,
    );
    if (outcome.kind === 'unknown') return plainMessage(`No Athena scan ${inlineCode(id)} is known here.`);
    if (outcome.kind === 'refused') {
      if (outcome.expiredNow) await this.refresh(id);
      return plainMessage(`:no_entry: You cannot approve this: ${outcome.reason}.`);
    }
    deps.log.info('athena scan approved', { requestId: id, userId, capUsd: outcome.record.capUsd });
    await this.refresh(id);
    const record = this.scans.get(id)!;
    let submitted: SubmitResult;
    try {
      const request = parseStoredRequest(record.requestJson, record.buildId);
      submitted = deps.runner.submit({ request, requestedBy: record.requestedBy, channel: record.channel });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.scans.close(id, 'failed', ['approved'], { error: reason }, at);
      await this.refresh(id);
      return plainMessage(`:x: Approved, but the build could not be queued: ${escapeMrkdwn(reason)}`);
    }
    return submitted.kind === 'duplicate'
      ? plainMessage(
          `Approved; the same build is already ${submitted.existing.state} (${inlineCode(submitted.existing.id)}).`,
        )
      : undefined;
  }

  /**
   * Scans past LOGTUNE_APPROVAL_TTL_HOURS stop waiting, as training requests do: each is closed by compare-and-set
   * (a click in between wins or loses cleanly) and its quote then says so, without its buttons.
   */
  async sweepExpired(): Promise<void> {
    if (this.repo === undefined && !existsSync(this.deps.athena.ledgerPath)) return;
    const at = new Date(this.deps.clock.now());
    for (const record of closeExpired(this.scans, at)) {
      this.deps.log.info('athena scan request expired', { requestId: record.id });
      await this.refresh(record.id);
    }
  }

  async cancel(id: string, userId: string): Promise<MessageContent | undefined> {
    const { deps } = this;
    const at = new Date(deps.clock.now());
    const record = this.scans.get(id);
    if (!record) return plainMessage(`No Athena scan ${inlineCode(id)} is known here.`);
    const allowed = deps.policy.may(userId, 'scan.cancel', record);
    if (!allowed.allowed) {
      this.scans.recordDecision(id, { userId, action: 'cancel', outcome: 'refused', reason: allowed.reason }, at);
      return plainMessage(`:no_entry: You cannot cancel this: ${escapeMrkdwn(allowed.reason)}.`);
    }
    const closed = this.scans.transaction(() => {
      this.scans.recordDecision(id, { userId, action: 'cancel', outcome: 'allowed', reason: undefined }, at);
      return this.scans.close(id, 'cancelled', ['pending_approval'], { userId }, at);
    });
    if (!closed) return plainMessage(`${inlineCode(id)} is no longer waiting (${record.state}); nothing to cancel.`);
    await this.refresh(id);
    return undefined;
  }

  private message(record: ScanRecord): MessageContent {
    return scanApprovalMessage(record, this.deps.athena.approvalUsd);
  }

  private async refresh(id: string): Promise<void> {
    const record = this.scans.get(id);
    if (record) await this.deps.messenger.update(approvalKey(id), this.message(record));
  }
}
