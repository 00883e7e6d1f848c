import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from '../src/cli/main.ts';

/**
 * One baseline measurement in its own process (bench/baseline.ts starts it), so peak RSS is its own:
 * `baseline <dataset folder>` or `classify <dataset folder> <file of log lines>`, through the real CLI commands.
 * Prints one JSON line.
 */
const [mode, folder, input] = process.argv.slice(2);
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
const argv = mode === 'classify' ? ['classify', '--baseline', folder!] : ['baseline', folder!];
const stdin = mode === 'classify' ? createReadStream(input!) : undefined;
const code = await main(argv, { stdout, stderr, env: process.env, ...(stdin ? { stdin } : {}) });
const seconds = (performance.now() - started) / 1000;
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
  `${JSON.stringify({ seconds, lines, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), trainingSeconds: evaluation?.training.seconds, modelBytes: evaluation?.training.modelBytes, macroF1: evaluation?.report.macroF1, perLabel: evaluation?.report.perLabel, nearCopies: evaluation?.nearCopies })}\n`,
);
