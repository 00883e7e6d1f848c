import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from '../src/cli/main.ts';
import { openStoredDataset, readExamples } from '../src/dataset/output/stored.ts';
import { loadBaselineClassifier } from '../src/evaluation/baselineFiles.ts';
import { peakRssMB } from './jobResult.ts';

/**
 * One baseline measurement in its own process (bench/baseline.ts starts it), so peak RSS is its own:
 * `baseline <dataset folder>` or `classify <dataset folder> <file of log lines>`, through the real CLI commands, or
 * `score <dataset folder>`: the stored model alone (featurise + score + verdict) on the validation contexts, no
 * line reading, no output. Prints one JSON line.
 */
const [mode, folder, input] = process.argv.slice(2);

async function scoreOnly(): Promise<{ lines: number; seconds: number; cpuSeconds: number; modelLoadSeconds: number }> {
  const dataset = await openStoredDataset(folder!, undefined);
  const contexts: string[] = [];
  for await (const e of readExamples(dataset, 'validation')) contexts.push(e.context);
  const loading = performance.now();
  const classifier = await loadBaselineClassifier(dataset);
  const modelLoadSeconds = (performance.now() - loading) / 1000;
  // A warm-up pass: the figure is the steady rate a long-running bot sees.
  for (const c of contexts.slice(0, 1000)) classifier.classifyOne(c);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (const c of contexts) classifier.classifyOne(c);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    lines: contexts.length,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    modelLoadSeconds,
  };
}

if (mode === 'score') {
  const result = await scoreOnly();
  process.stdout.write(`${JSON.stringify({ ...result, maxRssMB: peakRssMB() })}\n`);
} else {
  let lines = 0;
  let text = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const s = chunk.toString();
      for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) lines++;
      if (mode === 'baseline') text += s;
      done();
    },
  });
  const stderr = new Writable({ write: (_chunk, _encoding, done) => done() });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const argv = mode === 'classify' ? ['classify', '--baseline', folder!] : ['baseline', folder!];
  const stdin = mode === 'classify' ? createReadStream(input!) : undefined;
  const code = await main(argv, { stdout, stderr, env: process.env, ...(stdin ? { stdin } : {}) });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (code !== 0) throw new Error(`${argv.join(' ')} exited with ${code}`);
  const evaluation =
    mode === 'baseline'
      ? (JSON.parse(text) as {
          training: { seconds: number; modelBytes: number };
          report: { macroF1: number; perLabel: { label: string; f1: number; support: number }[] };
          nearCopies?: { validationWithNearCopyInTrain: number };
        })
      : undefined;
  process.stdout.write(
    `${JSON.stringify({ seconds, cpuSeconds, lines, maxRssMB: peakRssMB(), trainingSeconds: evaluation?.training.seconds, modelBytes: evaluation?.training.modelBytes, macroF1: evaluation?.report.macroF1, perLabel: evaluation?.report.perLabel, nearCopies: evaluation?.nearCopies })}\n`,
  );
}
