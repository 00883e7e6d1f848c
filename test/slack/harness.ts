import { join } from 'node:path';
import { CancelledError } from '../../src/errors.ts';
import type { BuildHooks, BuildRequest, BuildSummary } from '../../src/dataset/types.ts';
import type { BuildFn } from '../../src/slack/buildJob.ts';
import { BuildRunner } from '../../src/slack/buildRunner.ts';
import type { SlackDeps } from '../../src/slack/deps.ts';
import { Messenger } from '../../src/slack/messenger.ts';
import { BuildsRepo } from '../../src/store/builds.ts';
import { openDatabase, type Db } from '../../src/store/db.ts';
import { SeenEventsRepo } from '../../src/store/events.ts';
import { PostedMessagesRepo } from '../../src/store/messages.ts';
import { captureLog, dataConfig, deferred, ManualClock, MemorySlack, tempDir, type CapturedLog } from './support.ts';

/** A builder whose every call waits until the test finishes it, fails it, or the signal aborts it. */
export class FakeBuilder {
  readonly calls: { request: BuildRequest; hooks: BuildHooks; finish(summary: BuildSummary): void; fail(error: unknown): void }[] = [];

  readonly fn: BuildFn = (request, hooks) => {
    const done = deferred<BuildSummary>();
    const onAbort = () => done.reject(new CancelledError());
    if (hooks.signal?.aborted) onAbort();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    this.calls.push({ request, hooks, finish: done.resolve, fail: done.reject });
    return done.promise;
  };
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
  readonly deps: SlackDeps;
  /** A second runner on the same database and Slack, as after a restart. */
  restart(): Harness;
  close(): void;
}

export function createHarness(options: { concurrency?: number; dbPath?: string; slack?: MemorySlack; clock?: ManualClock } = {}): Harness {
  const dir = options.dbPath === undefined ? tempDir() : undefined;
  const dbPath = options.dbPath ?? join(dir!.path, 'bot.db');
  const db = openDatabase(dbPath);
  const clock = options.clock ?? new ManualClock();
  const slack = options.slack ?? new MemorySlack();
  const log = captureLog();
  const builder = new FakeBuilder();
  const builds = new BuildsRepo(db);
  const messages = new PostedMessagesRepo(db);
  const now = () => new Date(clock.now());
  const messenger = new Messenger({ messages, slack, log, now });
  const runner = new BuildRunner({ builds, messenger, buildDataset: builder.fn, clock, log, progressIntervalMs: 5000, concurrency: options.concurrency ?? 2 });
  const identity = { botId: 'B0BOT', botUserId: 'U0BOT', teamId: 'T0001', workspaceUrl: 'https://t.slack.com/' };
  const deps: SlackDeps = { data: dataConfig, identity, runner, builds, seenEvents: new SeenEventsRepo(db), log, now };
  const closers: (() => void)[] = [];
  const harness: Harness = {
    db, builds, messages, slack, clock, log, builder, runner, deps,
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
