import { CancelledError } from '../../errors.ts';
import type { Log } from '../../log.ts';
import type { BuildHooks, BuildProgress, BuildRequest, BuildSummary } from '../../dataset/types.ts';
import type { BuildRecord, BuildsRepo } from './buildsRepo.ts';
import { rootMessage, type RootView } from './blocks/root.ts';
import {
  cancelledMessage,
  failureMessage,
  listedMessage,
  readMessage,
  resumedMessage,
  summaryMessage,
} from './blocks/thread.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import type { Messenger } from '../../slack/messenger.ts';
import type { BaselineScorer } from '../evaluation/index.ts';
import { Throttle } from '../../slack/throttle.ts';
import type { Clock } from '../../shared/clock.ts';

export type BuildFn = (request: BuildRequest, hooks: BuildHooks) => Promise<BuildSummary>;

export interface JobDeps {
  readonly builds: BuildsRepo;
  readonly messenger: Messenger;
  readonly buildDataset: BuildFn;
  readonly clock: Clock;
  readonly log: Log;
  readonly progressIntervalMs: number;
  /** Told once a build has ended (succeeded, failed, cancelled) and its thread says so: training waits on it. */
  readonly settled?: (buildId: string) => void;
  /** Trains and scores the free baseline on a built dataset (its scores go in the summary); absent when turned off. */
  readonly scoreBaseline?: BaselineScorer;
}

/** Abort reason for "the process is stopping": the build stays queued/running in the database and resumes on start. */
export const SHUTDOWN_REASON = new Error('logtune is shutting down');

export const rootKey = (buildId: string) => `build:${buildId}:root`;

/** One build's life in Slack: its root message, thread replies, progress updates and final state. */
export class BuildJob {
  private readonly controller = new AbortController();
  private cancelledBy: string | undefined;
  private started = false;
  private thread: Promise<void> = Promise.resolve();
  private listed = false;
  private read = false;

  constructor(
    private readonly build: BuildRecord,
    readonly request: BuildRequest,
    private readonly deps: JobDeps,
  ) {}

  get id(): string {
    return this.build.id;
  }

  get isRunning(): boolean {
    return this.started;
  }

  /** Posts the root message (after a restart: updates it) showing "queued"; resolves to its ts if Slack took it. */
  async announce(): Promise<string | undefined> {
    const ts = await this.deps.messenger.post(
      rootKey(this.id),
      { channel: this.build.channel },
      rootMessage(this.view('queued')),
    );
    if (ts !== undefined && ts !== this.build.rootTs) this.deps.builds.setRootTs(this.id, ts, this.now());
    return ts;
  }

  noteResumed(maxAttempts: number): Promise<void> {
    return this.reply(
      `build:${this.id}:resumed:${this.build.attempts}`,
      resumedMessage(this.build.attempts, maxAttempts),
    );
  }

  cancel(userId: string): void {
    this.cancelledBy ??= userId;
    this.controller.abort(new CancelledError(`cancelled by ${userId}`));
  }

  abortForShutdown(): void {
    this.controller.abort(SHUTDOWN_REASON);
  }

  async run(): Promise<void> {
    if (this.controller.signal.aborted || !this.deps.builds.markRunning(this.id, this.now())) return;
    this.started = true;
    const startedAt = this.deps.clock.now();
    this.deps.log.info('build started', {
      buildId: this.id,
      range: this.request.range.label,
      attempt: this.build.attempts + 1,
    });
    const progress = new Throttle<RootView>(this.deps.progressIntervalMs, this.deps.clock, (v) => this.updateRoot(v));
    progress.push(this.view('running'));
    try {
      const summary = await this.deps.buildDataset(this.request, {
        signal: this.controller.signal,
        onProgress: (p) => {
          progress.push(this.view('running', { progress: p }));
          this.milestones(p);
        },
      });
      await progress.stop();
      // A builder that never reported these phases still gets its milestones, from the summary.
      this.milestones(progressFromSummary(summary));
      await this.thread;
      let baseline;
      if (this.deps.scoreBaseline) {
        await this.updateRoot(this.view('running', { scoringBaseline: true }));
        baseline = await this.deps.scoreBaseline(summary, this.controller.signal);
      }
      this.deps.builds.finish(this.id, 'succeeded', { summary }, this.now());
      this.deps.log.info('build succeeded', {
        buildId: this.id,
        seconds: summary.seconds,
        examples: summary.rows.train + summary.rows.validation,
      });
      await this.reply(`build:${this.id}:summary`, summaryMessage(summary, baseline));
      await this.updateRoot(this.view('succeeded', { summary }));
      this.deps.settled?.(this.id);
    } catch (error) {
      await progress.stop();
      await this.thread;
      await this.failed(error, (this.deps.clock.now() - startedAt) / 1000);
    } finally {
      this.started = false;
    }
  }

  /** Records and reports a cancellation; also used for a build cancelled while it waited for a slot. */
  async finishCancelled(elapsedSeconds: number | undefined): Promise<void> {
    this.deps.log.info('build cancelled', { buildId: this.id, cancelledBy: this.cancelledBy });
    this.deps.builds.finish(
      this.id,
      'cancelled',
      { ...(this.cancelledBy && { cancelledBy: this.cancelledBy }) },
      this.now(),
    );
    await this.reply(`build:${this.id}:summary`, cancelledMessage(this.cancelledBy, elapsedSeconds));
    await this.updateRoot(this.view('cancelled', { ...(this.cancelledBy && { cancelledBy: this.cancelledBy }) }));
    this.deps.settled?.(this.id);
  }

  private async failed(error: unknown, elapsedSeconds: number): Promise<void> {
    const { signal } = this.controller;
    if (signal.aborted && signal.reason === SHUTDOWN_REASON) {
      this.deps.log.info('build paused for shutdown; it resumes on the next start', { buildId: this.id });
      this.deps.builds.pause(this.id, this.now());
      return this.updateRoot(this.view('restarting'));
    }
    if (signal.aborted) return this.finishCancelled(elapsedSeconds);
    const reason = error instanceof Error ? error.message : String(error);
    this.deps.log.error('build failed', { buildId: this.id, error });
    this.deps.builds.finish(this.id, 'failed', { error: reason }, this.now());
    await this.reply(`build:${this.id}:summary`, failureMessage(reason));
    await this.updateRoot(this.view('failed', { error: reason }));
    this.deps.settled?.(this.id);
  }

  private milestones(p: BuildProgress): void {
    if (!this.listed && p.filesTotal !== undefined) {
      this.listed = true;
      this.queueReply(`build:${this.id}:listed`, listedMessage(p.filesTotal));
    }
    if (!this.read && p.phase !== 'listing' && p.phase !== 'reading') {
      this.read = true;
      this.queueReply(`build:${this.id}:read`, readMessage(p));
    }
  }

  /** Thread replies go out one at a time, so they appear in the order they happened. */
  private queueReply(key: string, content: MessageContent): void {
    this.thread = this.thread.then(() => this.reply(key, content));
  }

  private async reply(key: string, content: MessageContent): Promise<void> {
    const threadTs = this.deps.messenger.tsOf(rootKey(this.id));
    if (threadTs === undefined)
      return this.deps.log.warn('thread reply skipped: the root message was not posted', { key });
    await this.deps.messenger.post(key, { channel: this.build.channel, threadTs }, content);
  }

  private updateRoot(view: RootView): Promise<void> {
    return this.deps.messenger.update(rootKey(this.id), rootMessage(view));
  }

  private view(state: RootView['state'], extra: Partial<RootView> = {}): RootView {
    return {
      buildId: this.id,
      rangeLabel: this.request.range.label,
      requestedBy: this.build.requestedBy,
      state,
      ...extra,
    };
  }

  private now(): Date {
    return new Date(this.deps.clock.now());
  }
}

function progressFromSummary(s: BuildSummary): BuildProgress {
  return {
    phase: 'done',
    filesDone: s.files.read,
    filesTotal: s.files.listed,
    filesSkipped: s.files.skipped,
    rowsScanned: s.rows.scanned,
    bytesRead: s.files.bytes,
    elapsedSeconds: s.seconds,
    bytesPerSecond: s.megabytesPerSecond * 1e6,
    etaSeconds: 0,
  };
}
