import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobCommand } from './built.ts';
import { writeLocal, type BenchShape } from './dataset.ts';

/**
 * `npm run bench -- --sampling [--quick] [--rounds N] [--ref COMMIT]`: the capped build (`--max-examples N`) on the
 * bench's 198 k rows from a local directory, the per-label bottom-k by seeded hash (this tree) against the per-label
 * reservoir it replaced (built from RESERVOIR_COMMIT, the last commit with it), and DuckDB executing the sampling
 * SQL (src/dataset/sql/) over the same files. Interleaved rounds, medians, each job in its own process (its own
 * peak RSS), and the machine's load beside the figures: on a shared machine a single run varies by ±15%.
 */
const root = new URL('..', import.meta.url).pathname;
/** The last commit whose capped build used LabelReservoirs (src/dataset/sampling/sampler.ts). */
export const RESERVOIR_COMMIT = '0c6c5f319944fb44d50be7cc74a5006e0e4148c5';
const SHAPE: BenchShape = { days: ['2024-04-01', '2024-04-02', '2024-04-03'], filesPerDay: 330, rowsPerFile: 200 };
const RANGE = '2024-04-01..2024-04-03';
const CAP = '20000';

interface JobResult {
  readonly seconds: number;
  readonly rows: number;
  readonly maxRssMB: number;
  /** CPU seconds of every thread: on a shared machine far steadier than wall time. */
  readonly cpuSeconds: number;
}

/** This tree's bench files the job needs beside that commit's src/ (jobs.ts and what it imports from bench/). */
const REF_BENCH_FILES = ['jobs.ts', 'jobResult.ts'];

/** The reservoir build: that commit's src/ with this tree's bench job, bundled as the bench bundles (built.ts). */
export function refCommand(ref: string): string[] {
  const sha = execFileSync('git', ['rev-parse', ref], { cwd: root, encoding: 'utf8' }).trim();
  // Named by the bench files as well as the commit: a build left by an older bench job is not reused.
  const benchHash = createHash('sha256');
  for (const file of REF_BENCH_FILES) benchHash.update(readFileSync(join(root, 'bench', file)));
  const dir = join('.bench', `ref-${sha.slice(0, 12)}-${benchHash.digest('hex').slice(0, 8)}`);
  const abs = join(root, dir);
  if (!existsSync(join(abs, 'dist', 'jobs.js'))) {
    mkdirSync(join(abs, 'bench'), { recursive: true });
    execFileSync('sh', ['-c', `git archive ${sha} src | tar -x -C ${JSON.stringify(abs)}`], { cwd: root });
    for (const file of REF_BENCH_FILES) copyFileSync(join(root, 'bench', file), join(abs, 'bench', file));
    execFileSync(
      process.execPath,
      [
        'scripts/build.js',
        '--outdir',
        join(dir, 'dist'),
        `jobs=${dir}/bench/jobs.ts`,
        `parseWorker=${dir}/src/dataset/workers/parseWorker.ts`,
      ],
      { cwd: root, stdio: 'inherit' },
    );
  }
  return ['--enable-source-maps', join(dir, 'dist', 'jobs.js')];
}

function runJob(command: string[], args: string[]): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command, ...args], {
      cwd: root,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0) resolve(JSON.parse(line) as JobResult);
      else reject(new Error(`bench job ${args.join(' ')} exited with ${code}: ${out}`));
    });
  });
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1]!;
};
const fmt = (n: number, digits = 2) => n.toFixed(digits);

export async function samplingBench(options: { quick: boolean; rounds?: number; ref?: string }): Promise<string[]> {
  const rounds = options.rounds ?? (options.quick ? 1 : 5);
  const work = await mkdtemp(join(tmpdir(), 'logtune-sampling-bench-'));
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  try {
    const logs = join(work, 'logs');
    const generated = await writeLocal(logs, SHAPE);
    const rows = SHAPE.days.length * SHAPE.filesPerDay * SHAPE.rowsPerFile;
    const current = await jobCommand('jobs');
    const reservoir = refCommand(options.ref ?? RESERVOIR_COMMIT);
    type Job = readonly [name: string, command: string[], args: (out: string) => string[]];
    const duckdb: Job = [
      'DuckDB, the sampling SQL, capped',
      await jobCommand('duckdbJob'),
      (out) => [logs, out, RANGE, CAP],
    ];
    const jobs: Job[] = [
      ['reservoir (old), capped', reservoir, (out) => ['build', logs, out, RANGE, CAP]],
      ['bottom-k (new), capped', current, (out) => ['build', logs, out, RANGE, CAP]],
      duckdb,
      ['reservoir commit, --max-examples all', reservoir, (out) => ['build', logs, out, RANGE]],
      ['this tree, --max-examples all', current, (out) => ['build', logs, out, RANGE]],
    ];
    const results = new Map<string, JobResult[]>();
    const loads: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const [name, command, args] of jobs) {
        log(`running ${name} (round ${round} of ${rounds})…`);
        loads.push(loadavg()[0]!);
        const out = join(work, 'out');
        const result = await runJob(command, args(out));
        await rm(out, { recursive: true, force: true });
        results.set(name, [...(results.get(name) ?? []), result]);
      }
    }
    const lines = [
      '',
      `Capped build (--max-examples ${CAP}, proportional) of ${rows.toLocaleString('en-US')} rows ` +
        `(${fmt(generated.bytes / 1e6, 1)} MB, ${generated.files} CSV files) from a local directory; ` +
        `median of ${rounds} interleaved rounds (every round in brackets); 1-minute load during the runs ` +
        `${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))}:`,
      '',
      '| run | seconds | rows/s | CPU seconds | peak RSS MB |',
      '|---|---|---|---|---|',
    ];
    for (const [name] of jobs) {
      const runs = results.get(name)!;
      const seconds = median(runs.map((r) => r.seconds));
      const cpu = median(runs.map((r) => r.cpuSeconds));
      lines.push(
        `| ${name} | ${fmt(seconds)} (${runs.map((r) => fmt(r.seconds)).join(', ')}) | ${Math.round(rows / seconds).toLocaleString('en-US')} | ${fmt(cpu)} (${runs.map((r) => fmt(r.cpuSeconds)).join(', ')}) | ${Math.max(...runs.map((r) => r.maxRssMB))} |`,
      );
    }
    const change = (index: number, of: (r: JobResult) => number) =>
      fmt(
        (median(results.get(jobs[index + 1]![0])!.map(of)) / median(results.get(jobs[index]![0])!.map(of)) - 1) * 100,
        1,
      );
    lines.push(
      '',
      `- bottom-k vs reservoir, capped: ${change(0, (r) => r.seconds)}% wall time, ${change(0, (r) => r.cpuSeconds)}% CPU time (target: at most +5%)`,
      `- --max-examples all (streaming, unchanged path): ${change(3, (r) => r.seconds)}% wall time, ${change(3, (r) => r.cpuSeconds)}% CPU time`,
    );
    return lines;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
