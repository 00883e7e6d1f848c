import { describe, expect, it } from 'vitest';
import { idleWarningMessage, KEEP_ACTION_ID, type IdleWarningView } from '../../../src/features/deploy/blocks/idle.ts';
import {
  APPROVE_ACTION_ID,
  CANCEL_ACTION_ID,
  deployMessage,
  type DeployView,
  type EndpointView,
} from '../../../src/features/deploy/blocks/request.ts';
import { endpointStatusLine, requestStatusLine } from '../../../src/features/deploy/blocks/status.ts';
import * as thread from '../../../src/features/deploy/blocks/thread.ts';
import type { EndpointRecord } from '../../../src/features/deploy/endpointsRepo.ts';
import type { DeployRecord, DeployState } from '../../../src/features/deploy/deployRequestsRepo.ts';
import type { MessageContent } from '../../../src/slack/blocks/types.ts';
import { expectWithinLimits } from '../../helpers/blockLimits.ts';
import { findElement } from '../../helpers/botHarness.ts';
import { blockText } from '../../slack/support.ts';
import { sampleQuote } from './sample.ts';

const view = (overrides: Partial<DeployView> = {}): DeployView => ({
  id: 'dep-20240601t120000-ab12',
  requestedBy: 'U0ALICE',
  state: 'pending_approval',
  quote: sampleQuote,
  approvers: ['U0CAROL', 'U0DAVE'],
  expiresAt: '2024-06-02T12:00:00.000Z',
  decidedBy: undefined,
  problem: undefined,
  idleHours: 24,
  graceHours: 2,
  endpoint: undefined,
  command: '/logtune',
  ...overrides,
});

const endpoint = (overrides: Partial<EndpointView> = {}): EndpointView => ({
  name: 'logtune-dep-20240601t120000-ab12',
  state: 'in_service',
  status: 'InService',
  failureReason: undefined,
  perDayUsd: 36.36,
  soFarUsd: 12.5,
  removedBy: undefined,
  removeAt: undefined,
  ...overrides,
});

const all = (m: MessageContent) => `${m.text}\n${blockText(m)}`;
const HOSTILE = '<!channel> <https://evil.example|click> & `tick`';

describe('deployMessage', () => {
  it('shows what the approver needs: model, instance, hourly and daily cost with its source, the idle rule, Approve and Cancel', () => {
    const m = deployMessage(view());
    expectWithinLimits(m);
    const text = all(m);
    for (const fact of [
      '*Deploy logtune-ft-tr-1 as an endpoint*, asked by <@U0ALICE>',
      'training job `logtune-ft-tr-1` (asked by <@U0BOB>) on dataset `ds-1`',
      '1 × `ml.g5.2xlarge` in us-east-1',
      '`huggingface-pytorch-tgi-inference:2.0.1-tgi1.1.0-gpu-py39-cu118-ubuntu20.04`',
      '$1.52/hour · $36.36/day',
      'AWS Pricing API (price list of 2026-11-01)',
      'after 24 h without a classification',
      'removed 2 h later unless someone clicks Keep',
      'Waiting for approval* by <@U0CAROL>, <@U0DAVE>; expires 2024-06-02 12:00 UTC',
      'Deploy request `dep-20240601t120000-ab12`',
    ]) {
      expect(text).toContain(fact);
    }
    expect(text).not.toContain('763104351884');
    expect(findElement(m.blocks, APPROVE_ACTION_ID)).toMatchObject({
      value: 'dep-20240601t120000-ab12',
      text: { text: 'Approve $36.36/day' },
    });
    expect(findElement(m.blocks, CANCEL_ACTION_ID)?.value).toBe('dep-20240601t120000-ab12');
    expect(m.text).toMatch(/^Deploy logtune-ft-tr-1 as an endpoint, asked by <@U0ALICE> — Waiting for approval/);
  });

  it('has buttons only while waiting, and says what became of the request in every state', () => {
    const cases: [DeployState, Partial<DeployView>, string][] = [
      [
        'approved',
        { decidedBy: 'U0CAROL' },
        'Approved* by <@U0CAROL> — creating the model, endpoint config and endpoint',
      ],
      ['cancelled', { decidedBy: 'U0ALICE' }, 'Cancelled* by <@U0ALICE> — nothing was created'],
      ['expired', {}, 'Expired* without approval — nothing was created'],
      [
        'failed',
        { problem: 'SageMaker did not create the endpoint: ResourceLimitExceeded' },
        'Not created* — SageMaker did not create the endpoint: ResourceLimitExceeded',
      ],
      [
        'created',
        { endpoint: endpoint({ state: 'creating', status: 'Creating', soFarUsd: 0.1 }) },
        'Creating* · `logtune-dep-20240601t120000-ab12` · $0.10 so far · $36.36/day',
      ],
      [
        'created',
        { endpoint: endpoint() },
        'InService* · `logtune-dep-20240601t120000-ab12` · $12.50 so far · $36.36/day. Remove it with `/logtune undeploy logtune-dep-20240601t120000-ab12`',
      ],
      [
        'created',
        { endpoint: endpoint({ removeAt: '2024-06-03T14:00:00.000Z' }) },
        'it will be removed at 2024-06-03 14:00 UTC unless someone clicks Keep',
      ],
      [
        'created',
        { endpoint: endpoint({ state: 'failed', failureReason: 'ping health check failed' }) },
        'Failed* · `logtune-dep-20240601t120000-ab12` — ping health check failed · $12.50 at most',
      ],
      ['created', { endpoint: endpoint({ state: 'deleting' }) }, 'Removing* `logtune-dep-20240601t120000-ab12`'],
      [
        'created',
        { endpoint: endpoint({ state: 'deleted', removedBy: 'U0DAVE' }) },
        'Removed* by <@U0DAVE> · `logtune-dep-20240601t120000-ab12` · $12.50 in all',
      ],
      ['created', { endpoint: endpoint({ state: 'deleted' }) }, 'Removed* for being unused'],
    ];
    for (const [state, overrides, expected] of cases) {
      const m = deployMessage(view({ state, ...overrides }));
      expectWithinLimits(m);
      expect(all(m), `${state} ${expected}`).toContain(expected);
      expect(findElement(m.blocks, APPROVE_ACTION_ID)).toBeUndefined();
    }
  });

  it('escapes what it did not write and stays within limits when the failure reason is huge', () => {
    const m = deployMessage(
      view({
        state: 'created',
        quote: { ...sampleQuote, priceNote: HOSTILE },
        endpoint: endpoint({ state: 'failed', failureReason: `${HOSTILE} ${'x'.repeat(5000)}` }),
      }),
    );
    expectWithinLimits(m);
    expect(all(m)).not.toContain('<!channel>');
    expect(all(m)).not.toContain('<https://evil');
    expect(all(m)).toContain('&lt;!channel&gt;');
  });

  it('says who can approve when nobody is configured', () => {
    expect(all(deployMessage(view({ approvers: [] })))).toContain('none configured: set LOGTUNE_APPROVERS');
  });
});

describe('idleWarningMessage', () => {
  const warning = (outcome: IdleWarningView['outcome']): IdleWarningView => ({
    endpointName: 'logtune-dep-1',
    deployedBy: 'U0ALICE',
    removeAt: '2024-06-03T14:00:00.000Z',
    perDayUsd: 36.36,
    outcome,
  });

  it('offers Keep while the warning stands, and says how it was settled after', () => {
    const open = idleWarningMessage(warning({ kind: 'open' }), 24);
    expectWithinLimits(open);
    expect(all(open)).toContain(
      '*Unused endpoint*: `logtune-dep-1` has had no classification for 24 h and costs $36.36/day',
    );
    expect(all(open)).toContain('removed at 2024-06-03 14:00 UTC unless <@U0ALICE> or an approver clicks Keep');
    expect(findElement(open.blocks, KEEP_ACTION_ID)?.value).toBe('logtune-dep-1');
    for (const [outcome, said] of [
      [{ kind: 'kept', by: 'U0CAROL' }, 'Kept by <@U0CAROL>'],
      [{ kind: 'used' }, 'Used again since'],
      [{ kind: 'removed' }, 'Removed.'],
    ] as const) {
      const m = idleWarningMessage(warning(outcome), 1.5);
      expectWithinLimits(m);
      expect(all(m)).toContain(said);
      expect(all(m)).toContain('for 1.5 h');
      expect(findElement(m.blocks, KEEP_ACTION_ID)).toBeUndefined();
    }
  });
});

describe('thread replies', () => {
  it('are within limits and escape SageMaker and user text', () => {
    const messages = [
      thread.approvedMessage('U0CAROL', '2024-06-01T12:00:00.000Z', sampleQuote),
      thread.cancelledMessage('U0ALICE', '2024-06-01T12:00:00.000Z'),
      thread.expiredMessage('2024-06-01T12:00:00.000Z'),
      thread.createdMessage('logtune-dep-1', false),
      thread.createdMessage('logtune-dep-1', true),
      thread.createFailedMessage(`${HOSTILE}${'y'.repeat(5000)}`),
      thread.statusChangeMessage(HOSTILE),
      thread.inServiceMessage('logtune-dep-1', 1.515, 24, 2, '/logtune'),
      thread.endpointFailedMessage('Failed', HOSTILE, '/logtune'),
      thread.goneMessage(),
      thread.removedMessage({ userId: 'U0ALICE' }, 12.5),
      thread.removedMessage({ idleHours: 24, graceHours: 2 }, 40),
      thread.removalFailedMessage(HOSTILE),
      thread.keptMessage('U0ALICE', '2024-06-01T12:00:00.000Z', 24),
      thread.afterInServiceFailedMessage('logtune-dep-1', HOSTILE, '/logtune'),
    ];
    for (const m of messages) {
      expectWithinLimits(m);
      expect(all(m)).not.toContain('<!channel>');
    }
    expect(all(messages[0]!)).toContain(
      'Approved* by <@U0CAROL> at 2024-06-01 12:00 UTC: 1 × `ml.g5.2xlarge` at $1.52/hour · $36.36/day',
    );
    expect(all(messages[4]!)).toContain('already existed (an earlier attempt created them)');
    expect(all(messages[7]!)).toContain('costs $1.52/hour · $36.36/day until `/logtune undeploy logtune-dep-1`');
    expect(all(messages[11]!)).toContain('Removed* after 26 h without a classification or a Keep');
  });
});

describe('status lines', () => {
  const record = (overrides: Partial<EndpointRecord>): EndpointRecord => ({
    name: 'logtune-dep-1',
    requestId: 'dep-1',
    datasetId: 'ds-1',
    jobName: 'logtune-ft-tr-1',
    instanceType: 'ml.g5.2xlarge',
    instanceCount: 1,
    usdPerHour: 1.515,
    deployedBy: 'U0ALICE',
    state: 'in_service',
    failureReason: undefined,
    createdAt: '2024-06-01T10:00:00.000Z',
    inServiceAt: undefined,
    lastUsedAt: undefined,
    idleWarnedAt: undefined,
    keptAt: undefined,
    keptBy: undefined,
    removedBy: undefined,
    endedAt: undefined,
    ...overrides,
  });
  const now = new Date('2024-06-01T12:00:00.000Z');

  it('show cost per day for live endpoints, cost so far for all, and link the thread', () => {
    const live = endpointStatusLine(
      record({}),
      { perDayUsd: 36.36, soFarUsd: 3.03 },
      'https://t.slack.com/archives/C0CHAN/p1',
      now,
    );
    expect(live).toBe(
      ':large_green_circle: *in service* · `logtune-dep-1` · `ml.g5.2xlarge` · $36.36/day · $3.03 so far · 2h ago · <@U0ALICE> · <https://t.slack.com/archives/C0CHAN/p1|thread>',
    );
    const gone = endpointStatusLine(record({ state: 'deleted' }), { perDayUsd: 36.36, soFarUsd: 3.03 }, undefined, now);
    expect(gone).toBe(
      ':wastebasket: *removed* · `logtune-dep-1` · `ml.g5.2xlarge` · $3.03 so far · 2h ago · <@U0ALICE>',
    );
  });

  it('show a request that has no endpoint with what it would cost', () => {
    const r: DeployRecord = {
      id: 'dep-1',
      jobName: 'logtune-ft-tr-1',
      quote: sampleQuote,
      state: 'pending_approval',
      requestedBy: 'U0ALICE',
      channel: 'C0CHAN',
      expiresAt: '2024-06-02T12:00:00.000Z',
      decidedBy: undefined,
      decidedAt: undefined,
      endpointName: undefined,
      error: undefined,
      createdAt: '2024-06-01T11:30:00.000Z',
    };
    expect(requestStatusLine(r, undefined, now)).toBe(
      ':raised_hand: *waiting for approval* · deploy `dep-1` of `logtune-ft-tr-1` · $36.36/day if deployed · 30m ago · <@U0ALICE>',
    );
  });
});
