import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../slack/support.ts';

/**
 * The import-boundary rule (`npm run lint:deps`, in CI) run on small trees laid out like src/: each wrong import
 * is refused by the rule meant for it, and the imports the layers allow pass. CI runs the same command on src/.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const run = promisify(execFile);

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

let trees = 0;
/** Lays out `files` (path → source) in a fresh folder and returns the rule violations found in it. */
async function violations(files: Record<string, string>): Promise<Violation[]> {
  const root = join(dir.path, `tree${++trees}`);
  const all = { 'tsconfig.json': JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true } }), ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const result = await run(process.execPath, [CLI, 'src', '--config', CONFIG, '--output-type', 'json'], {
    cwd: root,
    timeout: 20_000,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const report = JSON.parse(result.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

const rulesOf = (found: Violation[]) => found.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
const value = (name: string) => `export const ${name} = 1;\n`;

describe('the import-boundary rule', () => {
  it('passes imports that run down the layers, and features meeting at an index', async () => {
    const found = await violations({
      'src/shared/clock.ts': value('clock'),
      'src/db/db.ts': `import { clock } from '../shared/clock.ts';\nexport const db = clock;\n`,
      'src/dataset/build.ts': `import { db } from '../db/db.ts';\nexport const build = db;\n`,
      'src/slack/feature.ts': value('feature'),
      'src/features/dataset/index.ts': `import { build } from '../../dataset/build.ts';\nimport { feature } from '../../slack/feature.ts';\nexport const dataset = build + feature;\n`,
      'src/features/training/inner.ts': `import { dataset } from '../dataset/index.ts';\nexport const inner = dataset;\n`,
      'src/cli/main.ts': `import { build } from '../dataset/build.ts';\nexport const cli = build;\n`,
      'src/app/bot.ts': `import { inner } from '../features/training/inner.ts';\nexport const bot = inner;\n`,
      'src/main.ts': `import { bot } from './app/bot.ts';\nexport const main = bot;\n`,
      // A circle of type-only imports is erased at build time.
      'src/logs/a.ts': `import type { B } from './b.ts';\nexport type A = { b?: B };\nexport const a = 1;\n`,
      'src/logs/b.ts': `import type { A } from './a.ts';\nexport type B = { a?: A };\n`,
    });
    expect(rulesOf(found)).toEqual([]);
  }, 30_000);

  it("refuses each import that runs up the layers, into another feature's insides, or in a circle", async () => {
    const found = await violations({
      'src/slack/feature.ts': value('feature'),
      'src/dataset/build.ts': `import { feature } from '../slack/feature.ts';\nexport const build = feature;\n`,
      'src/features/dataset/runner.ts': value('runner'),
      'src/features/dataset/index.ts': value('dataset'),
      'src/features/training/flow.ts': `import { runner } from '../dataset/runner.ts';\nexport const flow = runner;\n`,
      'src/features/training/index.ts': `import { bot } from '../../app/bot.ts';\nexport const training = bot;\n`,
      'src/cli/estimate.ts': `import { dataset } from '../features/dataset/index.ts';\nexport const estimate = dataset;\n`,
      'src/app/bot.ts': value('bot'),
      'src/logs/a.ts': `import { b } from './b.ts';\nexport const a = b;\n`,
      'src/logs/b.ts': `import { a } from './a.ts';\nexport const b = () => a;\n`,
      'src/training/prices.ts': value('prices'),
      'src/db/db.ts': `import { prices } from '../training/prices.ts';\nexport const db = prices;\n`,
      'src/shared/clock.ts': `import { db } from '../db/db.ts';\nexport const clock = db;\n`,
      'src/slack/router.ts': `import { clock } from '../shared/clock.ts';\nexport const router = clock;\n`,
      'src/features/status/index.ts': value('status'),
      'src/slack/listeners.ts': `import { status } from '../features/status/index.ts';\nexport const l = status;\n`,
    });
    expect(rulesOf(found)).toEqual([
      'adapters-below-the-domain: src/db/db.ts → src/training/prices.ts',
      'cli-is-not-the-bot: src/cli/estimate.ts → src/features/dataset/index.ts',
      'domain-knows-no-surface: src/dataset/build.ts → src/slack/feature.ts',
      'features-below-the-app: src/features/training/index.ts → src/app/bot.ts',
      'features-meet-at-their-index: src/features/training/flow.ts → src/features/dataset/runner.ts',
      'no-runtime-circle: src/logs/a.ts → src/logs/b.ts',
      'only-main-starts-the-app: src/features/training/index.ts → src/app/bot.ts',
      'primitives-stay-primitive: src/shared/clock.ts → src/db/db.ts',
      'slack-knows-no-feature: src/slack/listeners.ts → src/features/status/index.ts',
    ]);
  }, 30_000);
});
