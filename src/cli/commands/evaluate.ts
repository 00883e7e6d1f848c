import type { StoredDataset } from '../../dataset/output/stored.ts';
import { UsageError } from '../../errors.ts';
import { compareOnValidation, DEFAULT_EVALUATION_EXAMPLES } from '../../evaluation/compare.ts';
import { formatComparison, formatReport } from '../../evaluation/table.ts';
import { openEndpointClassifier } from '../../inference/openEndpointClassifier.ts';
import type { ContextClassifier } from '../../inference/types.ts';
import { EXIT, type CliCommand, type CliIo } from '../command.ts';
import { openDatasetArg, parseCommandArgs, wholeNumberFlag } from './evalOptions.ts';
import { countFailures } from './failureCount.ts';

const USAGE = 'logtune evaluate <dataset> --endpoint NAME [--max-examples N] [--seed N] [--max-failures SHARE]';

/** The share of examples the model may fail on (errors, not wrong answers) before the evaluation counts as failed. */
export const DEFAULT_MAX_FAILURES = 0.05;

const DETAILS = `  --endpoint NAME        the deployed endpoint (logtune deploy) to score
  --max-examples N       a stratified sample of at most N validation examples (default ${DEFAULT_EVALUATION_EXAMPLES})
  --seed N               which sample (default: the dataset's seed)
  --max-failures SHARE   fail (exit 1) when the model errs on more than this share of examples (default ${DEFAULT_MAX_FAILURES});
                         a model that cannot be reached at all always fails, with its first error
The report goes to stderr, {report, baseline} as one JSON line to stdout.`;

function shareFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const share = Number(value);
  if (value.trim() === '' || !(share >= 0 && share <= 1))
    throw new UsageError(`--max-failures expects a share from 0 to 1, e.g. 0.05; got "${value}". Usage: ${USAGE}`);
  return share;
}

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
    details: DETAILS,
    async run(args, io) {
      const { values, positionals } = parseCommandArgs(
        args,
        {
          endpoint: { type: 'string' },
          'max-examples': { type: 'string' },
          seed: { type: 'string' },
          'max-failures': { type: 'string' },
        },
        USAGE,
      );
      if (values.endpoint === undefined) throw new UsageError(`--endpoint NAME is required. Usage: ${USAGE}`);
      const maxExamples =
        wholeNumberFlag('max-examples', values['max-examples'], 1, USAGE) ?? DEFAULT_EVALUATION_EXAMPLES;
      const dataset = await openDatasetArg(positionals, io, USAGE);
      const seed = wholeNumberFlag('seed', values.seed, 0, USAGE) ?? dataset.stats.settings.seed;
      const maxFailures = shareFlag(values['max-failures']) ?? DEFAULT_MAX_FAILURES;
      const classifier = countFailures(await openEndpoint(values.endpoint, dataset, io));
      const { report, baseline } = await compareOnValidation(classifier, dataset, {
        maxExamples,
        seed,
        signal: io.signal,
        onStart: (sampled, of) =>
          io.stderr.write(`Evaluating ${classifier.name} on ${sampled} of ${of} validation examples…\n`),
      });
      const { count, of, first } = classifier.failures;
      const failed = `${classifier.name} failed on ${count} of ${of} examples; the first error: ${first}`;
      if (count > 0 && count === of) {
        io.stderr.write(`logtune: ${failed} (nothing was scored)\n`);
        return EXIT.failed;
      }
      io.stderr.write(
        `\n${formatReport(report)}\n\n${formatComparison(baseline === undefined ? [report] : [report, baseline])}\n`,
      );
      if (baseline === undefined)
        io.stderr.write(`(no baseline to compare with: run logtune baseline ${dataset.stats.datasetId})\n`);
      io.stdout.write(`${JSON.stringify({ report, ...(baseline !== undefined ? { baseline } : {}) })}\n`);
      if (count > maxFailures * of) {
        const allowed = `more than the ${(maxFailures * 100).toFixed(0)}% --max-failures allows`;
        io.stderr.write(`logtune: ${failed} (${allowed}): the scores above describe the answers it gave\n`);
        return EXIT.failed;
      }
      return EXIT.ok;
    },
  };
}

export const evaluateCommand = createEvaluateCommand(openDeployedEndpoint);
