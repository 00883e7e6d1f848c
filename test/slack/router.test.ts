import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDataConfig } from '../../src/config.ts';
import { SUBCOMMANDS } from '../../src/slack/commands/catalog.ts';
import { HANDLERS, routeCommand, tokenize } from '../../src/slack/commands/router.ts';
import { createHarness, settle, type Harness } from './harness.ts';
import { blockText } from './support.ts';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(async () => {
  await h.runner.shutdown(1000);
  h.close();
});

const run = (text: string, userId = 'U0ALICE') => routeCommand({ text, userId, channelId: 'C0CHAN' }, h.deps);
const nothingStarted = () => {
  expect(h.builds.listRecent(10)).toEqual([]);
  expect(h.builder.calls).toEqual([]);
  expect(h.slack.posts).toEqual([]);
};

describe('routeCommand', () => {
  it('answers help (also for an empty command, any case)', () => {
    for (const text of ['', 'help', 'HELP']) expect(blockText(run(text))).toContain('/logtune dataset &lt;range&gt; [flags]');
    nothingStarted();
  });

  it('wires every available subcommand of the catalog, and only those', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual(SUBCOMMANDS.filter((s) => s.available).map((s) => s.name).sort());
  });

  it('answers unknown subcommands with the known ones', () => {
    expect(run('frobnicate now').text).toContain('Unknown subcommand "frobnicate". Known: help, dataset, status, train');
    nothingStarted();
  });

  it.each(['train ds-1', 'cancel job-1', 'deploy m', 'undeploy e', 'classify GET / 200'])('says honestly that "%s" is not supported yet', (text) => {
    expect(run(text).text).toMatch(/is not supported yet \(coming soon\)\. Nothing was started\./);
    nothingStarted();
  });

  it('answers bad dataset arguments with the problem and the Slack usage, starting nothing', () => {
    expect(run('dataset').text).toContain('a date range is required');
    expect(run('dataset').text).toContain('Usage: `/logtune dataset &lt;range&gt; [--max-examples N|all]');
    expect(run('dataset').text).not.toContain('--logs');
    expect(run('dataset someday soon').text).toContain('is not a date range I understand');
    expect(run('dataset 2999-01-01..2999-01-02').text).toContain('in the future');
    expect(run('dataset april-may --balance weird').text).toContain('--balance must be proportional or balanced');
    expect(run('dataset april-may --logs s3://elsewhere/').text).toContain('--logs can only be set by the operator');
    expect(run('dataset april-may --bogus 1').text).toContain("Unknown option '--bogus'");
    nothingStarted();
  });

  it('starts a dataset build and answers privately with its id', async () => {
    const reply = run('dataset 2024-04-01..2024-05-31 --seed 7');
    const [build] = h.builds.listRecent(10);
    expect(build).toMatchObject({ state: 'queued', requestedBy: 'U0ALICE', channel: 'C0CHAN' });
    expect(reply.text).toContain(`Building \`${build!.id}\` for 1 Apr – 31 May 2024`);
    expect(JSON.parse(build!.requestJson)).toMatchObject({ seed: 7, range: { start: '2024-04-01', end: '2024-05-31' } });
    await settle();
    expect(h.builder.calls).toHaveLength(1);
  });

  it('points a second identical request to the running build instead of starting another', async () => {
    run('dataset april-may');
    await settle();
    const [first] = h.builds.listRecent(10);
    const reply = run('dataset  april-may', 'U0BOB');
    expect(reply.text).toContain(`already running (\`${first!.id}\`, asked by <@U0ALICE>)`);
    expect(reply.text).toContain(`<https://t.slack.com/archives/C0CHAN/p${first!.rootTs!.replace('.', '')}|see its progress>`);
    expect(h.builds.listRecent(10)).toHaveLength(1);
    expect(run('dataset april-may --seed 8').text).toContain('Building');
  });

  it('understands flags whose -- a Slack client turned into a dash, and entity-encoded text', () => {
    expect(tokenize('dataset last 7 days —seed 7 –balance balanced')).toEqual(['dataset', 'last', '7', 'days', '--seed', '7', '--balance', 'balanced']);
    expect(tokenize('classify a &lt;b&gt; &amp;c')).toEqual(['classify', 'a', '<b>', '&c']);
    expect(tokenize('dataset april–may')).toEqual(['dataset', 'april–may']);
  });

  it('lists recent datasets for status, and rejects arguments', async () => {
    expect(run('status').text).toContain('No datasets yet');
    run('dataset april-may');
    await settle();
    expect(blockText(run('status'))).toMatch(/:gear: \*running\* · `ds-[^`]+` · 1 Apr – 31 May 2024 · just now · <@U0ALICE> · <https:\/\/t\.slack\.com\/archives\/C0CHAN\/p\d+\|thread>/);
    expect(run('status everything').text).toContain('takes no arguments');
  });

  it('tells the user when the operator has not configured the logs location', () => {
    const deps = { ...h.deps, data: loadDataConfig({}) };
    const reply = routeCommand({ text: 'dataset april-may', userId: 'U0ALICE', channelId: 'C0CHAN' }, deps);
    expect(reply.text).toContain('logtune is not fully configured (LOGTUNE_LOGS_URI: is required but not set');
    nothingStarted();
  });
});
