import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bench's measured jobs run as the product does: bundled by scripts/build.js (with the parse worker beside them)
 * and started with `npm start`'s Node flags. Built once per bench run, into .bench/dist/ (not dist/, which ships).
 */
const root = new URL('..', import.meta.url).pathname;
const ENTRIES = [
  'jobs=bench/jobs.ts',
  'duckdbJob=bench/duckdbJob.ts',
  'baselineJob=bench/baselineJob.ts',
  'ackBot=bench/ackBot.ts',
  'parseWorker=src/dataset/workers/parseWorker.ts',
  'jobWorker=src/jobThread/worker.ts',
];

let built: Promise<string[]> | undefined;

function buildOnce(): Promise<string[]> {
  built ??= new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/build.js', '--outdir', '.bench/dist', ...ENTRIES], {
      cwd: root,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`building the bench jobs failed (exit ${code})`));
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
      // `node <flags…> dist/main.js` → the flags.
      resolve(pkg.scripts.start.split(' ').slice(1, -1));
    });
  });
  return built;
}

/** Node's arguments for one built job: `npm start`'s flags, then the job's script (its own args go after). */
export async function jobCommand(job: 'jobs' | 'duckdbJob' | 'baselineJob' | 'ackBot'): Promise<string[]> {
  return [...(await buildOnce()), `.bench/dist/${job}.js`];
}
