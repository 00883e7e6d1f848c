import { UsageError } from '../../errors.ts';
import type { Feature, StatusSection } from '../../slack/feature.ts';
import { describeFeature } from '../description.ts';
import { statusMessage } from './blocks.ts';

/**
 * `/logtune status`: what every feature has going on (datasets, training jobs, endpoints), newest first, each with a
 * link to its thread. Sections come from the features themselves, so a new feature shows up here by providing one.
 */
export function createStatusFeature(features: () => readonly Feature[]): Feature {
  return {
    name: 'status',
    commands: [
      {
        name: 'status',
        args: '',
        summary: 'Datasets, training jobs and endpoints: state, cost so far, a link to each thread',
        example: '/logtune status',
        async run({ args }) {
          if (args.length > 0)
            throw new UsageError('`status` takes no arguments: it lists recent datasets, jobs and endpoints.');
          const sections: StatusSection[] = [];
          for (const feature of features()) if (feature.status) sections.push(await feature.status());
          return statusMessage(sections);
        },
      },
    ],
    actions: [],
  };
}

export const statusFeature = describeFeature({
  name: 'status',
  settings: {},
  create: ({ features }) => createStatusFeature(() => features.all()),
});
