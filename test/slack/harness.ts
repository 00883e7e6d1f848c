import { join } from 'node:path';
import { CancelledError } from '../../src/errors.ts';
import type { BuildHooks, BuildRequest, BuildSummary } from '../../src/dataset/types.ts';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createFeatures } from '../../src/app/features.ts';
import { FEATURES } from '../../src/app/registry.ts';
import { loadSettings } from '../../src/app/settings.ts';
import { botAws } from '../../src/features/aws.ts';
import type { DatasetFeature } from '../../src/features/dataset/index.ts';
import type { BuildFn } from '../../src/features/dataset/job.ts';
import type { BuildRunner } from '../../src/features/dataset/runner.ts';
import type { BuildsRepo } from '../../src/features/dataset/buildsRepo.ts';
import type { SlackDeps } from '../../src/slack/deps.ts';
import type { Feature } from '../../src/slack/feature.ts';
import { Messenger } from '../../src/slack/messenger.ts';
import { Policy } from '../../src/slack/policy.ts';
import { commandsOf, routeCommand } from '../../src/slack/router.ts';
import type { MessageContent } from '../../src/slack/blocks/types.ts';
import { openDatabase, type Db } from '../../src/db/db.ts';
import { MIGRATIONS } from '../../src/app/migrations.ts';
import type { TrainingFeature } from '../../src/features/training/index.ts';
import { TrackerService } from '../../src/trackers/service.ts';
import { TrackerStore } from '../../src/trackers/trackerRepo.ts';
import { FakeTrainingAws } from '../helpers/fakeTrainingAws.ts';
import { FakeDeployAws } from '../helpers/fakeHosting.ts';
import { readyDoctorAws } from '../helpers/fakeDoctorAws.ts';
import type { DoctorAws } from '../../src/doctor/context.ts';
import { SeenEventsRepo } from '../../src/db/events.ts';
import { PostedMessagesRepo } from '../../src/db/messages.ts';
import { captureLog, dataConfig, deferred, ManualClock, MemorySlack, tempDir, type CapturedLog } from './support.ts';

/** A builder whose every call waits until the test finishes it, fails it, or the signal aborts it. */
export class FakeBuilder {
  readonly calls: {
    request: BuildRequest;
    hooks: BuildHooks;
    finish(summary: BuildSummary): void;
    fail(error: unknown): void;
  }[] = [];

  readonly fn: BuildFn = (request, hooks) => {
    const done = deferred<BuildSummary>();
    const onAbort = () => done.reject(new CancelledError());
    if (hooks.signal?.aborted) onAbort();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    this.calls.push({ request, hooks, finish: done.resolve, fail: done.reject });
    return done.promise;
  };
}

export const APPROVER = 'U0APPROVER';

export interface HarnessOptions {
  readonly concurrency?: number;
  readonly maxAttempts?: number;
  readonly dbPath?: string;
  readonly slack?: MemorySlack;
  readonly clock?: ManualClock;
  readonly approvers?: readonly string[];
  readonly aws?: FakeTrainingAws;
  /** Extra bot settings (LOGTUNE_*), e.g. the monthly budget. */
  readonly botEnv?: Record<string, string>;
  /** The doctor's AWS for the checks before an approval; a ready account by default. */
  readonly doctor?: DoctorAws;
}

export interface Harness {
  readonly db: Db;
  readonly builds: BuildsRepo;
  readonly messages: PostedMessagesRepo;
  readonly slack: MemorySlack;
  readonly clock: ManualClock;
  readonly log: CapturedLog;
  readonly builder: FakeBuilder;
  readonly runner: BuildRunner;
  readonly features: readonly Feature[];
  readonly dataset: DatasetFeature;
  readonly training: TrainingFeature;
  readonly trackers: TrackerService;
  readonly aws: FakeTrainingAws;
  readonly deps: SlackDeps;
  /** `/logtune <text>` as `userId` in C0CHAN: the private answer, and what was sent later through notify. */
  command(text: string, userId?: string): Promise<MessageContent & { notified: MessageContent[] }>;
  /** Clicks a button of a feature as `userId`. */
  click(actionId: string, value: string, userId?: string): Promise<MessageContent | undefined>;
  /** A second bot on the same database and Slack, as after a restart. */
  restart(): Harness;
  close(): void;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const dir = options.dbPath === undefined ? tempDir() : undefined;
  const dbPath = options.dbPath ?? join(dir!.path, 'bot.db');
  const db = openDatabase(dbPath, MIGRATIONS);
  const clock = options.clock ?? new ManualClock();
  const slack = options.slack ?? new MemorySlack();
  const log = captureLog();
  const builder = new FakeBuilder();
  const messages = new PostedMessagesRepo(db);
  const now = () => new Date(clock.now());
  const messenger = new Messenger({ messages, slack, log, now });
  const identity = { botId: 'B0BOT', botUserId: 'U0BOT', teamId: 'T0001', workspaceUrl: 'https://t.slack.com/' };
  const approvers = options.approvers ?? [APPROVER];
  const settings = {
    ...loadSettings({
      SLACK_BOT_TOKEN: 'xoxb-t',
      SLACK_SIGNING_SECRET: 's',
      LOGTUNE_APPROVERS: approvers.join(','),
      LOGTUNE_SAGEMAKER_ROLE_ARN: 'arn:aws:iam::111122223333:role/logtune-training',
      LOGTUNE_BUILD_CONCURRENCY: String(options.concurrency ?? 2),
      LOGTUNE_BUILD_MAX_ATTEMPTS: String(options.maxAttempts ?? 3),
      LOGTUNE_BASELINE: 'false',
      ...options.botEnv,
    }),
    data: dataConfig,
  };
  const { bot } = settings;
  const policy = new Policy({ approvers, allowSelfApproval: bot.allowSelfApproval });
  const trackers = new TrackerService({
    store: new TrackerStore(db),
    clock,
    log,
    pollMs: bot.pollSeconds * 1000,
    random: () => 0.5,
  });
  const aws = options.aws ?? new FakeTrainingAws();
  // No SageMaker here: every endpoint is unknown, as the harness's endpoint lookups answered before.
  const sagemaker = new SageMakerClient({ region: 'us-east-1' });
  sagemaker.send = (() =>
    Promise.reject(
      Object.assign(new Error('no SageMaker in the unit harness'), { name: 'ResourceNotFound' }),
    )) as never;
  const features = createFeatures(FEATURES, settings, {
    db,
    command: bot.command,
    identity,
    messenger,
    policy,
    trackers,
    slack,
    aws: botAws({
      training: aws,
      deploy: new FakeDeployAws(),
      sagemaker,
      doctor: options.doctor ?? readyDoctorAws().aws,
    }),
    clock,
    log,
    seams: { buildDataset: builder.fn, progressIntervalMs: 5000, afterInService: async () => undefined },
  });
  const dataset = features.find((f) => f.name === 'dataset') as DatasetFeature;
  const trainingFeature = features.find((f) => f.name === 'training') as TrainingFeature;
  const deps: SlackDeps = {
    identity,
    seenEvents: new SeenEventsRepo(db),
    messages: messenger,
    log,
    now,
    command: '/logtune',
  };
  const commands = commandsOf(features);
  const closers: (() => void)[] = [];
  const harness: Harness = {
    db,
    builds: dataset.builds,
    messages,
    slack,
    clock,
    log,
    builder,
    runner: dataset.runner,
    features,
    dataset,
    deps,
    training: trainingFeature,
    trackers,
    aws,
    async command(text, userId = 'U0ALICE') {
      const notified: MessageContent[] = [];
      const reply = await routeCommand(
        { text, userId, channelId: 'C0CHAN', notify: async (c) => void notified.push(c) },
        commands,
        log,
      );
      return { ...reply, notified };
    },
    async click(actionId, value, userId = 'U0ALICE') {
      const action = features.flatMap((f) => f.actions).find((a) => a.actionId === actionId);
      if (!action) throw new Error(`no button ${actionId}`);
      return action.run({ userId, channelId: 'C0CHAN', messageTs: undefined, value });
    },
    restart: () => {
      const next = createHarness({ ...options, dbPath, slack, clock });
      closers.push(() => next.close());
      return next;
    },
    close: () => {
      closers.forEach((c) => c());
      if (db.open) db.close();
      dir?.remove();
    },
  };
  return harness;
}

/** Lets queued microtasks and promise chains (Slack fakes, SQLite) run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
