import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsOf } from '../../src/slack/router.ts';
import { createHarness, type Harness } from '../slack/harness.ts';
import { blockText } from '../slack/support.ts';

/**
 * The registry is the one list of commands: help, routing and Bolt's listeners are generated from it. What people
 * read elsewhere — the manifest's usage hint, the command table in docs/slack.md — must name exactly the same commands.
 */
const ROOT = join(import.meta.dirname, '..', '..');
let h: Harness;
beforeAll(() => {
  h = createHarness();
});
afterAll(async () => {
  await h.runner.shutdown(1000);
  h.close();
});

const registered = () =>
  commandsOf(h.features)
    .map((c) => c.name)
    .sort();

describe('the feature registry', () => {
  it('wires every listed command: each reaches its own handler, none answers "unknown"', async () => {
    const help = blockText(await h.command('help'));
    for (const name of registered()) {
      expect(help).toContain(`/logtune ${name}`);
      const answer = await h.command(name === 'status' || name === 'help' ? name : `${name} --definitely-not-valid`);
      expect(answer.text, name).not.toContain('Unknown subcommand');
    }
  });

  it("matches the manifest's usage hint", () => {
    const manifest = readFileSync(join(ROOT, 'manifest.yml'), 'utf8');
    const hint = /usage_hint: "([^"]+)"/.exec(manifest)![1]!;
    expect(
      hint
        .split('|')
        .map((part) => part.trim().split(' ')[0]!)
        .sort(),
    ).toEqual(registered());
  });

  it('matches the table of commands in docs/slack.md', () => {
    const page = readFileSync(join(ROOT, 'docs', 'slack.md'), 'utf8');
    const table = page.slice(page.indexOf('## Using /logtune'));
    const named = [...table.matchAll(/^\| `\/logtune (\w+)/gm)].map((m) => m[1]!);
    expect([...new Set(named)].sort()).toEqual(registered());
  });
});
