import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_COMMANDS } from '../../src/cli/commands/index.ts';

/**
 * The README a newcomer reads and the reference pages it links to, kept honest by the code: the first screen fits,
 * the quick start prints what it shows, and the tables of settings and commands name what the code has.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), 'utf8');
const README = read('README.md');
const FIRST_SCREEN_END = 'end of the first screen';

describe('the README', () => {
  it('has a first screen of at most 60 lines: what it is, install, the offline quick start, own logs, Slack and AWS', () => {
    const lines = README.split('\n');
    const end = lines.findIndex((l) => l.includes(FIRST_SCREEN_END));
    expect(end).toBeGreaterThan(0);
    expect(end).toBeLessThanOrEqual(60);
    const screen = lines.slice(0, end).join('\n');
    for (const part of [
      '**Install**',
      '$ ./bin/logtune.js dataset',
      '$ ./bin/logtune.js baseline',
      './bin/logtune.js classify',
      '**Use your own CloudFront logs**',
      '**Set up Slack and AWS**',
      'logtune doctor',
      'Llama 2 Community License',
    ])
      expect(screen).toContain(part);
    // The first run with real services starts with doctor: it is the section's first instruction.
    const setup = screen.slice(screen.indexOf('**Set up Slack and AWS**'));
    expect(setup.split('\n').slice(0, 2).join(' ')).toContain('start with [`logtune doctor`]');
  });

  it('links every page of docs/ from the docs index', () => {
    const index = read('docs', 'README.md');
    const pages = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    for (const page of pages) expect(index, page).toContain(`](${page})`);
  });
});

describe('the reference tables follow the code', () => {
  it('docs/settings.md has one row per setting the code reads, and no other', () => {
    // Settings are zod object keys in src/ (`LOGTUNE_X: schema`), wherever a feature declares them.
    const declared = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts'))
          for (const m of readFileSync(path, 'utf8').matchAll(
            /(?:^\s+|\{ )(LOGTUNE_[A-Z0-9_]+|SLACK_[A-Z_]+|PORT): /gm,
          ))
            declared.add(m[1]!);
      }
    };
    walk(join(ROOT, 'src'));
    const rows = [...read('docs', 'settings.md').matchAll(/^\| `([A-Z0-9_]+)`/gm)].map((m) => m[1]!);
    expect(new Set(rows).size).toBe(rows.length);
    expect([...rows].sort()).toEqual([...declared].sort());
    expect(README).not.toMatch(/^\| `LOGTUNE_/m);
  });

  it('docs/cli.md lists every logtune command', () => {
    const named = [...read('docs', 'cli.md').matchAll(/^\| `logtune (\w+)/gm)].map((m) => m[1]!);
    expect(named.sort()).toEqual(CLI_COMMANDS.map((c) => c.name).sort());
  });
});

describe('the quick start', () => {
  const work = mkdtempSync(join(tmpdir(), 'logtune-quickstart-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The console block: each `$ ` command with the lines the README shows under it. */
  function shown(): { command: string; output: string[] }[] {
    const block = /```console\n([\s\S]*?)```/.exec(README)![1]!;
    const steps: { command: string; output: string[] }[] = [];
    for (const line of block.trimEnd().split('\n')) {
      if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] });
      else if (line !== '') steps.at(-1)!.output.push(line);
    }
    return steps;
  }

  /** What varies between runs (the dataset id's time and random part, the duration) may differ; nothing else. */
  function pattern(line: string): RegExp {
    const VARIES = /Done in [\d.]+s|ds-20240401-20240403-…/g;
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const parts = line.split(VARIES).map(escape);
    const wild = [...line.matchAll(VARIES)].map((m) =>
      m[0].startsWith('Done') ? 'Done in [\\d.]+m?s' : 'ds-20240401-20240403-\\S+',
    );
    return new RegExp(`^${parts.map((p, k) => p + (wild[k] ?? '')).join('')}$`);
  }

  it('runs as written, in a shell, and prints what the README shows', () => {
    const steps = shown();
    expect(steps.map((s) => s.command.split(' ')[0])).toEqual([
      'export',
      './bin/logtune.js',
      'id=$(ls',
      './bin/logtune.js',
      'head',
    ]);
    // One shell, as a person types it; ./out becomes a temporary folder, each command's output marked.
    const script = steps
      .map(
        (s, i) =>
          `echo "@@step ${i}" >&2; echo "@@step ${i}"; ${s.command
            .replaceAll('./out', join(work, 'out'))
            .replaceAll('out/datasets', join(work, 'out', 'datasets'))
            .replace('> summary.json', `> ${join(work, 'summary.json')}`)
            .replace('> eval.json', `> ${join(work, 'eval.json')}`)}`,
      )
      .join('\n');
    const run = spawnSync('bash', ['-e', '-c', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { PATH: process.env.PATH ?? '', HOME: work },
    });
    expect(run.status, run.stderr).toBe(0);
    const byStep = (text: string) => {
      const out = new Map<number, string[]>();
      let current = -1;
      for (const line of text.split('\n')) {
        const marker = /^@@step (\d+)$/.exec(line);
        if (marker) current = Number(marker[1]);
        else out.set(current, [...(out.get(current) ?? []), line.replaceAll(join(work, 'out'), './out')]);
      }
      return out;
    };
    const stdout = byStep(run.stdout);
    const stderr = byStep(run.stderr);
    steps.forEach((step, i) => {
      const printed = [...(stdout.get(i) ?? []), ...(stderr.get(i) ?? [])];
      for (const line of step.output) {
        expect(
          printed.some((p) => pattern(line).test(p)),
          `"${line}" after $ ${step.command}\n--- printed:\n${printed.join('\n')}`,
        ).toBe(true);
      }
    });
  }, 150_000);
});
