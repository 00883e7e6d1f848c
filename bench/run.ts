import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { S3Client } from '@aws-sdk/client-s3';
import { ackBench } from './ack.ts';
import { baselineBench } from './baseline.ts';
import { jobCommand } from './built.ts';
import { samplingBench } from './sampling.ts';
import { uploadS3, writeLocal, type BenchShape } from './dataset.ts';

/**
 * `npm run bench [-- --quick]`: the dataset builder against the baselines, side by side on this machine.
 * Every measurement runs in its own process (peak RSS is its own); S3 is s3rver in another process on loopback.
 * The reading comparisons run in ROUNDS interleaved rounds and report the median: on a shared 2-core machine one
 * run of the same job varies by ±15%, which a single sample would hand to whichever side drew it.
 */
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 3;
const root = new URL('..', import.meta.url).pathname;
const DELAY_MS = 20;
const SHAPE: BenchShape = { days: ['2024-04-01', '2024-04-02', '2024-04-03'], filesPerDay: 330, rowsPerFile: 200 };
const RANGE = '2024-04-01..2024-04-03';
// Reference figures measured for the issue on a 2-core machine with the same input (seconds).
const REFERENCE = { notebook: 17, notebookDelayed: 45, duckdbLocal: 1.2 };

interface JobResult {
  seconds: number;
  rows: number;
  bytes: number;
  files: number;
  concurrency?: number;
  maxRssMB: number;
  /** Every run's seconds, when the job ran more than once (`seconds` is then their median). */
  runs?: number[];
}

/** The run with the median time, with every run's seconds and the highest peak RSS of them. */
function median(runs: JobResult[]): JobResult {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const middle = sorted[(sorted.length - 1) >> 1]!;
  return { ...middle, maxRssMB: Math.max(...runs.map((r) => r.maxRssMB)), runs: runs.map((r) => r.seconds) };
}

async function runJob(args: string[], env: NodeJS.ProcessEnv): Promise<JobResult> {
  const command = await jobCommand('jobs');
  return new Promise((resolve, reject) => {
    // Built and started as the product is (bench/built.ts).
    const child = spawn(process.execPath, [...command, ...args], {
      cwd: root,
      env: { ...env, NODE_NO_WARNINGS: '1' },
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

function startS3(directory: string): Promise<{ child: ChildProcess; direct: number; delayed: number }> {
  return new Promise((resolve, reject) => {
    // --openssl-legacy-provider: s3rver's listing continuation tokens use DES, refused by Node's OpenSSL 3 otherwise.
    const child = spawn(
      process.execPath,
      ['--openssl-legacy-provider', '--import', 'tsx', 'bench/s3server.ts', directory, String(DELAY_MS)],
      {
        cwd: root,
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 30 s')), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, ...(JSON.parse(line) as { direct: number; delayed: number }) });
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
}

function s3Env(port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function row(name: string, r: JobResult, rows: number): string {
  const rps = rows / r.seconds;
  const runs = r.runs && r.runs.length > 1 ? ` (${r.runs.map((x) => fmt(x, 2)).join(', ')})` : '';
  return `| ${name} | ${fmt(r.seconds, 2)}${runs} | ${fmt(rps)} | ${fmt(r.bytes / 1e6 / r.seconds, 1)} | ${r.maxRssMB} | ${r.concurrency ?? 1} |`;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'logtune-bench-'));
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  let s3: Awaited<ReturnType<typeof startS3>> | undefined;
  try {
    log(`cores: ${availableParallelism()}; generating ${SHAPE.days.length * SHAPE.filesPerDay} files…`);
    const local = join(work, 'logs');
    const generated = await writeLocal(local, SHAPE);
    const rows = SHAPE.days.length * SHAPE.filesPerDay * SHAPE.rowsPerFile;
    s3 = await startS3(join(work, 's3'));
    const direct = s3Env(s3.direct);
    const delayed = s3Env(s3.delayed);
    // The same builds with every GET through the SDK's GetObject: what the lean GET is worth, measured side by side.
    const sdkGet = (env: NodeJS.ProcessEnv) => ({ ...env, LOGTUNE_S3_FAST_GET: 'false' });
    const client = new S3Client({
      forcePathStyle: true,
      endpoint: direct.AWS_ENDPOINT_URL_S3,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await uploadS3(client, 'bench-logs', 'logs/', SHAPE);
    client.destroy();
    log(`input: ${generated.files} files, ${fmt(rows)} rows, ${fmt(generated.bytes / 1e6, 1)} MB`);

    const results: Record<string, JobResult> = {};
    const run = async (label: string, args: string[], env: NodeJS.ProcessEnv): Promise<JobResult> => {
      log(`running ${label}…`);
      const result = await runJob(args, env);
      // Outputs are not inspected; removing them keeps the bench's disk use to one run's worth.
      await rm(join(work, 'out'), { recursive: true, force: true });
      return result;
    };
    const measure = async (name: string, args: string[], env: NodeJS.ProcessEnv) => {
      results[name] = await run(name, args, env);
    };
    // The targets compare reading: the notebook port and the builder read the same bucket and write their outputs
    // to the same place. Writing to a local directory leaves the comparison to the reading; writing back to s3rver
    // adds what s3rver spends storing the outputs (it assembles a multipart upload by reading and hashing every
    // part again, on the same two cores; S3 does that on its own machines), measured in the second table.
    const outDir = (name: string) => join(work, 'out', name);
    const compared: [string, string[], NodeJS.ProcessEnv][] = [
      ['floor', ['floor'], direct],
      ['floorDelayed', ['floor'], delayed],
      ['notebook', ['notebook', outDir('notebook')], direct],
      ['notebookDelayed', ['notebook', outDir('notebook-delayed')], delayed],
      ['buildS3', ['build', 's3://bench-logs/logs/', outDir('build'), RANGE], direct],
      ['buildS3Delayed', ['build', 's3://bench-logs/logs/', outDir('build-delayed'), RANGE], delayed],
      ['buildS3SdkGet', ['build', 's3://bench-logs/logs/', outDir('build-sdk'), RANGE], sdkGet(direct)],
      ['buildS3DelayedSdkGet', ['build', 's3://bench-logs/logs/', outDir('build-sdk-delayed'), RANGE], sdkGet(delayed)],
      ['buildLocal', ['build', local, outDir('build-local'), RANGE], process.env],
    ];
    const rounds: Record<string, JobResult[]> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, args, env] of compared) {
        (rounds[name] ??= []).push(await run(ROUNDS > 1 ? `${name} (round ${round} of ${ROUNDS})` : name, args, env));
      }
    }
    for (const [name] of compared) results[name] = median(rounds[name]!);
    await measure('notebookToS3', ['notebook', 's3://bench-artifacts/notebook/'], direct);
    await measure('buildToS3', ['build', 's3://bench-logs/logs/', 's3://bench-artifacts/build/', RANGE], direct);
    if (!quick) {
      await measure('notebookToS3Delayed', ['notebook', 's3://bench-artifacts/notebook-delayed/'], delayed);
      await measure(
        'buildToS3Delayed',
        ['build', 's3://bench-logs/logs/', 's3://bench-artifacts/build-delayed/', RANGE],
        delayed,
      );
    }

    const r = results as Record<string, JobResult>;
    const rps = (name: string) => rows / r[name]!.seconds;
    const ratio = (a: string, b: string) => fmt(rps(a) / rps(b), 1);
    const saved = (lean: string, sdk: string) => fmt((1 - r[lean]!.seconds / r[sdk]!.seconds) * 100);
    const lines = [
      '',
      `Input: ${generated.files} files, ${fmt(rows)} rows, ${fmt(generated.bytes / 1e6, 1)} MB (CSV, seed layout); ${DELAY_MS} ms added per request where "delayed".`,
      '',
      `Reading from S3 (s3rver) or a local directory; outputs to a local directory${ROUNDS > 1 ? `; the median of ${ROUNDS} interleaved rounds (every round's seconds in brackets)` : ''}:`,
      '',
      '| run | seconds | rows/s | MB/s | peak RSS MB | S3 concurrency |',
      '|---|---|---|---|---|---|',
      row('list + GET floor (no parsing, nothing written)', r.floor!, rows),
      row(`list + GET floor, +${DELAY_MS} ms`, r.floorDelayed!, rows),
      row('notebook approach (JS port), S3', r.notebook!, rows),
      row(`notebook approach (JS port), S3 +${DELAY_MS} ms`, r.notebookDelayed!, rows),
      row('logtune build, S3', r.buildS3!, rows),
      row(`logtune build, S3 +${DELAY_MS} ms`, r.buildS3Delayed!, rows),
      row('logtune build, S3, every GET through the SDK (LOGTUNE_S3_FAST_GET=false)', r.buildS3SdkGet!, rows),
      row(`logtune build, S3 +${DELAY_MS} ms, every GET through the SDK`, r.buildS3DelayedSdkGet!, rows),
      row('logtune build, local directory', r.buildLocal!, rows),
      '',
      'Targets:',
      `- S3 +${DELAY_MS} ms: ${ratio('buildS3Delayed', 'notebookDelayed')}× the JS notebook port here, ` +
        `${fmt(rps('buildS3Delayed') / (rows / REFERENCE.notebookDelayed), 1)}× the reference notebook (${REFERENCE.notebookDelayed} s) — target ≥ 10×`,
      `- S3: ${ratio('buildS3', 'notebook')}× the JS notebook port here, ` +
        `${fmt(rps('buildS3') / (rows / REFERENCE.notebook), 1)}× the reference notebook (${REFERENCE.notebook} s) — target ≥ 4×`,
      `- local: ${fmt(rps('buildLocal') / (rows / REFERENCE.duckdbLocal), 2)}× the reference DuckDB (${REFERENCE.duckdbLocal} s) — target ≥ 0.5×`,
      `- lean GET: saves ${saved('buildS3Delayed', 'buildS3DelayedSdkGet')}% of wall time at +${DELAY_MS} ms, ` +
        `${saved('buildS3', 'buildS3SdkGet')}% without delay (kept only if ≥ 15% at +${DELAY_MS} ms)`,
      `- S3 build vs the list+GET floor: ${fmt((r.floor!.seconds / r.buildS3!.seconds) * 100)}% of floor speed (${fmt((r.floorDelayed!.seconds / r.buildS3Delayed!.seconds) * 100)}% with delay)`,
      '',
      'Outputs written back to s3rver (the notebook with one PutObject per file, logtune with streamed multipart uploads):',
      '',
      '| run | seconds | rows/s | MB/s | peak RSS MB | S3 concurrency |',
      '|---|---|---|---|---|---|',
      row('notebook approach (JS port), S3 → S3', r.notebookToS3!, rows),
      row('logtune build, S3 → S3', r.buildToS3!, rows),
      ...(quick
        ? []
        : [
            row(`notebook approach (JS port), S3 → S3, +${DELAY_MS} ms`, r.notebookToS3Delayed!, rows),
            row(`logtune build, S3 → S3, +${DELAY_MS} ms`, r.buildToS3Delayed!, rows),
          ]),
      '',
      `- S3 → S3: ${ratio('buildToS3', 'notebookToS3')}× the JS notebook port` +
        (quick ? '' : `; +${DELAY_MS} ms: ${ratio('buildToS3Delayed', 'notebookToS3Delayed')}×`),
    ];
    if (!quick) {
      for (const days of [10, 30]) {
        const shape: BenchShape = {
          ...SHAPE,
          days: Array.from({ length: days }, (_, i) => `2024-05-${String(i + 1).padStart(2, '0')}`),
        };
        const dir = join(work, `logs-${days}d`);
        log(`generating ${days} days for the memory run…`);
        const big = await writeLocal(dir, shape);
        const bigRows = days * shape.filesPerDay * shape.rowsPerFile;
        await measure(
          `local${days}d`,
          ['build', dir, outDir(`${days}d`), `2024-05-01..2024-05-${String(days).padStart(2, '0')}`],
          process.env,
        );
        lines.push(
          `- memory: ${fmt(bigRows)} rows (${fmt(big.bytes / 1e6)} MB) from a local directory: peak RSS ${r[`local${days}d`]!.maxRssMB} MB, ${fmt(bigRows / r[`local${days}d`]!.seconds)} rows/s`,
        );
        await rm(dir, { recursive: true, force: true });
        await rm(outDir(`${days}d`), { recursive: true, force: true });
      }
      lines.push('  target: peak RSS ≤ 300 MB at 2 M rows, flat as the input grows');
    }
    lines.push(...(await samplingBench({ quick })));
    lines.push(...(await baselineBench({ quick })));
    lines.push(...(await ackBench({ quick })));
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    s3?.child.kill();
    await rm(work, { recursive: true, force: true });
  }
}

// `--baseline` runs only the baseline's figures (bench/baseline.ts), `--ack` only the ack latency (bench/ack.ts),
// `--sampling [--rounds N] [--ref COMMIT]` only the capped build's sampling figures (bench/sampling.ts).
const flagValue = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
if (process.argv.includes('--baseline')) process.stdout.write(`${(await baselineBench({ quick })).join('\n')}\n`);
else if (process.argv.includes('--sampling')) {
  const rounds = flagValue('--rounds');
  const ref = flagValue('--ref');
  const lines = await samplingBench({ quick, ...(rounds && { rounds: Number(rounds) }), ...(ref && { ref }) });
  process.stdout.write(`${lines.join('\n')}\n`);
} else if (process.argv.includes('--ack')) process.stdout.write(`${(await ackBench({ quick })).join('\n')}\n`);
else await main();
