import type { StoredDataset } from '../../dataset/output/stored.ts';
import { UsageError } from '../../errors.ts';
import { compareOnValidation, DEFAULT_EVALUATION_EXAMPLES } from '../../evaluation/compare.ts';
import { formatComparison, formatReport } from '../../evaluation/table.ts';
import { openEndpointClassifier } from '../../inference/openEndpointClassifier.ts';
import type { ContextClassifier } from '../../inference/types.ts';
import { EXIT, type CliCommand, type CliIo } from '../command.ts';
import { openDatasetArg, parseCommandArgs, wholeNumberFlag } from './evalOptions.ts';

const USAGE = 'logtune evaluate <dataset> --endpoint NAME [--max-examples N] [--seed N]';

/** Opens a deployed model for a dataset's labels (a seam: tests pass a fake). */
export type EndpointOpener = (endpointName: string, dataset: StoredDataset, io: CliIo) => Promise<ContextClassifier>;

/** The fine-tuned endpoint, with the inference settings from the environment and the AWS SDK's own settings. */
export const openDeployedEndpoint: EndpointOpener = (endpointName, dataset, io) =>
  Promise.resolve(openEndpointClassifier({ endpointName, dataset, env: io.env }));

/**
 * `logtune evaluate`: a stratified sample of the validation split through a deployed model, and through the
 * dataset's baseline on the very same examples, side by side. Reports on stderr; `{report, baseline}` on stdout.
 */
export function createEvaluateCommand(openEndpoint: EndpointOpener): CliCommand {
  return {
    name: 'evaluate',
    usage: USAGE,
    summary: 'score a deployed endpoint on a stratified sample of the validation split, beside the baseline',
    async run(args, io) {
      const { values, positionals } = parseCommandArgs(
        args,
        { endpoint: { type: 'string' }, 'max-examples': { type: 'string' }, seed: { type: 'string' } },
        USAGE,
      );
      if (values.endpoint === undefined) throw new UsageError(`--endpoint NAME is required. Usage: ${USAGE}`);
      const maxExamples =
        wholeNumberFlag('max-examples', values['max-examples'], 1, USAGE) ?? DEFAULT_EVALUATION_EXAMPLES;
      const dataset = await openDatasetArg(positionals, io, USAGE);
      const seed = wholeNumberFlag('seed', values.seed, 0, USAGE) ?? dataset.stats.settings.seed;
      const classifier = await openEndpoint(values.endpoint, dataset, io);
      const { report, baseline } = await compareOnValidation(classifier, dataset, {
        maxExamples,
        seed,
        signal: io.signal,
        onStart: (sampled, of) =>
          io.stderr.write(`Evaluating ${classifier.name} on ${sampled} of ${of} validation examples…\n`),
      });
      io.stderr.write(
        `\n${formatReport(report)}\n\n${formatComparison(baseline === undefined ? [report] : [report, baseline])}\n`,
      );
      if (baseline === undefined)
        io.stderr.write(`(no baseline to compare with: run logtune baseline ${dataset.stats.datasetId})\n`);
      io.stdout.write(`${JSON.stringify({ report, ...(baseline !== undefined ? { baseline } : {}) })}\n`);
      return EXIT.ok;
    },
  };
}

export const evaluateCommand = createEvaluateCommand(openDeployedEndpoint);
