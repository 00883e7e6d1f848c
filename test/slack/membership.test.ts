import { describe, expect, it } from 'vitest';
import { ChannelMembership } from '../../src/slack/membership.ts';
import { canSee, type StatusViewer } from '../../src/features/status/visibility.ts';
import { ManualClock, MemorySlack } from './support.ts';

describe('channel membership for /logtune status', () => {
  it('is cached a minute per user, at most 500 users, and not cached when Slack refuses', async () => {
    const slack = new MemorySlack();
    slack.memberships.set('U1', ['C1']);
    const clock = new ManualClock();
    const membership = new ChannelMembership(slack, clock);
    expect(await membership.of('U1')).toEqual({ ok: true, channels: new Set(['C1']) });
    await membership.of('U1');
    expect(slack.membershipCalls).toBe(1);
    clock.advance(60_000);
    await membership.of('U1');
    expect(slack.membershipCalls).toBe(2);
    for (let i = 0; i < 600; i++) await membership.of(`U${1000 + i}`);
    expect(membership.size).toBe(500);
    const refusing = new ChannelMembership(
      {
        userChannels: async () => {
          throw new Error('missing_scope');
        },
      },
      clock,
    );
    expect(await refusing.of('U1')).toEqual({ ok: false, reason: 'missing_scope' });
    expect(refusing.size).toBe(0);
  });

  it('shows an item to its requester, to members of its channel, never to others in a direct message', () => {
    const viewer = (userId: string, channels: string[], approver = false): StatusViewer => ({
      userId,
      approver,
      membership: { ok: true, channels: new Set(channels) },
    });
    const inOps = { text: 'x', channel: 'C0OPS', requestedBy: 'U0BOB' };
    const inDm = { text: 'x', channel: 'D0ALICE', requestedBy: 'U0ALICE' };
    const adopted = { text: 'x', requestedBy: 'U0BOB' };
    expect(canSee(viewer('U0ALICE', ['C0OPS']), inOps)).toBe(true);
    expect(canSee(viewer('U0ALICE', ['C0SEC']), inOps)).toBe(false);
    expect(canSee(viewer('U0BOB', []), inOps)).toBe(true);
    expect(canSee(viewer('U0BOB', ['C0OPS', 'D0ALICE'], true), inDm)).toBe(false);
    expect(canSee(viewer('U0ALICE', []), inDm)).toBe(true);
    expect(canSee(viewer('U0CAROL', [], true), adopted)).toBe(true);
    expect(canSee(viewer('U0DAVE', ['C0OPS']), adopted)).toBe(false);
    expect(canSee({ userId: 'U0ALICE', approver: true, membership: { ok: false, reason: 'x' } }, inOps)).toBe(false);
  });
});
