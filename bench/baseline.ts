import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANONICAL_FIELDS, exampleLine, responseFor, toContext } from '../src/dataset/examples/example.ts';
import { DATASET_FILES } from '../src/dataset/output/folder.ts';
import { LocalStore } from '../src/objectStore/localStore.ts';
import { jobCommand } from './built.ts';
import { realBaselineBench, realSetFolders, type BaselineJobResult } from './baselineReal.ts';
import { LABEL_FIELD, syntheticRows, toCsv } from '../test/helpers/syntheticLogs.ts';

/**
 * The baseline's figures for `npm run bench`: `logtune baseline` on 200,000 synthetic training examples (20,000
 * validation), then `logtune classify --baseline` on 20,000 CSV lines and on one line (the difference is the rate
 * once running), and the model alone on the validation contexts, each in its own process, built and started as the
 * product is (bench/built.ts). The synthetic labels are easy (the baseline scores ~1.0 on them): this
 * measures speed, size and memory, not quality. Quality is measured on real attack traffic (bench/baselineReal.ts)
 * beside the standard recipe, when a prepared set is given.
 */
interface JobResult extends BaselineJobResult {
  lines: number;
  modelLoadSeconds?: number;
}

const root = new URL('..', import.meta.url).pathname;
const CONTEXT = { labelField: LABEL_FIELD, dropFields: ['x-edge-request-id'], format: 'compact' } as const;

async function writeSplit(path: string, count: number, seed: number): Promise<void> {
  const out = createWriteStream(path);
  for (let done = 0; done < count; done += 10_000) {
    const rows = syntheticRows('2024-04-01', Math.min(10_000, count - done), seed + done);
    const text = rows
      .map((r) => `${exampleLine(toContext(r, CONTEXT), JSON.stringify(responseFor(r[LABEL_FIELD]!)))}\n`)
      .join('');
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function writeDataset(folder: string, train: number, validation: number): Promise<void> {
  const store = new LocalStore(folder);
  await store.put(DATASET_FILES.template, '{}'); // creates train/
  await store.put(DATASET_FILES.validation, '');
  await writeSplit(join(folder, DATASET_FILES.train), train, 1);
  await writeSplit(join(folder, DATASET_FILES.validation), validation, 7_000_001);
  const stats = {
    datasetId: 'ds-bench-baseline',
    range: { start: '2024-04-01', end: '2024-04-01' },
    logsUri: 'synthetic',
    outUri: folder,
    settings: {
      labelField: LABEL_FIELD,
      dropFields: [...CONTEXT.dropFields],
      contextFormat: 'compact',
      maxInputLength: 1024,
      seed: 42,
      validationRatio: 0.1,
    },
    rows: { train, validation },
    labels: { benign: { scanned: 0, unique: 0, train: 0, validation: 0 } },
    tokens: { totalTokens: 0, meanTokens: 0, maxTokens: 0 },
    sourceColumns: [...CANONICAL_FIELDS, LABEL_FIELD],
    sourceFormat: 'csv',
  };
  await store.put(DATASET_FILES.stats, JSON.stringify(stats));
}

async function job(args: string[]): Promise<JobResult> {
  const command = await jobCommand('baselineJob');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command, ...args], {
      cwd: root,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as JobResult)
        : reject(new Error(`baseline job ${args[0]} exited with ${code}`)),
    );
  });
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Runs the measurements and returns the lines to print. */
export async function baselineBench(options: { quick: boolean }): Promise<string[]> {
  const real = await realBaselineBench(realSetFolders(process.argv, process.env), job);
  return [...(await syntheticBench(options)), ...real];
}

async function syntheticBench(options: { quick: boolean }): Promise<string[]> {
  const train = options.quick ? 50_000 : 200_000;
  const validation = train / 10;
  const classifyLines = 20_000;
  const work = await mkdtemp(join(tmpdir(), 'logtune-bench-baseline-'));
  try {
    process.stderr.write(`baseline: writing a dataset of ${fmt(train)} + ${fmt(validation)} examples…\n`);
    const folder = join(work, 'dataset');
    await writeDataset(folder, train, validation);
    const linesFile = join(work, 'lines.csv');
    const csv = toCsv(syntheticRows('2024-04-02', classifyLines, 99));
    const body = csv.slice(csv.indexOf('\n') + 1);
    await new LocalStore(work).put('lines.csv', body);
    await new LocalStore(work).put('one.csv', body.slice(0, body.indexOf('\n') + 1));
    process.stderr.write('running logtune baseline…\n');
    const built = await job(['baseline', folder]);
    process.stderr.write('running logtune classify --baseline…\n');
    const classified = await job(['classify', folder, linesFile]);
    // One line: what opening the dataset and loading the model cost; the difference is the rate once running.
    const oneLine = await job(['classify', folder, join(work, 'one.csv')]);
    const scored = await job(['score', folder]);
    const steady = (classified.lines - oneLine.lines) / Math.max(1e-9, classified.seconds - oneLine.seconds);
    const steadyCpu = (classified.lines - oneLine.lines) / Math.max(1e-9, classified.cpuSeconds - oneLine.cpuSeconds);
    const load = loadavg()[0]!;
    return [
      '',
      `Baseline (${fmt(train)} training + ${fmt(validation)} validation synthetic examples; ${fmt(classifyLines)} CSV lines classified; 1-minute load ${fmt(load, 1)} at the end). ` +
        "CPU seconds count every thread, V8's parallel GC included (so they can exceed the wall time); on a busy " +
        'machine they are the steadier figure:',
      '',
      '| run | seconds | CPU seconds | peak RSS MB | |',
      '|---|---|---|---|---|',
      `| logtune baseline (read, choose L2, train, score, leak and skew checks, write) | ${fmt(built.seconds, 1)} | ${fmt(built.cpuSeconds, 1)} | ${built.maxRssMB} | training alone ${fmt(built.trainingSeconds!, 1)} s; macro-F1 ${fmt(built.macroF1!, 3)} |`,
      `| logtune classify --baseline, ${fmt(classifyLines)} lines (stdin → JSON lines) | ${fmt(classified.seconds, 2)} | ${fmt(classified.cpuSeconds, 2)} | ${classified.maxRssMB} | end to end ${fmt(classified.lines / classified.seconds)} lines/s, loading the model included; ${fmt(steady)} lines/s once running (${fmt(steadyCpu)} per CPU second) |`,
      `| logtune classify --baseline, 1 line | ${fmt(oneLine.seconds, 2)} | ${fmt(oneLine.cpuSeconds, 2)} | ${oneLine.maxRssMB} | opening the dataset, loading the model (${fmt(scored.modelLoadSeconds!, 2)} s of it) |`,
      `| the model alone (featurise + score + verdict, ${fmt(scored.lines)} validation contexts, in process) | ${fmt(scored.seconds, 2)} | ${fmt(scored.cpuSeconds, 2)} | ${scored.maxRssMB} | ${fmt(scored.lines / scored.seconds)} lines/s |`,
      '',
      `- model size on disk: ${fmt(built.modelBytes! / 1e6, 2)} MB (baseline/model)`,
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
