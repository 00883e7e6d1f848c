import { UsageError } from '../../errors.ts';
import type { Feature } from '../../slack/feature.ts';
import { noModelReply } from './blocks/reply.ts';
import { Triage, type TriageDeps } from './triage.ts';

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
          if (answer.kind === 'no_model') return noModelReply();
          return triage.reply(answer);
        },
      },
    ],
    actions: [],
    onMessage: (message, mentioned) => triage.onMessage(message, mentioned),
  };
}
