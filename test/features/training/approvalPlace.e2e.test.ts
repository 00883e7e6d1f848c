import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestKey } from '../../../src/features/training/context.ts';
import type { DatasetFeature } from '../../../src/features/dataset/index.ts';
import type { TrainingFeature } from '../../../src/features/training/index.ts';
import type { BotHarness } from '../../helpers/botHarness.ts';
import { startTrainingHarness } from '../../helpers/trainingHarness.ts';
import { FakeTrainingAws } from '../../helpers/fakeTrainingAws.ts';
import { blockText, waitFor } from '../../slack/support.ts';

/**
 * `/logtune train` typed in the bot's direct message, which approvers cannot see: refused without
 * LOGTUNE_APPROVALS_CHANNEL (nothing recorded, nothing held), posted in that channel with it, and linked for the
 * requester.
 */
const BUCKET = 'logtune-train-place-e2e';
const APPROVALS = 'C0APPROVALS';
let h: BotHarness;
let aws: FakeTrainingAws;
let rangeText: string;

const idFrom = (text: string) => /`(tr-[^`]+)`/.exec(text)![1]!;
const feature = <F>(name: string) => h.bot!.features.find((f) => f.name === name) as F;

beforeAll(async () => {
  ({ h, rangeText } = await startTrainingHarness({ bucket: BUCKET, approvers: 'U0CAROL', rowsPerFile: 40 }));
  aws = new FakeTrainingAws();
  await h.start({ aws: { training: aws } });
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('/logtune train in the bot’s direct message', () => {
  it('without LOGTUNE_APPROVALS_CHANNEL: refused, saying how to ask in a channel; nothing recorded, nothing held', async () => {
    const posts = h.fake.callsOf('chat.postMessage').length;
    const answer = await h.command(`train ${rangeText}`, 'U0ALICE', 'D0ALICE');
    expect(answer.text).toContain('approvers cannot see a direct message');
    expect(answer.text).toContain('run `/logtune train` in a channel the approvers are in');
    expect(answer.text).toContain('`/invite @logtune`');
    expect(answer.text).toContain('LOGTUNE_APPROVALS_CHANNEL');
    expect(answer.text).toContain('Nothing was started');
    expect(feature<TrainingFeature>('training').requests.listRecent(10)).toHaveLength(0);
    expect(feature<DatasetFeature>('dataset').builds.listRecent(10)).toHaveLength(0);
    expect(h.fake.callsOf('chat.postMessage').length).toBe(posts);

    // Nothing holds the range: asked again right away in a channel, it goes through.
    const again = await h.command(`train ${rangeText}`, 'U0ALICE', 'C0CHAN');
    expect(again.text).toMatch(/Training request `tr-[^`]+`: building dataset/);
    const message = await waitFor(() => h.posted(requestKey(idFrom(again.text)))[0], { what: 'the estimate' });
    expect(message.channel).toBe('C0CHAN');
    // Asked where it is posted: no separate link is sent.
    expect(h.fake.messages.filter((m) => m.channel === 'U0ALICE')).toHaveLength(0);
  }, 40_000);

  it('with LOGTUNE_APPROVALS_CHANNEL: posted there, and the requester gets the link to it', async () => {
    await h.stop();
    await h.start({ aws: { training: aws } }, { LOGTUNE_APPROVALS_CHANNEL: APPROVALS });
    const answer = await h.command(`train ${rangeText} epochs=2`, 'U0ALICE', 'D0ALICE');
    expect(answer.text).toContain(`follows in <#${APPROVALS}>`);
    expect(answer.text).toContain('a link to it follows in your direct message with logtune');
    const id = idFrom(answer.text);
    const message = await waitFor(() => h.posted(requestKey(id))[0], { what: 'the estimate' });
    expect(message.channel).toBe(APPROVALS);
    expect(blockText(message)).toContain('Waiting for approval');
    const note = await waitFor(() => h.posted(`training:${id}:approval-link`)[0], { what: 'the link' });
    expect(note.channel).toBe('U0ALICE');
    expect(String(note.text)).toContain(
      `<https://t.slack.com/archives/${APPROVALS}/p${message.ts.replace('.', '')}|see it>`,
    );
    expect(h.fake.messages.filter((m) => m.channel === 'D0ALICE')).toHaveLength(0);
  }, 40_000);
});
