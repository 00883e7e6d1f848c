import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../src/cli/main.ts';
import { trainedLabel } from '../src/dataset/examples/answer.ts';
import { scoreAnswers } from '../src/evaluation/metrics.ts';
import { trainReference } from './baselineReference.ts';

/**
 * The baseline beside the standard recipe (bench/baselineReference.ts) on real, labelled attack traffic put into
 * CloudFront rows by scripts/prepare-attack-sets.ts (docs/baseline.md: where to get each set). Each set is built into
 * a dataset by `logtune dataset` (so the near-copy split is the product's), then both models train on its train/ and
 * are scored on its validation/. The sets are never in the repository: they are named by `--real <dir>` (repeatable)
 * or LOGTUNE_BENCH_REAL_SETS (comma-separated folders, each holding the prepared logs/).
 */
export interface BaselineJobResult {
  seconds: number;
  /** CPU seconds of every thread of the job (GC included): far steadier than wall time on a shared machine. */
  cpuSeconds: number;
  maxRssMB: number;
  trainingSeconds?: number;
  modelBytes?: number;
  macroF1?: number;
  perLabel?: { label: string; f1: number; support: number }[];
  nearCopies?: { validationWithNearCopyInTrain: number; validation: number };
}

export function realSetFolders(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const fromFlags = argv.flatMap((arg, i) => (arg === '--real' && argv[i + 1] !== undefined ? [argv[i + 1]!] : []));
  const fromEnv = (env.LOGTUNE_BENCH_REAL_SETS ?? '').split(',').filter((s) => s.trim() !== '');
  return [...fromFlags, ...fromEnv.map((s) => s.trim())];
}

const silent = () => new Writable({ write: (_c, _e, done) => done() });

async function buildDataset(setFolder: string, out: string): Promise<void> {
  const env = {
    ...process.env,
    LOGTUNE_LOGS_URI: join(setFolder, 'logs'),
    LOGTUNE_LOGS_LAYOUT: '{yyyy}/{MM}/{dd}/',
    LOGTUNE_LABEL_FIELD: 'label',
    LOGTUNE_DROP_FIELDS: 'x-edge-request-id',
    LOGTUNE_ARTIFACTS_URI: join(out, 'artifacts'),
  };
  const args = ['dataset', '2024-04-01..2024-04-07', '--max-examples', 'all', '--out', join(out, 'dataset')];
  const code = await main(args, { stdout: silent(), stderr: silent(), env });
  if (code !== 0) throw new Error(`logtune dataset on ${setFolder} exited with ${code}`);
}

interface Example {
  readonly context: string;
  readonly label: string;
}

async function readSplit(path: string): Promise<Example[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const line = JSON.parse(l) as { context: string; response: string };
      return { context: line.context, label: trainedLabel(line.response) ?? '' };
    });
}

const f3 = (x: number) => x.toFixed(3);

/** One set: build, the baseline in its own process (`runJob`), the reference here; the lines to print. */
async function oneSet(setFolder: string, runJob: (args: string[]) => Promise<BaselineJobResult>): Promise<string[]> {
  const work = await mkdtemp(join(tmpdir(), 'logtune-bench-real-'));
  try {
    process.stderr.write(`baseline (real): building a dataset from ${setFolder}…\n`);
    await buildDataset(setFolder, work);
    const folder = join(work, 'dataset');
    const stats = JSON.parse(await readFile(join(folder, 'stats.json'), 'utf8')) as {
      rows: { train: number; validation: number; groups: number; groupedExamples: number; unique: number };
    };
    process.stderr.write('running logtune baseline…\n');
    const ours = await runJob(['baseline', folder]);
    process.stderr.write('running the reference (char_wb 1–4 TF-IDF + class-weighted logistic regression)…\n');
    const train = await readSplit(join(folder, 'train', 'train.jsonl'));
    const validation = await readSplit(join(folder, 'validation', 'validation.jsonl'));
    const labels = [...new Set(train.map((e) => e.label))].sort();
    const started = performance.now();
    const reference = trainReference(
      train.map((e) => e.context),
      train.map((e) => labels.indexOf(e.label)),
      { classes: labels.length },
    );
    const referenceSeconds = (performance.now() - started) / 1000;
    const scores = scoreAnswers(
      labels,
      validation.map((e) => e.label),
      validation.map((e) => labels[reference.predict(e.context)]),
    );
    const oursF1 = new Map((ours.perLabel ?? []).map((s) => [s.label, s.f1]));
    const rows = scores.perLabel.map((s) => {
      const mine = oursF1.get(s.label) ?? 0;
      const ok = mine >= s.f1 - 0.05 ? 'ok' : 'BELOW';
      return `| ${s.label} | ${s.support} | ${f3(s.f1)} | ${f3(mine)} | ${(mine - s.f1 >= 0 ? '+' : '') + f3(mine - s.f1)} | ${ok} |`;
    });
    const macroOk = (ours.macroF1 ?? 0) >= scores.macroF1 - 0.01 ? 'ok' : 'BELOW';
    const { rows: r } = stats;
    return [
      '',
      `Real set ${basename(setFolder)}: ${r.train} train + ${r.validation} validation examples; ${r.groups} near-copy groups, ` +
        `${r.groupedExamples} examples share their group (kept on one side); validation examples with a near-copy in train: ` +
        `${ours.nearCopies?.validationWithNearCopyInTrain ?? '?'}`,
      '',
      '| label | validation support | reference F1 | logtune F1 | difference | target (≥ ref − 0.05) |',
      '|---|---:|---:|---:|---:|---|',
      ...rows,
      `| **macro-F1** | ${r.validation} | ${f3(scores.macroF1)} | ${f3(ours.macroF1 ?? 0)} | ${(ours.macroF1! - scores.macroF1 >= 0 ? '+' : '') + f3(ours.macroF1! - scores.macroF1)} | ${macroOk} (≥ ref − 0.01) |`,
      '',
      `- training: logtune ${ours.trainingSeconds?.toFixed(1)} s (whole \`logtune baseline\` ${ours.seconds.toFixed(1)} s, peak RSS ${ours.maxRssMB} MB, model ${((ours.modelBytes ?? 0) / 1e6).toFixed(2)} MB); reference ${referenceSeconds.toFixed(1)} s`,
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function realBaselineBench(
  folders: readonly string[],
  runJob: (args: string[]) => Promise<BaselineJobResult>,
): Promise<string[]> {
  if (folders.length === 0) {
    return [
      '',
      'Real attack traffic: NOT MEASURED — no set given. Prepare one (docs/baseline.md) and pass `--real <dir>` or LOGTUNE_BENCH_REAL_SETS.',
    ];
  }
  const lines: string[] = [];
  for (const folder of folders) {
    if (!existsSync(join(folder, 'logs'))) {
      lines.push(
        '',
        `Real set ${folder}: NOT MEASURED — ${join(folder, 'logs')} does not exist (see docs/baseline.md).`,
      );
      continue;
    }
    lines.push(...(await oneSet(folder, runJob)));
  }
  return lines;
}
