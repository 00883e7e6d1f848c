import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The product as it ships: dist/ (built by globalSetup, as `npm run build` does) run by bin/logtune.js and npm start. */
const ROOT = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'logtune-dist-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Code run before bin/logtune.js, as a data: URL (no file to keep): `node --import <it> bin/logtune.js …`. */
const preload = (code: string) => `data:text/javascript,${encodeURIComponent(code)}`;

function logtune(args: string[], options: { env?: NodeJS.ProcessEnv; preload?: string } = {}) {
  const node = options.preload ? [process.execPath, '--import', options.preload] : [];
  // Without a preload the file runs as a shell would run it: through its #! line.
  const [command, ...rest] = [...node, join(ROOT, 'bin', 'logtune.js'), ...args];
  return spawnSync(command!, rest, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '', ...options.env },
  });
}

describe('the build (dist/)', () => {
  it('bin/logtune.js --help runs the built CLI', () => {
    const run = logtune(['--help']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^logtune — /);
    expect(run.stdout).toContain('logtune dataset <range>');
  });

  it('a stack trace from dist/ names the src/….ts line', () => {
    // The help text is written from src/cli/main.ts; a stdout that throws turns that line into a stack frame.
    const run = logtune(['help'], {
      preload: preload('process.stdout.write = () => { throw new Error("stdout refused"); };'),
    });
    const source = readFileSync(join(ROOT, 'src', 'cli', 'main.ts'), 'utf8').split('\n');
    const line = source.findIndex((text) => text.includes('io.stdout.write(`${help(commands)}')) + 1;
    expect(line).toBeGreaterThan(0);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Error: stdout refused');
    expect(run.stderr).toContain(`${join(ROOT, 'src', 'cli', 'main.ts')}:${line}:`);
    expect(run.stderr).not.toMatch(/dist\/\w+\.js/);
  });

  it('builds a dataset with parse workers started from dist/parseWorker.js', () => {
    // The built worker, not a bundle made at run time: from the sources, the worker is bundled into the temp folder
    // (src/dataset/workers/workerBundle.ts); from dist/, that folder stays empty.
    const temp = mkdtempSync(join(tmpdir(), 'logtune-dist-tmp-'));
    const run = logtune(['dataset', '2024-04-01..2024-04-03', '--out', out], {
      env: { LOGTUNE_LOGS_URI: join(ROOT, 'examples', 'logs'), LOGTUNE_PARSE_WORKERS: '2', TMPDIR: temp },
    });
    expect(run.status, run.stderr).toBe(0);
    const bundles = readdirSync(temp).filter((name) => name.startsWith('logtune-parse-worker-'));
    rmSync(temp, { recursive: true, force: true });
    expect(bundles).toEqual([]);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      parseWorkers: number;
      files: { read: number };
      rows: { unique: number };
    };
    expect(summary.parseWorkers).toBe(2);
    expect(summary.files.read).toBeGreaterThan(0);
    expect(summary.rows.unique).toBeGreaterThan(0);
  });

  it('npm start and the Docker image start the same file with the same Node flags', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const start = pkg.scripts.start!.split(' ');
    expect(start[0]).toBe('node');
    expect(start).toContain('--enable-source-maps');
    expect(start.at(-1)).toBe('dist/main.js');
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual(start);
  });
});
