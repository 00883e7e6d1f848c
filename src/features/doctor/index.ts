import { dataSettings } from '../../dataset/settings.ts';
import { hostingSettings } from '../../deploy/settings.ts';
import type { DoctorAws } from '../../doctor/context.ts';
import { doctorContext, type DoctorSettings } from '../../doctor/open.ts';
import { Preflight } from '../../doctor/preflight.ts';
import { runDoctor } from '../../doctor/runDoctor.ts';
import { slackDoctorContext } from '../../doctor/slackContext.ts';
import { UsageError } from '../../errors.ts';
import type { JumpStartRecipes } from '../../jumpstart/recipes.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Feature } from '../../slack/feature.ts';
import { botSettings } from '../../slack/settings.ts';
import { trainingSettings } from '../../training/settings.ts';
import { describeFeature } from '../description.ts';
import type { TrainingFeature } from '../training/index.ts';
import { triageFeature } from '../triage/index.ts';
import { doctorMessage } from './messages.ts';

export { preflightRefusal } from './messages.ts';

type Recipes = Pick<JumpStartRecipes, 'recipe'>;

/** The checks `train` and `deploy` run before posting an approval, over the bot's AWS clients. */
export function openPreflight(
  aws: DoctorAws,
  settings: DoctorSettings,
  recipes: () => Recipes,
  clock: Clock,
): Preflight {
  const now = () => new Date(clock.now());
  return new Preflight({ context: () => doctorContext(aws, settings, recipes(), now), clock });
}

/**
 * `/logtune doctor`: the CLI's checks (AWS, the JumpStart spec, IAM, quotas, prices) and the Slack ones (scopes,
 * channel membership, approvers), with the bot's own credentials, answered only to the person who asked. The router
 * runs it after the ack, so checks that take seconds never hold Slack's 3 s.
 */
export const doctorFeature = describeFeature({
  name: 'doctor',
  settings: {
    bot: botSettings,
    // The channels the bot must be in are triage's setting, read as triage declares it.
    triage: triageFeature.settings.triage,
    data: dataSettings,
    training: trainingSettings,
    hosting: hostingSettings,
  },
  create: ({ settings, aws, clock, features }): Feature => {
    const slack = slackDoctorContext({
      botToken: settings.bot.botToken,
      slackApiUrl: settings.bot.slackApiUrl,
      triageChannels: settings.triage.channels,
      approvalsChannel: settings.bot.approvalsChannel,
      approvers: settings.bot.approvers,
    });
    return {
      name: 'doctor',
      commands: [
        {
          name: 'doctor',
          args: '',
          summary:
            'Check AWS, the JumpStart spec, IAM, quotas and Slack before any spend: one ✓/✗ line each, with the fix, only to you',
          example: '/logtune doctor',
          async run({ args }) {
            if (args.length > 0) throw new UsageError('`doctor` takes no arguments');
            const recipes = features.get<TrainingFeature>('training').recipes;
            const ctx = await doctorContext(aws.doctor, settings, recipes, () => new Date(clock.now()));
            return doctorMessage(await runDoctor(ctx, slack));
          },
        },
      ],
      actions: [],
    };
  },
});
