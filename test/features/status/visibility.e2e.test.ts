import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/errors.ts';
import type { BuildFn } from '../../../src/features/dataset/job.ts';
import type { TrainingFeature } from '../../../src/features/training/index.ts';
import { MANIFEST_BOT_SCOPES } from '../../../src/doctor/manifestScopes.ts';
import { startBotHarness, type BotHarness } from '../../helpers/botHarness.ts';

/**
 * `/logtune status` as each reader sees it: two people, two channels and a direct message, over signed HTTP with the
 * fake Slack answering users.conversations from the channels' members (test/helpers/fakeSlack.ts).
 */
let h: BotHarness;
const BUCKET = 'logtune-status-e2e';

/** Builds that run until stopped: the datasets stay "running" in status. */
const heldBuild: BuildFn = (_request, hooks) =>
  new Promise((_resolve, reject) => {
    const abort = () => reject(new CancelledError());
    if (hooks.signal?.aborted) abort();
    hooks.signal?.addEventListener('abort', abort, { once: true });
  });

const statusText = async (userId: string) => JSON.stringify((await h.command('status', userId)).blocks);

beforeAll(async () => {
  h = await startBotHarness({
    buckets: [BUCKET],
    env: {
      LOGTUNE_LOGS_URI: `s3://${BUCKET}/logs`,
      LOGTUNE_ARTIFACTS_URI: `s3://${BUCKET}/artifacts`,
      LOGTUNE_APPROVERS: 'U0CAROL',
    },
  });
  await h.start({ buildDataset: heldBuild });
  // #ops: Alice and Bob; #sec: Carol only; D0ALICE: Alice's direct message with the bot.
  h.fake.setMembers('C0OPS', ['U0ALICE', 'U0BOB']);
  h.fake.setMembers('C0SEC', ['U0CAROL']);
  const training = h.bot!.features.find((f) => f.name === 'training') as TrainingFeature;
  const ask = {
    rangeLabel: 'April',
    rangeStart: '2024-04-01',
    rangeEnd: '2024-04-30',
    instanceType: 'ml.g5.12xlarge',
    epochs: 1,
  };
  const at = new Date(h.clock.now());
  for (const [id, requestedBy, channel] of [
    ['tr-ops-bob', 'U0BOB', 'C0OPS'],
    ['tr-sec-carol', 'U0CAROL', 'C0SEC'],
    ['tr-dm-alice', 'U0ALICE', 'D0ALICE'],
  ] as const)
    training.requests.insert({ id, ask, requestedBy, channel, datasetId: `ds-${id}` }, at);
  expect((await h.command('dataset 2024-04-01..2024-04-02', 'U0CAROL', 'C0SEC')).text).toContain('ds-');
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('/logtune status', () => {
  it("lists only the requests of the reader's channels and their own, and says how many others are hidden", async () => {
    const alice = await statusText('U0ALICE');
    expect(alice).toContain('tr-ops-bob');
    expect(alice).toContain('tr-dm-alice');
    expect(alice).not.toContain('tr-sec-carol');
    expect(alice).not.toContain('ds-2024');
    expect(alice).toContain(
      "2 items asked in channels you are not in (or in someone else's direct message) are not listed",
    );

    // Bob is in #ops only: Alice's direct message and #sec are hidden from him.
    const bob = await statusText('U0BOB');
    expect(bob).toContain('tr-ops-bob');
    expect(bob).not.toContain('tr-dm-alice');
    expect(bob).not.toContain('tr-sec-carol');
    expect(bob).toContain('3 items asked in channels you are not in');
    expect(bob).toContain('None in the channels you are in.');

    const carol = await statusText('U0CAROL');
    expect(carol).toContain('tr-sec-carol');
    expect(carol).not.toContain('tr-ops-bob');
    expect(carol).not.toContain('tr-dm-alice');
    expect(carol).toContain('ds-2024');
    expect(carol).toContain('2 items asked in channels you are not in');
  }, 30_000);

  it('asks Slack once per reader for a minute, then again', async () => {
    const asked = () => h.fake.callsOf('users.conversations').filter((c) => c.args.user === 'U0DAVE').length;
    await statusText('U0DAVE');
    await statusText('U0DAVE');
    expect(asked()).toBe(1);
    h.clock.advance(61_000);
    await statusText('U0DAVE');
    expect(asked()).toBe(2);
    expect(h.fake.callsOf('users.conversations').at(-1)!.args).toMatchObject({
      user: 'U0DAVE',
      types: 'public_channel,private_channel',
    });
  });

  it('without the scopes to ask, lists only the reader’s own requests and says why', async () => {
    h.fake.setScopes(MANIFEST_BOT_SCOPES.filter((s) => s !== 'groups:read'));
    try {
      h.clock.advance(61_000);
      const bob = await statusText('U0BOB');
      expect(bob).toContain('tr-ops-bob');
      expect(bob).not.toContain('tr-sec-carol');
      expect(bob).toContain('Slack did not say which channels you are in (missing_scope)');
    } finally {
      h.fake.setScopes(undefined);
    }
  });
});
