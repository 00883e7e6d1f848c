import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PROBE = join(ROOT, 'test', 'helpers', 'launchProbe.ts');
const CACHE = join(ROOT, 'node_modules', '.cache', 'logtune');

function launch(...args: string[]) {
  const run = spawnSync(process.execPath, ['bin/launch.js', 'test/helpers/launchProbe.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, stderr: run.stderr, seen: JSON.parse(run.stdout.trim()) as { args: string[]; url: string; loaders: string[] } };
}

const bundlesOfDeadProcesses = () => (existsSync(CACHE) ? readdirSync(CACHE).filter((name) => name.includes('launchProbe')) : []);

describe('bin/launch.js', () => {
  it('runs a TypeScript file with its own args, import.meta.url still the source file, and no loader in the process', () => {
    const { status, seen, stderr } = launch('a', '--b', 'c d');
    expect(status, stderr).toBe(0);
    expect(seen.args).toEqual(['a', '--b', 'c d']);
    expect(seen.url).toBe(pathToFileURL(PROBE).href);
    expect(seen.loaders.join(' ')).not.toContain('tsx');
    expect(bundlesOfDeadProcesses()).toEqual([]);
  });

  it('leaves no bundle behind when the script calls process.exit during its import', () => {
    const { status } = launch('exit');
    expect(status).toBe(3);
    expect(bundlesOfDeadProcesses()).toEqual([]);
  });
});
