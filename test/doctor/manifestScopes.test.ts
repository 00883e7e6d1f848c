import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MANIFEST_BOT_SCOPES } from '../../src/doctor/manifestScopes.ts';

/** The list under `oauth_config: scopes: bot:` of manifest.yml (its `- scope` lines, comments skipped). */
function manifestBotScopes(): string[] {
  const text = readFileSync('manifest.yml', 'utf8');
  const block = text.slice(text.indexOf('    bot:\n') + '    bot:\n'.length, text.indexOf('\nsettings:'));
  return [...block.matchAll(/^\s+- ([a-z_.:]+)\s*$/gm)].map((m) => m[1]!);
}

describe('the scopes the doctor expects', () => {
  it("are exactly manifest.yml's bot scopes", () => {
    const listed = manifestBotScopes();
    expect(listed.length).toBeGreaterThan(5);
    expect([...MANIFEST_BOT_SCOPES].sort()).toEqual(listed.sort());
  });
});
