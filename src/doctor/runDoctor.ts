import { AWS_CHECKS } from './awsChecks.ts';
import { runChecks, type CheckResult } from './check.ts';
import type { DoctorContext } from './context.ts';
import { SLACK_CHECKS, type SlackDoctorContext } from './slackChecks.ts';

/**
 * Every check, in the order a first run meets them: AWS, the JumpStart spec, IAM, quotas, prices, then Slack — or,
 * in place of the Slack checks, the one line saying why they did not run.
 */
export async function runDoctor(aws: DoctorContext, slack: SlackDoctorContext | CheckResult): Promise<CheckResult[]> {
  const results = await runChecks(AWS_CHECKS, aws);
  if ('status' in slack) results.push(slack);
  else results.push(...(await runChecks(SLACK_CHECKS, slack)));
  return results;
}
