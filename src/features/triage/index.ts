import { dataSettings } from '../../dataset/settings.ts';
import { hostingSettings } from '../../deploy/settings.ts';
import { UsageError } from '../../errors.ts';
import { inferenceSettings } from '../../inference/settings.ts';
import { endpointDatasetFromTags, endpointOpener } from '../aws.ts';
import type { DatasetFeature } from '../dataset/index.ts';
import type { DeployFeature } from '../deploy/index.ts';
import { describeFeature } from '../description.ts';
import { TriageModels } from './models.ts';
import { triageSettings } from './settings.ts';
import type { Feature } from '../../slack/feature.ts';
import { noModelReply } from './blocks/reply.ts';
import { Triage, type TriageDeps } from './triage.ts';

/** What triage needs of deployed endpoints; the deploy feature provides it. */
export type { CurrentEndpoint, DeployedEndpoints } from './endpoints.ts';

export type TriageFeatureDeps = TriageDeps;

/** Pasted log lines classified: in triage channels, direct messages and mentions, and `/logtune classify <line>`. */
export function createTriageFeature(deps: TriageFeatureDeps): Feature {
  const triage = new Triage({ ...deps, log: deps.log.child({ feature: 'triage' }) });
  return {
    name: 'triage',
    commands: [
      {
        name: 'classify',
        args: '<log line>',
        summary: "Classify a log line (CloudFront W3C, CSV in the logs' column order, or JSON), answered only to you",
        example:
          '/logtune classify {"date":"2024-05-01","time":"12:00:00","c-ip":"203.0.113.9","cs-method":"GET","cs-uri-stem":"/wp-admin","sc-status":"404"}',
        async run({ rest }) {
          if (rest.trim() === '') throw new UsageError('give the log line to classify after `classify`');
          const answer = await triage.classify(rest);
          if (answer.kind === 'none')
            throw new UsageError(
              "that is not a log line I can read (CloudFront W3C, a CSV row in the logs' column order, or a JSON object)",
            );
          if (answer.kind === 'no_model') return noModelReply(deps.command);
          return triage.reply(answer);
        },
      },
    ],
    actions: [],
    onMessage: (message, mentioned) => triage.onMessage(message, mentioned),
  };
}

export const triageFeature = describeFeature({
  name: 'triage',
  settings: { triage: triageSettings, data: dataSettings, inference: inferenceSettings, hosting: hostingSettings },
  create({ settings, features, aws, messenger, slack, identity, log, clock, command }) {
    const endpoints = features.find<DeployFeature>('deploy')?.endpoints;
    const endpointDataset = endpointDatasetFromTags(aws.sagemaker);
    const models = new TriageModels({
      settings: settings.triage,
      data: settings.data,
      builds: features.get<DatasetFeature>('dataset').builds,
      endpoints,
      openEndpoint: endpointOpener(aws, settings, log),
      endpointDataset,
      log,
      now: () => clock.now(),
    });
    return createTriageFeature({
      models,
      settings: settings.triage,
      maxLines: settings.inference.maxLines,
      messenger,
      slack,
      endpoints,
      botUserId: identity.botUserId,
      log,
      now: () => new Date(clock.now()),
      command,
    });
  },
});
