import { UsageError } from '../../errors.ts';
import type { Feature } from '../../slack/feature.ts';
import { ChannelMembership } from '../../slack/membership.ts';
import type { Policy } from '../../slack/policy.ts';
import type { SlackApi } from '../../slack/slackApi.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Log } from '../../log.ts';
import { describeFeature } from '../description.ts';
import { statusMessage, type ShownSection } from './blocks.ts';
import { canSee, type StatusViewer } from './visibility.ts';

export interface StatusFeatureDeps {
  readonly features: () => readonly Feature[];
  readonly slack: Pick<SlackApi, 'userChannels'>;
  readonly policy: Pick<Policy, 'isApprover'>;
  readonly clock: Pick<Clock, 'now'>;
  readonly log: Log;
  /** The slash command this app answers (LOGTUNE_COMMAND). */
  readonly command: string;
}

/**
 * `/logtune status`: what every feature has going on (datasets, training jobs, endpoints), newest first, each with a
 * link to its thread. Sections come from the features themselves, so a new feature shows up here by providing one.
 * Each reader sees only the items of conversations they can see (visibility.ts), and how many others there are.
 */
export function createStatusFeature(deps: StatusFeatureDeps): Feature {
  const membership = new ChannelMembership(deps.slack, deps.clock);
  return {
    name: 'status',
    commands: [
      {
        name: 'status',
        args: '',
        summary: 'Datasets, training jobs and endpoints of your channels: state, cost so far, a link to each thread',
        example: `${deps.command} status`,
        async run({ args, userId }) {
          if (args.length > 0)
            throw new UsageError('`status` takes no arguments: it lists recent datasets, jobs and endpoints.');
          const member = await membership.of(userId);
          if (!member.ok)
            deps.log.warn('channel membership unknown: status shows own requests only', {
              userId,
              reason: member.reason,
            });
          const viewer: StatusViewer = { userId, approver: deps.policy.isApprover(userId), membership: member };
          const sections: ShownSection[] = [];
          for (const feature of deps.features()) {
            if (!feature.status) continue;
            const section = await feature.status();
            const lines = section.lines.filter((line) => canSee(viewer, line));
            sections.push({ ...section, lines, hidden: section.lines.length - lines.length });
          }
          return statusMessage(
            sections,
            member.ok ? { kind: 'membership' } : { kind: 'unknown', reason: member.reason },
          );
        },
      },
    ],
    actions: [],
  };
}

export const statusFeature = describeFeature({
  name: 'status',
  settings: {},
  create: ({ features, slack, policy, clock, log, command }) =>
    createStatusFeature({ features: () => features.all(), slack, policy, clock, log, command }),
});
