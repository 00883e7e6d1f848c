import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError } from '../../src/errors.ts';
import { plainMessage } from '../../src/slack/blocks/help.ts';
import type { CommandSpec, Feature } from '../../src/slack/feature.ts';
import { commandsOf, routeCommand, tokenize } from '../../src/slack/router.ts';
import { blockText, captureLog } from './support.ts';

const spec = (
  name: string,
  run: CommandSpec['run'] = async ({ args }) => plainMessage(`${name} got ${args.join('|')}`),
): CommandSpec => ({
  name,
  args: '<x>',
  summary: `does ${name}`,
  example: `/logtune ${name} x`,
  run,
});
const feature = (name: string, commands: CommandSpec[]): Feature => ({ name, commands, actions: [] });
const log = captureLog();
const route = (text: string, commands: readonly CommandSpec[]) =>
  routeCommand({ text, userId: 'U0ALICE', channelId: 'C0CHAN', notify: async () => undefined }, commands, log);

describe('routeCommand', () => {
  const commands = commandsOf([feature('a', [spec('alpha')]), feature('b', [spec('beta')])]);

  it('answers help (also for an empty command, any case) from the registry', async () => {
    for (const text of ['', 'help', 'HELP']) {
      const help = blockText(await route(text, commands));
      expect(help).toContain('/logtune alpha &lt;x&gt;');
      expect(help).toContain('/logtune beta &lt;x&gt;');
    }
  });

  it('refuses a name registered twice', () => {
    expect(() => commandsOf([feature('a', [spec('alpha')]), feature('b', [spec('alpha')])])).toThrow(
      'two features register /logtune alpha',
    );
  });

  it('answers unknown subcommands with the known ones', async () => {
    expect((await route('frobnicate now', commands)).text).toContain(
      'Unknown subcommand "frobnicate". Known: help, alpha, beta.',
    );
  });

  it('passes the words and the raw rest of the text to the handler', async () => {
    let rest = '';
    const raw = spec('raw', async (c) => {
      rest = c.rest;
      return plainMessage('ok');
    });
    expect((await route('ALPHA one  two', commands)).text).toBe('alpha got one|two');
    await route('raw 2024-05-01\t12:00:00 &lt;x&gt;', commandsOf([feature('r', [raw])]));
    // As Slack sent it: the handler reads it once with pastedText (decoding here too made `&lt;` text into markup).
    expect(rest).toBe('2024-05-01\t12:00:00 &lt;x&gt;');
  });

  it('maps usage and configuration errors to private answers, and anything else to an apology', async () => {
    const failing = (error: Error) => commandsOf([feature('f', [spec('go', async () => Promise.reject(error))])]);
    const usage = await route(
      'go',
      failing(new UsageError('a date range is required. Usage: logtune dataset <range>')),
    );
    expect(usage.text).toBe(':warning: a date range is required.\nUsage: `/logtune go &lt;x&gt;`');
    expect((await route('go', failing(new ConfigError('LOGTUNE_X', 'is required but not set')))).text).toContain(
      'not fully configured (LOGTUNE_X: is required',
    );
    expect((await route('go', failing(new Error('boom')))).text).toContain("Something went wrong on logtune's side");
    expect(log.entries().some((e) => e.msg === 'command failed' && e.command === 'go')).toBe(true);
  });

  it('understands flags whose -- a Slack client turned into a dash, and entity-encoded text', () => {
    expect(tokenize('dataset last 7 days —seed 7 –balance balanced')).toEqual([
      'dataset',
      'last',
      '7',
      'days',
      '--seed',
      '7',
      '--balance',
      'balanced',
    ]);
    expect(tokenize('classify a &lt;b&gt; &amp;c')).toEqual(['classify', 'a', '<b>', '&c']);
    expect(tokenize('dataset april–may')).toEqual(['dataset', 'april–may']);
  });
});
