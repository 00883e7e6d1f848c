import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webApi, type App } from '@slack/bolt';
import { openDatabase } from '../db/db.ts';
import { SeenEventsRepo } from '../db/events.ts';
import { PostedMessagesRepo } from '../db/messages.ts';
import { botAws, type BotAws } from '../features/aws.ts';
import type { BotSeams } from '../features/description.ts';
import { toBoltLogger, type Log } from '../log.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { createSlackApp } from '../slack/app.ts';
import type { Feature } from '../slack/feature.ts';
import { SERVER_TIMEOUTS, serverOptions, type ServerTimeouts } from '../slack/httpGuard.ts';
import { fetchBotIdentity, type BotIdentity } from '../slack/identity.ts';
import { Messenger } from '../slack/messenger.ts';
import { Policy } from '../slack/policy.ts';
import { webClientSlackApi } from '../slack/slackApi.ts';
import { TrackerService } from '../trackers/service.ts';
import { TrackerStore } from '../trackers/trackerRepo.ts';
import { createFeatures } from './features.ts';
import { MIGRATIONS } from './migrations.ts';
import { FEATURES } from './registry.ts';
import type { Settings } from './settings.ts';

/**
 * The bot assembled: settings, the database with every feature's tables, Slack, the trackers, and the features of
 * the registry, each made from the same shared services. Tests replace AWS, the clock and the seams.
 */
export interface BotOptions extends BotSeams {
  readonly settings: Settings;
  readonly log: Log;
  /** AWS access, injected by tests; by default clients configured by the SDK's own settings. */
  readonly aws?: Partial<BotAws>;
  /** Merged over the defaults (tests: `{ retryConfig: { retries: 0 } }`). */
  readonly clientOptions?: webApi.WebClientOptions;
  readonly clock?: Clock;
  /** The HTTP server's bounds on slow clients (src/slack/httpGuard.ts); tests shorten them. */
  readonly serverTimeouts?: Partial<ServerTimeouts>;
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
  const { bot } = settings;
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
  const db = openDatabase(bot.dbPath, MIGRATIONS);
  let pruneTimer: NodeJS.Timeout | undefined;
  try {
    const seenEvents = new SeenEventsRepo(db);
    const prune = () => seenEvents.pruneOlderThan(SEEN_EVENTS_TTL_MS, now());
    prune();
    pruneTimer = setInterval(prune, 3_600_000).unref();
    // Background work has its own client, so progress posts queue apart from listener calls.
    // Posts go through a client that never retries (see webClientSlackApi): the Messenger decides after a lost answer.
    const slack = webClientSlackApi(
      new webApi.WebClient(bot.botToken, clientOptions),
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
    const features = createFeatures(FEATURES, settings, {
      db,
      identity,
      messenger,
      policy,
      trackers,
      slack,
      aws: botAws(options.aws),
      clock,
      log,
      command: bot.command,
      seams: {
        ...(options.buildDataset && { buildDataset: options.buildDataset }),
        ...(options.progressIntervalMs !== undefined && { progressIntervalMs: options.progressIntervalMs }),
        ...(options.afterInService && { afterInService: options.afterInService }),
      },
    });
    const deps = { identity, seenEvents, messages: messenger, log, now, command: bot.command };
    const app = createSlackApp({
      config: bot,
      deps,
      features,
      logger,
      clientOptions,
      checkHealth: () => db.prepare('SELECT 1').get(),
    });
    const started = await app.start(bot.port, serverOptions({ ...SERVER_TIMEOUTS, ...options.serverTimeouts }));
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
