import { loadDataSettings } from '../../dataset/settings.ts';
import { loadHostingSettings } from '../../deploy/settings.ts';
import { loadTrainingSettings } from '../../training/settings.ts';
import type { CliCommand } from '../command.ts';
import { EXIT } from '../command.ts';

/** `logtune doctor`: everything the first fine-tune needs, checked with the caller's credentials; ✗ exits 1. */
export const doctorCommand: CliCommand = {
  name: 'doctor',
  usage: 'logtune doctor',
  summary:
    'check AWS access, the JumpStart spec, IAM, quotas, prices and (with SLACK_BOT_TOKEN) Slack before any spend, one line per check',
  async run(_args, io) {
    const [{ checkLine, failed }, { openDoctorContext }, { openRecipes }, { runDoctor }, slack] = await Promise.all([
      import('../../doctor/check.ts'),
      import('../../doctor/open.ts'),
      import('../../jumpstart/open.ts'),
      import('../../doctor/runDoctor.ts'),
      import('../../doctor/slackContext.ts'),
    ]);
    const training = loadTrainingSettings(io.env);
    const opened = openRecipes(training.jumpstart, undefined);
    const ctx = await openDoctorContext({
      data: loadDataSettings(io.env),
      training,
      hosting: loadHostingSettings(io.env),
      recipes: opened.recipes,
    });
    try {
      const slackSettings = slack.slackSettingsFromEnv(io.env);
      const results = await runDoctor(
        ctx,
        'status' in slackSettings ? slackSettings : slack.slackDoctorContext(slackSettings),
      );
      for (const result of results) io.stdout.write(`${checkLine(result)}\n`);
      return failed(results).length > 0 ? EXIT.failed : EXIT.ok;
    } finally {
      ctx.close();
      opened.close();
    }
  },
};
