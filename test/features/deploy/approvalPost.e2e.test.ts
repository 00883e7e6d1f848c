import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVE_ACTION_ID } from '../../../src/features/deploy/blocks/request.ts';
import { requestKey } from '../../../src/features/deploy/context.ts';
import type { BotHarness } from '../../helpers/botHarness.ts';
import type { ChannelState } from '../../helpers/fakeSlack.ts';
import { blockText, waitFor } from '../../slack/support.ts';
import { DeployBot } from './deployBot.ts';

/**
 * Where an approval message goes, and what happens when Slack refuses it, end to end (signed HTTP, the fake Slack
 * refusing posts as real Slack does): the requester is told privately how to fix it, and the request is closed, so
 * asking again works at once.
 */
let d: DeployBot;
let h: BotHarness;
const APPROVALS = 'C0APPROVALS';

beforeAll(async () => {
  d = await DeployBot.start();
  h = d.h;
}, 30_000);

afterAll(async () => {
  await d?.h.close();
});

const idOf = (text: string) => /`(dep-[^`]+)`/.exec(text)?.[1];

describe('an approval message Slack refuses', () => {
  it.each<[ChannelState, string]>([
    ['not_in_channel', 'logtune is not a member of <#C0REFUSING>'],
    ['channel_not_found', 'Slack says logtune cannot see <#C0REFUSING>'],
    ['is_archived', '<#C0REFUSING> is archived'],
  ])('%s: answered privately with the fix, the request closed, asking again works at once', async (state, said) => {
    const job = d.completedJob();
    h.fake.setChannel('C0REFUSING', state);
    const refused = await h.command(`deploy ${job}`, 'U0ALICE', 'C0REFUSING');
    expect(refused.text).toContain(said);
    expect(refused.text).toContain(state === 'is_archived' ? 'LOGTUNE_APPROVALS_CHANNEL' : '`/invite @logtune`');
    expect(refused.text).toContain('Nothing was started');
    const closed = d
      .feature()
      .requests.listRecent(50)
      .find((r) => r.jobName === job)!;
    expect(closed).toMatchObject({ jobName: job, state: 'failed' });
    expect(closed.error).toContain(state);
    expect(h.posted(requestKey(closed.id))).toHaveLength(0);

    // Fixed (invited, unarchived): asked again at once, not "already waiting for approval".
    h.fake.setChannel('C0REFUSING', 'member');
    const again = await h.command(`deploy ${job}`, 'U0ALICE', 'C0REFUSING');
    expect(again.text).toMatch(/Deploy request `dep-/);
    const id = idOf(again.text)!;
    expect(id).not.toBe(closed.id);
    await waitFor(() => h.posted(requestKey(id))[0], { what: 'the approval message' });
    expect(d.hosting.calls).toHaveLength(0);
  });
});

describe('LOGTUNE_APPROVALS_CHANNEL', () => {
  it('without it, a deploy asked in a direct message is refused, saying how to ask; nothing is posted', async () => {
    const posts = h.fake.callsOf('chat.postMessage').length;
    const answer = await h.command(`deploy ${d.completedJob()}`, 'U0ALICE', 'D0ALICE');
    expect(answer.text).toContain('approvers cannot see a direct message');
    expect(answer.text).toContain('LOGTUNE_APPROVALS_CHANNEL');
    expect(h.fake.callsOf('chat.postMessage').length).toBe(posts);
  });

  it('with it, a deploy asked in a direct message is posted there and linked from the answer', async () => {
    await h.stop();
    await h.start(
      { aws: { training: d.training, deploy: d.hosting }, afterInService: async () => undefined },
      { LOGTUNE_APPROVALS_CHANNEL: APPROVALS },
    );
    const job = d.completedJob();
    const answer = await h.command(`deploy ${job}`, 'U0ALICE', 'D0ALICE');
    expect(answer.text).toContain(`is posted in <#${APPROVALS}>`);
    const id = idOf(answer.text)!;
    const message = await waitFor(() => h.posted(requestKey(id))[0], { what: 'the approval message' });
    expect(message.channel).toBe(APPROVALS);
    expect(blockText(message)).toContain(job);
    expect(answer.text).toContain(`<https://t.slack.com/archives/${APPROVALS}/p${message.ts.replace('.', '')}|see it>`);
    expect(h.fake.messages.filter((m) => m.channel === 'D0ALICE')).toHaveLength(0);

    // Refused there (logtune removed from the approvals channel): the fix names the channel and the setting.
    h.fake.setChannel(APPROVALS, 'channel_not_found');
    const refused = await h.command(`deploy ${d.completedJob()}`, 'U0ALICE', 'D0ALICE');
    expect(refused.text).toContain(`logtune cannot see <#${APPROVALS}>`);
    expect(refused.text).toContain('LOGTUNE_APPROVALS_CHANNEL');
  });
});

describe('a crafted click', () => {
  it('on message A carrying request B, from another channel or another workspace, is refused and changes nothing', async () => {
    await h.stop();
    await h.start({ aws: { training: d.training, deploy: d.hosting }, afterInService: async () => undefined });
    const a = await d.requestDeploy(d.completedJob());
    const b = await d.requestDeploy(d.completedJob());
    for (const crafted of [{ value: b.id }, { channel: 'C0ELSEWHERE' }, { teamId: 'T0OTHER' }]) {
      const answer = await h.click(a.message, APPROVE_ACTION_ID, 'U0CAROL', 5000, crafted);
      expect(answer?.text, JSON.stringify(crafted)).toContain('This button does not belong to this message');
    }
    expect(
      h.logEntries().filter((e) => e.msg === 'button click refused: not from the message it was posted on'),
    ).toHaveLength(3);
    expect(d.feature().requests.get(a.id)?.state).toBe('pending_approval');
    expect(d.feature().requests.get(b.id)?.state).toBe('pending_approval');
    expect(d.hosting.calls).toHaveLength(0);
    // The genuine click on B's own message still works.
    await h.click(b.message, APPROVE_ACTION_ID, 'U0CAROL', 300);
    await waitFor(() => d.feature().requests.get(b.id)?.state !== 'pending_approval', { what: 'the approval of B' });
  });
});
