import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDataSettings } from '../../../src/dataset/settings.ts';
import { CANCEL_ACTION_ID } from '../../../src/features/dataset/blocks/root.ts';
import { datasetCommand } from '../../../src/features/dataset/command.ts';
import { routeCommand } from '../../../src/slack/router.ts';
import { APPROVER, createHarness, settle, type Harness } from '../../slack/harness.ts';
import { blockText } from '../../slack/support.ts';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(async () => {
  await h.runner.shutdown(1000);
  h.close();
});

const nothingStarted = () => {
  expect(h.builds.listRecent(10)).toEqual([]);
  expect(h.builder.calls).toEqual([]);
  expect(h.slack.posts).toEqual([]);
};

describe('/logtune dataset', () => {
  it('answers bad arguments with the problem and the Slack usage, starting nothing', async () => {
    expect((await h.command('dataset')).text).toContain('a date range is required');
    expect((await h.command('dataset')).text).toContain(
      'Usage: `/logtune dataset &lt;range&gt; [--max-examples N|all]',
    );
    expect((await h.command('dataset')).text).not.toContain('--logs');
    expect((await h.command('dataset someday soon')).text).toContain('is not a date range I understand');
    expect((await h.command('dataset 2999-01-01..2999-01-02')).text).toContain('in the future');
    expect((await h.command('dataset april-may --balance weird')).text).toContain(
      '--balance must be proportional or balanced',
    );
    expect((await h.command('dataset april-may --logs s3://elsewhere/')).text).toContain(
      '--logs can only be set by the operator',
    );
    expect((await h.command('dataset april-may --bogus 1')).text).toContain('unknown flag --bogus.');
    nothingStarted();
  });

  it('starts a dataset build and answers privately with its id', async () => {
    const reply = await h.command('dataset 2024-04-01..2024-05-31 --seed 7');
    const [build] = h.builds.listRecent(10);
    expect(build).toMatchObject({ state: 'queued', requestedBy: 'U0ALICE', channel: 'C0CHAN' });
    expect(reply.text).toContain(`Building \`${build!.id}\` for 1 Apr – 31 May 2024`);
    expect(JSON.parse(build!.requestJson)).toMatchObject({
      seed: 7,
      range: { start: '2024-04-01', end: '2024-05-31' },
    });
    await settle();
    expect(h.builder.calls).toHaveLength(1);
  });

  it('points a second identical request to the running build instead of starting another', async () => {
    await h.command('dataset april-may');
    await settle();
    const [first] = h.builds.listRecent(10);
    const reply = await h.command('dataset  april-may', 'U0BOB');
    expect(reply.text).toContain(`already running (\`${first!.id}\`, asked by <@U0ALICE>)`);
    expect(reply.text).toContain(
      `<https://t.slack.com/archives/C0CHAN/p${first!.rootTs!.replace('.', '')}|see its progress>`,
    );
    expect(h.builds.listRecent(10)).toHaveLength(1);
    expect((await h.command('dataset april-may --seed 8')).text).toContain('Building');
  });

  it('tells the requester privately, later, when the progress message cannot be posted', async () => {
    h.slack.failPost = () => new webApi.WebAPIPlatformError({ ok: false, error: 'not_in_channel' });
    const reply = await h.command('dataset april-may');
    await settle();
    expect(reply.notified.map((n) => n.text)).toEqual([expect.stringContaining('I could not post the build')]);
  });

  it('lists recent datasets in status', async () => {
    expect((await h.command('status')).text).toContain('No datasets yet');
    await h.command('dataset april-may');
    await settle();
    expect(blockText(await h.command('status'))).toMatch(
      /:gear: \*running\* · `ds-[^`]+` · 1 Apr – 31 May 2024 · just now · <@U0ALICE> · <https:\/\/t\.slack\.com\/archives\/C0CHAN\/p\d+\|thread>/,
    );
    expect((await h.command('status everything')).text).toContain('takes no arguments');
  });

  it('tells the user when the operator has not configured the logs location', async () => {
    const spec = datasetCommand({
      data: loadDataSettings({}),
      runner: h.runner,
      identity: h.deps.identity,
      now: h.deps.now,
      command: '/logtune',
    });
    const reply = await routeCommand(
      { text: 'dataset april-may', userId: 'U0ALICE', channelId: 'C0CHAN', notify: async () => undefined },
      [spec],
      h.log,
    );
    expect(reply.text).toContain('logtune is not fully configured (LOGTUNE_LOGS_URI: is required but not set');
    nothingStarted();
  });
});

describe('the Cancel button of a build', () => {
  it('refuses anyone but the requester or an approver, privately, leaving the build and its message alone', async () => {
    await h.command('dataset april-may');
    await settle();
    const [build] = h.builds.listRecent(1);
    const updatesBefore = h.slack.updates.length;
    const refusal = await h.click(CANCEL_ACTION_ID, build!.id, 'U0MALLORY');
    expect(refusal?.text).toContain(
      `You cannot cancel \`${build!.id}\`: only the person who asked for it or an approver may do this`,
    );
    await settle();
    expect(h.builds.get(build!.id)?.state).toBe('running');
    expect(h.builder.calls[0]!.hooks.signal?.aborted).toBe(false);
    expect(h.slack.updates.length).toBe(updatesBefore);
  });

  it("lets an approver cancel someone else's build, and the requester their own", async () => {
    await h.command('dataset april-may');
    await h.command('dataset april-may --seed 9');
    await settle();
    const [second, first] = h.builds.listRecent(2);
    expect((await h.click(CANCEL_ACTION_ID, first!.id, APPROVER))?.text).toContain('Cancelling');
    expect((await h.click(CANCEL_ACTION_ID, second!.id, 'U0ALICE'))?.text).toContain('Cancelling');
    await h.runner.idle();
    expect(h.builds.get(first!.id)).toMatchObject({ state: 'cancelled', cancelledBy: APPROVER });
    expect(h.builds.get(second!.id)).toMatchObject({ state: 'cancelled', cancelledBy: 'U0ALICE' });
    expect((await h.click(CANCEL_ACTION_ID, 'ds-nope', 'U0ALICE'))?.text).toContain('No build `ds-nope` is known here');
  });
});
