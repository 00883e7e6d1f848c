import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webApi, type App } from '@slack/bolt';
import { buildDataset } from '../dataset/build.ts';
import { botAws, endpointDatasetFromTags, type BotAws } from '../features/aws.ts';
import type { AfterInService } from '../features/deploy/context.ts';
import { openEndpointClassifier } from '../inference/openEndpointClassifier.ts';
import type { Settings } from '../settings.ts';
import { createFeatures } from '../features/index.ts';
import type { BuildFn } from '../features/dataset/job.ts';
import { toBoltLogger, type Log } from '../log.ts';
import { openDatabase } from '../db/db.ts';
import { SeenEventsRepo } from '../db/events.ts';
import { PostedMessagesRepo } from '../db/messages.ts';
import { TrackerService } from '../trackers/service.ts';
import { TrackerStore } from '../trackers/trackerRepo.ts';
import { createSlackApp } from './app.ts';
import type { Feature } from './feature.ts';
import { fetchBotIdentity, type BotIdentity } from './identity.ts';
import { Messenger } from './messenger.ts';
import { Policy } from './policy.ts';
import { webClientSlackApi } from './slackApi.ts';
import { slackFileReader } from './files.ts';
import { systemClock, type Clock } from '../shared/clock.ts';

export interface BotOptions {
  readonly settings: Settings;
  readonly log: Log;
  /** AWS access, injected by tests; by default clients configured by the SDK's own settings. */
  readonly aws?: Partial<BotAws>;
  /** What runs once an endpoint is InService (default: the evaluation); tests pass their own. */
  readonly afterInService?: AfterInService;
  /** The dataset builder; tests wrap it to hold a build at a known point. */
  readonly buildDataset?: BuildFn;
  /** Merged over the defaults (tests: `{ retryConfig: { retries: 0 } }`). */
  readonly clientOptions?: webApi.WebClientOptions;
  readonly clock?: Clock;
  readonly progressIntervalMs?: number;
}

export interface RunningBot {
  readonly app: App;
  readonly identity: BotIdentity;
  readonly features: readonly Feature[];
  readonly trackers: TrackerService;
  /** The HTTP port actually listened on (useful with PORT=0). */
  readonly port: number;
  /** Stops taking requests, pauses running work (it resumes on the next start), closes the store; bounded. */
  stop(timeoutMs?: number): Promise<void>;
}

// Start-up should fail within seconds when Slack is unreachable, not retry for minutes like background posts may.
const STARTUP_RETRY = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 4_000 };
const SEEN_EVENTS_TTL_MS = 7 * 86_400_000;
const APP_STOP_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { settings, log } = options;
  const { bot, data } = settings;
  const clock = options.clock ?? systemClock;
  const now = () => new Date(clock.now());
  const logger = toBoltLogger(log);
  const clientOptions: webApi.WebClientOptions = {
    ...(bot.slackApiUrl !== undefined && { slackApiUrl: bot.slackApiUrl }),
    timeout: 15_000,
    retryConfig: webApi.retryPolicies.fiveRetriesInFiveMinutes,
    ...options.clientOptions,
    logger,
  };
  const identity = await fetchBotIdentity(bot.botToken, {
    ...clientOptions,
    retryConfig: options.clientOptions?.retryConfig ?? STARTUP_RETRY,
  });
  const db = openDatabase(bot.dbPath);
  let pruneTimer: NodeJS.Timeout | undefined;
  try {
    const seenEvents = new SeenEventsRepo(db);
    const prune = () => seenEvents.pruneOlderThan(SEEN_EVENTS_TTL_MS, now());
    prune();
    pruneTimer = setInterval(prune, 3_600_000).unref();
    // Background work has its own client, so progress posts queue apart from listener calls.
    const background = new webApi.WebClient(bot.botToken, clientOptions);
    const slack = webClientSlackApi(
      background,
      new webApi.WebClient(bot.botToken, { ...clientOptions, retryConfig: { retries: 0 } }),
    );
    const messenger = new Messenger({ messages: new PostedMessagesRepo(db), slack, log, now });
    const policy = new Policy({ approvers: bot.approvers, allowSelfApproval: bot.allowSelfApproval });
    const trackers = new TrackerService({
      store: new TrackerStore(db),
      clock,
      log: log.child({ component: 'tracker' }),
      pollMs: bot.pollSeconds * 1000,
    });
    const aws = botAws(options.aws);
    const endpointDataset = endpointDatasetFromTags(aws.sagemaker);
    const openEndpoint = (endpointName: string, dataset: Parameters<typeof openEndpointClassifier>[0]['dataset']) =>
      openEndpointClassifier({ endpointName, dataset, client: aws.runtime, settings, log });
    const features = createFeatures({
      dataset: {
        db,
        data,
        identity,
        messenger,
        policy,
        clock,
        log,
        buildDataset: options.buildDataset ?? buildDataset,
        concurrency: bot.buildConcurrency,
        maxAttempts: bot.buildMaxAttempts,
        progressIntervalMs: options.progressIntervalMs ?? 5_000,
      },
      training: {
        db,
        data,
        bot,
        training: settings.training,
        identity,
        messenger,
        policy,
        trackers,
        clock,
        log,
        aws: aws.training,
      },
      deploy: {
        db,
        bot,
        training: settings.training,
        hosting: settings.hosting,
        settings: settings.deploy,
        identity,
        messenger,
        policy,
        trackers,
        clock,
        log,
        aws: aws.deploy,
        ...(options.afterInService && { afterInService: options.afterInService }),
      },
      evaluation: { settings: settings.evaluation, data, endpointDataset, openEndpoint, messenger, log, now },
      triage: {
        settings: settings.triage,
        data,
        maxLines: settings.inference.maxLines,
        messenger,
        slack,
        botUserId: identity.botUserId,
        files: slackFileReader({ token: bot.botToken, client: background }),
        log,
        now,
        openEndpoint,
        endpointDataset,
      },
    });
    const deps = { identity, seenEvents, log, now };
    const app = createSlackApp({
      config: bot,
      deps,
      features,
      logger,
      clientOptions,
      checkHealth: () => db.prepare('SELECT 1').get(),
    });
    const started = await app.start(bot.port);
    const socketMode = bot.appToken !== undefined;
    const server = socketMode ? undefined : (started as Server);
    const port = server ? (server.address() as AddressInfo).port : bot.port;
    log.info('logtune started', { mode: socketMode ? 'socket' : 'http', port, botUserId: identity.botUserId });
    // After start: a failed start must not leave resumed work running against a closed database.
    for (const feature of features) feature.start?.();
    trackers.start();
    let stopping: Promise<void> | undefined;
    const stop = async (timeoutMs: number) => {
      clearInterval(pruneTimer);
      const deadline = Date.now() + timeoutMs;
      const stopped = await withTimeout(
        app.stop().catch((error: unknown) => log.warn('app.stop failed', { error })),
        APP_STOP_TIMEOUT_MS,
      );
      if (stopped === 'timeout') server?.closeAllConnections();
      const left = () => Math.max(0, deadline - Date.now());
      await Promise.all([trackers.stop(left()), ...features.map((f) => f.stop?.(left()))]);
      db.close();
      log.info('logtune stopped');
    };
    return { app, identity, features, trackers, port, stop: (timeoutMs = 8_000) => (stopping ??= stop(timeoutMs)) };
  } catch (error) {
    clearInterval(pruneTimer);
    db.close();
    throw error;
  }
}
