import { S3Store } from '../../src/objectStore/s3Store.ts';
import { startBotHarness, type BotHarness } from './botHarness.ts';
import { writeSeedLayout } from './syntheticLogs.ts';

const DAY_MS = 86_400_000;
export const TRAINING_ROLE_ARN = 'arn:aws:iam::111122223333:role/logtune-training';

/**
 * The bot harness the training and spend e2e tests share: logs and artifacts under s3://<bucket>/, a SageMaker role,
 * and two days of seed logs ten days back (`rangeText` names them), written before the bot starts.
 */
export async function startTrainingHarness(options: {
  readonly bucket: string;
  readonly approvers: string;
  readonly rowsPerFile: number;
  readonly env?: Record<string, string>;
}): Promise<{ h: BotHarness; rangeText: string }> {
  const { bucket } = options;
  const h = await startBotHarness({
    buckets: [bucket],
    env: {
      LOGTUNE_LOGS_URI: `s3://${bucket}/logs`,
      LOGTUNE_ARTIFACTS_URI: `s3://${bucket}/artifacts`,
      LOGTUNE_APPROVERS: options.approvers,
      LOGTUNE_SAGEMAKER_ROLE_ARN: TRAINING_ROLE_ARN,
      ...options.env,
    },
  });
  const end = Date.now() - 10 * DAY_MS;
  const days = [1, 0].map((i) => new Date(end - i * DAY_MS).toISOString().slice(0, 10));
  const logs = new S3Store(h.s3.client, bucket, 'logs/');
  await writeSeedLayout(logs, { days, filesPerDay: 2, rowsPerFile: options.rowsPerFile });
  return { h, rangeText: `${days[0]}..${days[1]}` };
}

/** Moves the harness clock by `ms` and lets the trackers' polls, and the posts they make, settle. */
export async function tickTrackers(h: BotHarness, ms: number): Promise<void> {
  h.clock.advance(ms);
  await h.bot!.trackers.idle();
  await new Promise((resolve) => setTimeout(resolve, 30));
  await h.bot!.trackers.idle();
}
