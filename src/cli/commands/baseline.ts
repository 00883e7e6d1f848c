import { runBaseline } from '../../evaluation/baseline.ts';
import { BASELINE_FILES, writeBaseline } from '../../evaluation/baselineFiles.ts';
import { formatBaselineEvaluation } from '../../evaluation/table.ts';
import { joinUri } from '../../objectStore/uri.ts';
import { EXIT, type CliCommand } from '../command.ts';
import { openDatasetArg, parseCommandArgs, wholeNumberFlag } from './evalOptions.ts';

const USAGE = 'logtune baseline <dataset> [--seed N]';

/** `logtune baseline <dataset>`: trains and scores the free baseline; the report on stderr, eval.json on stdout. */
export const baselineCommand: CliCommand = {
  name: 'baseline',
  usage: USAGE,
  summary:
    'train the free baseline classifier on a dataset, score it on the validation split, check for leaks and skew',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { seed: { type: 'string' } }, USAGE);
    const seed = wholeNumberFlag('seed', values.seed, 0, USAGE);
    const dataset = await openDatasetArg(positionals, io, USAGE);
    const run = await runBaseline(dataset, {
      seed,
      signal: io.signal,
      onProgress: (message) => io.stderr.write(`${message}\n`),
    });
    await writeBaseline(dataset, run, io.signal);
    io.stderr.write(
      `\n${formatBaselineEvaluation(run.evaluation)}\n\nWrote ${joinUri(dataset.uri, BASELINE_FILES.model)} and ${BASELINE_FILES.evaluation}\n`,
    );
    io.stdout.write(`${JSON.stringify(run.evaluation)}\n`);
    return EXIT.ok;
  },
};
