import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { expect } from 'vitest';
import { APPROVE_ACTION_ID } from '../../../src/features/deploy/blocks/request.ts';
import { requestKey, type InServiceEndpoint } from '../../../src/features/deploy/context.ts';
import type { DeployFeature } from '../../../src/features/deploy/index.ts';
import type { TrainingFeature } from '../../../src/features/training/index.ts';
import { plainMessage } from '../../../src/slack/blocks/help.ts';
import { startBotHarness, type BotHarness } from '../../helpers/botHarness.ts';
import type { StoredMessage } from '../../helpers/fakeSlack.ts';
import { FakeDeployAws } from '../../helpers/fakeHosting.ts';
import { FakeTrainingAws } from '../../helpers/fakeTrainingAws.ts';
import { readyDoctorAws } from '../../helpers/fakeDoctorAws.ts';
import { waitFor } from '../../slack/support.ts';

export const HOUR_MS = 3_600_000;
export const POLL_MS = 60_000;
export const PRICE = 1.515;
export const BUCKET = 'logtune-deploy-e2e';

/**
 * The bot for deploy's end-to-end tests: the harness (signed HTTP, fake Slack, manual clock), SageMaker hosting in
 * memory, completed training jobs seeded as if logtune had launched them, and an after-InService hook that records
 * its calls. Also the steps the tests repeat: ask, approve, let time pass.
 */
export class DeployBot {
  readonly training = new FakeTrainingAws();
  /** The account the checks before an approval ask (ready unless a test makes one answer fail). */
  readonly doctor = readyDoctorAws();
  readonly hosting: FakeDeployAws;
  readonly evaluations: InServiceEndpoint[] = [];
  private jobs = 0;

  private constructor(readonly h: BotHarness) {
    this.training.prices['ml.g5.2xlarge'] = PRICE;
    this.hosting = new FakeDeployAws(() => new Date(h.clock.now()));
  }

  static async start(): Promise<DeployBot> {
    const h = await startBotHarness({
      buckets: [BUCKET],
      env: {
        LOGTUNE_APPROVERS: 'U0CAROL,U0DAVE',
        LOGTUNE_ARTIFACTS_URI: `s3://${BUCKET}/artifacts`,
        LOGTUNE_SAGEMAKER_ROLE_ARN: 'arn:aws:iam::111122223333:role/logtune-training',
        LOGTUNE_POLL_SECONDS: String(POLL_MS / 1000),
        LOGTUNE_ENDPOINT_IDLE_HOURS: '24',
        LOGTUNE_ENDPOINT_GRACE_HOURS: '2',
      },
    });
    const bot = new DeployBot(h);
    await bot.restart();
    return bot;
  }

  /** Starts the bot again on the same database; `runtime` given, the real evaluation runs after InService, through it. */
  async restart(runtime?: SageMakerRuntimeClient): Promise<void> {
    await this.h.stop();
    const afterInService = async (endpoint: InServiceEndpoint) => {
      this.evaluations.push(endpoint);
      return plainMessage(`Evaluation of ${endpoint.endpointName}: macro-F1 0.91`);
    };
    const aws = { training: this.training, deploy: this.hosting, doctor: this.doctor.aws };
    await this.h.start(runtime ? { aws: { ...aws, runtime } } : { aws, afterInService });
  }

  feature(): DeployFeature {
    return this.h.bot!.features.find((f) => f.name === 'deploy') as DeployFeature;
  }

  replies(root: StoredMessage): string[] {
    return this.h.threadOf(root).map((m) => String(m.text));
  }

  creates(): number[] {
    return (['CreateModel', 'CreateEndpointConfig', 'CreateEndpoint'] as const).map((op) => this.hosting.count(op));
  }

  deletes(name: string): number[] {
    return (['DeleteEndpoint', 'DeleteEndpointConfig', 'DeleteModel'] as const).map((op) =>
      this.hosting.count(op, name),
    );
  }

  /** A training job logtune launched and SageMaker completed, asked for by U0BOB, on `ds-seed-<n>` unless named. */
  completedJob(datasetId?: string): string {
    const n = ++this.jobs;
    const jobName = `logtune-ft-tr-seed${n}-0123456789ab`;
    const repo = (this.h.bot!.features.find((f) => f.name === 'training') as TrainingFeature).requests;
    const at = new Date(this.h.clock.now());
    const id = `tr-seed-${n}`;
    const ask = {
      rangeLabel: 'April',
      rangeStart: '2024-04-01',
      rangeEnd: '2024-04-30',
      instanceType: 'ml.g5.12xlarge',
      epochs: 1,
    };
    repo.insert({ id, ask, requestedBy: 'U0BOB', channel: 'C0CHAN', datasetId: datasetId ?? `ds-seed-${n}` }, at);
    repo.markQuoted(id, '{}', 10, new Date(at.getTime() + HOUR_MS), at);
    repo.approve(id, 'U0CAROL', jobName, at);
    repo.markLaunched(id, at);
    this.training.completedJob(jobName);
    return jobName;
  }

  async settle(): Promise<void> {
    for (let i = 0; i < 2; i++) {
      await this.feature().idle();
      await this.h.bot!.trackers.idle();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Moves time on, then a minute more, so the tracker and the minute sweep both run at the new time. */
  async tick(ms = POLL_MS): Promise<void> {
    this.h.clock.advance(ms);
    await this.settle();
    this.h.clock.advance(POLL_MS);
    await this.settle();
  }

  async requestDeploy(jobName: string, userId = 'U0ALICE'): Promise<{ id: string; message: StoredMessage }> {
    const answer = await this.h.command(`deploy ${jobName}`, userId);
    expect(answer.text).toMatch(/Deploy request `dep-/);
    const id = /`(dep-[^`]+)`/.exec(answer.text)![1]!;
    return { id, message: await waitFor(() => this.h.posted(requestKey(id))[0], { what: `the message of ${id}` }) };
  }

  /** Asks (as U0ALICE), approves (as U0CAROL) and follows the endpoint to InService; `createdAt` is when the creates ran. */
  async deployed(
    jobName = this.completedJob(),
  ): Promise<{ id: string; message: StoredMessage; name: string; createdAt: number }> {
    const { id, message } = await this.requestDeploy(jobName);
    const createdAt = this.h.clock.now();
    await this.h.click(message, APPROVE_ACTION_ID, 'U0CAROL', 300);
    await waitFor(() => this.replies(message).some((t) => t.includes('created; SageMaker is starting it')), {
      what: 'the creates',
    });
    for (let i = 0; i < 3 && !this.replies(message).some((t) => t.includes('InService')); i++) await this.tick();
    const name = /`(logtune-dep-[^`]+)`/.exec(this.replies(message).find((t) => t.includes('InService'))!)![1]!;
    return { id, message, name, createdAt };
  }
}
