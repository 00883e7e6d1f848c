import { publicReason } from '../../slack/blocks/publicReason.ts';
import { dataSettings, type DataSettings } from '../../dataset/settings.ts';
import { hostingSettings } from '../../deploy/settings.ts';
import { inferenceSettings } from '../../inference/settings.ts';
import { endpointDatasetFromTags, endpointOpener } from '../aws.ts';
import type { DeployFeature } from '../deploy/index.ts';
import { describeFeature } from '../description.ts';
import { openStoredDataset, type StoredDataset } from '../../dataset/output/stored.ts';
import { UsageError } from '../../errors.ts';
import { compareOnValidation } from '../../evaluation/compare.ts';
import type { ContextClassifier } from '../../inference/types.ts';
import type { Log } from '../../log.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { inlineCode } from '../../slack/blocks/text.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import { onlyArgument, type Feature } from '../../slack/feature.ts';
import type { Messenger } from '../../slack/messenger.ts';
import type { DeployedEndpoints } from '../triage/index.ts';
import { comparisonMessage } from './blocks.ts';

// What the evaluation offers other features: the free baseline scored after each dataset build, and how it reads.
export { baselineAfterBuild, type BaselineOutcome, type BaselineScorer } from './baselineAfterBuild.ts';
export { baselineBlocks, baselineProblemBlock } from './blocks.ts';

export interface EvaluationFeatureDeps {
  readonly data: DataSettings;
  readonly endpoints: DeployedEndpoints | undefined;
  /** The dataset behind an endpoint logtune did not record locally (its tags). */
  readonly endpointDataset: (endpointName: string) => Promise<string | undefined>;
  readonly openEndpoint: (endpointName: string, dataset: StoredDataset) => ContextClassifier;
  readonly messenger: Messenger;
  readonly log: Log;
  readonly now: () => Date;
  /** The slash command this app answers (LOGTUNE_COMMAND). */
  readonly command: string;
}

export interface EvaluationFeature extends Feature {
  /** The report for an endpoint that just came into service (posted in its deploy thread by the deploy feature). */
  evaluateEndpoint(endpointName: string, datasetId: string): Promise<MessageContent>;
}

/** `/logtune evaluate <endpoint>`: a stratified validation sample through the endpoint, beside the free baseline. */
export function createEvaluationFeature(deps: EvaluationFeatureDeps): EvaluationFeature {
  const log = deps.log.child({ feature: 'evaluation' });
  const running = new Set<Promise<unknown>>();
  const evaluateEndpoint = async (endpointName: string, datasetId: string): Promise<MessageContent> => {
    const dataset = await openStoredDataset(datasetId, deps.data.artifactsUri, {
      s3ForcePathStyle: deps.data.s3ForcePathStyle,
    });
    const comparison = await compareOnValidation(deps.openEndpoint(endpointName, dataset), dataset);
    log.info('endpoint evaluated', {
      endpointName,
      datasetId,
      macroF1: comparison.report.macroF1,
      baselineMacroF1: comparison.baseline?.macroF1,
    });
    return comparisonMessage(endpointName, comparison);
  };
  return {
    name: 'evaluation',
    evaluateEndpoint,
    commands: [
      {
        name: 'evaluate',
        args: '<endpoint>',
        summary:
          'Score a deployed endpoint on a sample of its validation split, beside the free baseline; the report is posted here',
        example: '/logtune evaluate logtune-dr-20240601t120000-ab12',
        async run({ args, channelId, userId }) {
          const endpointName = onlyArgument(
            args,
            `the endpoint to evaluate, e.g. \`${deps.command} evaluate logtune-dr-…\``,
          );
          const datasetId = deps.endpoints?.datasetOf(endpointName) ?? (await deps.endpointDataset(endpointName));
          if (datasetId === undefined)
            throw new UsageError(
              `no endpoint ${endpointName} that logtune deployed (it needs to know the dataset the model learnt)`,
            );
          const key = `evaluation:${endpointName}:${deps.now().getTime()}`;
          // Minutes of calls: the report is posted for the channel when it is ready; the asker is told now.
          const task = evaluateEndpoint(endpointName, datasetId).then(
            (report) => deps.messenger.post(key, { channel: channelId }, report),
            (error: unknown) => {
              log.warn('evaluation failed', { endpointName, userId, error });
              return deps.messenger.post(
                key,
                { channel: channelId },
                plainMessage(
                  `:x: Evaluating ${inlineCode(endpointName)} failed: ${inlineCode(publicReason((error as Error).message))}`,
                ),
              );
            },
          );
          running.add(task);
          void task.finally(() => running.delete(task));
          return plainMessage(
            `:bar_chart: Evaluating ${inlineCode(endpointName)} on a sample of the validation split of ${inlineCode(datasetId)}; the report will be posted in this channel.`,
          );
        },
      },
    ],
    actions: [],
    async stop(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    },
  };
}

export const evaluationFeature = describeFeature({
  name: 'evaluation',
  settings: { data: dataSettings, inference: inferenceSettings, hosting: hostingSettings },
  create: ({ settings, features, aws, messenger, log, clock, command }) =>
    createEvaluationFeature({
      data: settings.data,
      endpoints: features.find<DeployFeature>('deploy')?.endpoints,
      endpointDataset: endpointDatasetFromTags(aws.sagemaker),
      openEndpoint: endpointOpener(aws, settings, log),
      messenger,
      log,
      now: () => new Date(clock.now()),
      command,
    }),
});
