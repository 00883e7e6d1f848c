import type { StoredDataset } from '../../dataset/stored.ts';
import { readExamples, type StoredExample } from '../../dataset/stored.ts';
import { UsageError } from '../../errors.ts';
import { loadBaselineClassifier } from '../../evaluation/baselineFiles.ts';
import { evaluateClassifier, stratifiedSample } from '../../evaluation/evaluate.ts';
import type { EvaluationReport } from '../../evaluation/report.ts';
import { formatComparison, formatReport } from '../../evaluation/table.ts';
import { openEndpointClassifier } from '../../inference/openEndpointClassifier.ts';
import type { ContextClassifier } from '../../inference/types.ts';
import { EXIT, type CliCommand, type CliIo } from '../command.ts';
import { openDatasetArg, parseCommandArgs, wholeNumberFlag } from './evalOptions.ts';

const USAGE = 'logtune evaluate <dataset> --endpoint NAME [--max-examples N] [--seed N]';
export const DEFAULT_EVALUATION_EXAMPLES = 200;

/** Opens a deployed model for a dataset's labels (a seam: tests pass a fake). */
export type EndpointOpener = (endpointName: string, dataset: StoredDataset, io: CliIo) => Promise<ContextClassifier>;

/** The fine-tuned endpoint, with the inference settings from the environment and the AWS SDK's own settings. */
export const openDeployedEndpoint: EndpointOpener = (endpointName, dataset, io) => Promise.resolve(openEndpointClassifier({ endpointName, dataset, env: io.env }));

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
      const { values, positionals } = parseCommandArgs(args, { endpoint: { type: 'string' }, 'max-examples': { type: 'string' }, seed: { type: 'string' } }, USAGE);
      if (values.endpoint === undefined) throw new UsageError(`--endpoint NAME is required. Usage: ${USAGE}`);
      const maxExamples = wholeNumberFlag('max-examples', values['max-examples'], 1, USAGE) ?? DEFAULT_EVALUATION_EXAMPLES;
      const dataset = await openDatasetArg(positionals, io, USAGE);
      const seed = wholeNumberFlag('seed', values.seed, 0, USAGE) ?? dataset.stats.settings.seed;
      const classifier = await openEndpoint(values.endpoint, dataset, io);
      const validation: StoredExample[] = [];
      for await (const e of readExamples(dataset, 'validation')) validation.push(e);
      const sample = stratifiedSample(validation, maxExamples, seed);
      const target = { dataset: { id: dataset.stats.datasetId, uri: dataset.uri }, sample: { of: validation.length, seed }, signal: io.signal };
      io.stderr.write(`Evaluating ${classifier.name} on ${sample.length} of ${validation.length} validation examples…\n`);
      const report = await evaluateClassifier(classifier, sample, target);
      const baseline = await baselineOnSame(dataset, sample, target, io);
      io.stderr.write(`\n${formatReport(report)}\n\n${formatComparison(baseline === undefined ? [report] : [report, baseline])}\n`);
      if (baseline === undefined) io.stderr.write(`(no baseline to compare with: run logtune baseline ${dataset.stats.datasetId})\n`);
      io.stdout.write(`${JSON.stringify({ report, ...(baseline !== undefined ? { baseline } : {}) })}\n`);
      return EXIT.ok;
    },
  };
}

/** The baseline scored on exactly the sampled examples, so the two columns compare like with like. */
async function baselineOnSame(dataset: StoredDataset, sample: readonly StoredExample[], target: Parameters<typeof evaluateClassifier>[2], io: CliIo): Promise<EvaluationReport | undefined> {
  let baseline;
  try {
    baseline = await loadBaselineClassifier(dataset, io.signal);
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
  return evaluateClassifier(baseline, sample, target);
}

export const evaluateCommand = createEvaluateCommand(openDeployedEndpoint);
