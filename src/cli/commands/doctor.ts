import { loadDataSettings } from '../../dataset/settings.ts';
import { loadHostingSettings } from '../../deploy/settings.ts';
import { loadTrainingSettings } from '../../training/settings.ts';
import type { CliCommand } from '../command.ts';
import { EXIT } from '../command.ts';

/** `logtune doctor`: everything the first fine-tune needs, checked with the caller's credentials; ✗ exits 1. */
export const doctorCommand: CliCommand = {
  name: 'doctor',
  usage: 'logtune doctor',
  summary: 'check AWS access, the JumpStart spec, quotas and prices before any spend (one line per check)',
  async run(_args, io) {
    const [{ AWS_CHECKS }, { checkLine, failed, runChecks }, { openDoctorContext }, { openRecipes }] =
      await Promise.all([
        import('../../doctor/awsChecks.ts'),
        import('../../doctor/check.ts'),
        import('../../doctor/open.ts'),
        import('../../jumpstart/open.ts'),
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
      const results = await runChecks(AWS_CHECKS, ctx);
      for (const result of results) io.stdout.write(`${checkLine(result)}\n`);
      return failed(results).length > 0 ? EXIT.failed : EXIT.ok;
    } finally {
      ctx.close();
      opened.close();
    }
  },
};
