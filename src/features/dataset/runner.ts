import pLimit, { type LimitFunction } from 'p-limit';
import { buildKey } from '../../dataset/request/request.ts';
import { BackgroundTasks } from '../../shared/backgroundTasks.ts';
import type { BuildRequest } from '../../dataset/types.ts';
import type { BuildRecord } from './buildsRepo.ts';
import { rootMessage } from './blocks/root.ts';
import { failureMessage, interruptedMessage } from './blocks/thread.ts';
import { BuildJob, rootKey, type JobDeps } from './job.ts';
import { parseStoredRequest } from './storedRequest.ts';

/**
 * Owns the builds of this process: persists each request before anything else, refuses a second build of the same
 * key while one is queued or running, runs at most `concurrency` at once (p-limit; the rest show "queued"), cancels,
 * resumes what a previous process left unfinished, and pauses everything on shutdown.
 */
export interface RunnerDeps extends JobDeps {
  readonly concurrency: number;
  /** A build a crash interrupted is run again at most until it has been started this many times. */
  readonly maxAttempts: number;
}

export interface SubmitInput {
  readonly request: BuildRequest;
  readonly requestedBy: string;
  readonly channel: string;
  /** Told when the root message could not be posted (e.g. the bot is not in the channel); the build still runs. */
  readonly onRootFailed?: () => Promise<void>;
}

export type SubmitResult =
  | { readonly kind: 'queued'; readonly build: BuildRecord }
  | { readonly kind: 'duplicate'; readonly existing: BuildRecord };
export type CancelResult =
  | { readonly kind: 'cancelling' | 'cancelled' | 'finished'; readonly build: BuildRecord }
  | { readonly kind: 'not_found' };

export class BuildRunner {
  private readonly limit: LimitFunction;
  private readonly jobs = new Map<string, BuildJob>();
  private readonly tasks: BackgroundTasks;
  private stopping = false;
  private readonly listeners: ((build: BuildRecord) => void)[] = [];
  private readonly deps: RunnerDeps;

  constructor(deps: RunnerDeps) {
    this.deps = { ...deps, settled: (id) => this.emitSettled(id) };
    this.limit = pLimit(deps.concurrency);
    this.tasks = new BackgroundTasks(deps.log);
  }

  /** Calls `listener` with every build that ends from now on, once its thread says how (training waits on this). */
  onSettled(listener: (build: BuildRecord) => void): void {
    this.listeners.push(listener);
  }

  private emitSettled(buildId: string): void {
    const build = this.deps.builds.get(buildId);
    if (!build) return;
    for (const listener of this.listeners) {
      try {
        listener(build);
      } catch (error) {
        this.deps.log.error('a build listener failed', { buildId, error });
      }
    }
  }

  submit(input: SubmitInput): SubmitResult {
    const { builds, clock } = this.deps;
    const result = builds.insertQueued(
      { request: input.request, key: buildKey(input.request), requestedBy: input.requestedBy, channel: input.channel },
      new Date(clock.now()),
    );
    if (!result.inserted) return { kind: 'duplicate', existing: result.existing };
    this.deps.log.info('build queued', {
      buildId: result.build.id,
      key: result.build.key,
      requestedBy: input.requestedBy,
      channel: input.channel,
    });
    this.launch(new BuildJob(result.build, input.request, this.deps), false, input.onRootFailed);
    return { kind: 'queued', build: result.build };
  }

  /**
   * Picks up the builds a previous process left queued or running: re-runs each from scratch, unless it has already
   * been started LOGTUNE_BUILD_MAX_ATTEMPTS times (a build that crashes the process would otherwise do so on every
   * start) or its stored request is not understood; those are failed or marked interrupted, with the reason.
   */
  resume(): { resumed: number; interrupted: number; failed: number } {
    const counts = { resumed: 0, interrupted: 0, failed: 0 };
    for (const build of this.deps.builds.listActive()) {
      let request: BuildRequest;
      try {
        request = parseStoredRequest(build.requestJson, build.id);
      } catch (error) {
        counts.interrupted++;
        this.tasks.run(this.interrupt(build, error instanceof Error ? error.message : String(error)), 'build task');
        continue;
      }
      if (build.attempts >= this.deps.maxAttempts) {
        counts.failed++;
        this.tasks.run(this.giveUp(build, request.range.label), 'build task');
        continue;
      }
      counts.resumed++;
      this.deps.log.info('resuming build', { buildId: build.id, previousState: build.state, attempts: build.attempts });
      this.launch(new BuildJob(build, request, this.deps), true);
    }
    return counts;
  }

  cancel(buildId: string, userId: string): CancelResult {
    const build = this.deps.builds.get(buildId);
    if (!build) return { kind: 'not_found' };
    if (build.state !== 'queued' && build.state !== 'running') return { kind: 'finished', build };
    const job = this.jobs.get(buildId);
    this.deps.log.info('build cancel requested', { buildId, userId, running: job?.isRunning ?? false });
    if (job?.isRunning) {
      job.cancel(userId);
      return { kind: 'cancelling', build };
    }
    if (job) {
      job.cancel(userId);
      this.tasks.run(job.finishCancelled(undefined), 'build task');
    } else {
      this.deps.builds.finish(buildId, 'cancelled', { cancelledBy: userId }, new Date(this.deps.clock.now()));
      this.emitSettled(buildId);
    }
    return { kind: 'cancelled', build };
  }

  /** Stops starting builds and aborts running ones, leaving them queued/running for the next start; bounded. */
  async shutdown(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    for (const job of this.jobs.values()) job.abortForShutdown();
    return this.tasks.stop(timeoutMs);
  }

  /** Resolves when no build task is left (tests, shutdown). */
  async idle(): Promise<void> {
    await this.tasks.idle();
  }

  private launch(job: BuildJob, resumed: boolean, onRootFailed?: () => Promise<void>): void {
    this.jobs.set(job.id, job);
    const task = (async () => {
      const rootTs = await job.announce();
      if (rootTs === undefined && onRootFailed) await onRootFailed();
      if (resumed) await job.noteResumed(this.deps.maxAttempts);
      await this.limit(() => (this.stopping ? undefined : job.run()));
    })().finally(() => this.jobs.delete(job.id));
    this.tasks.run(task, 'build task');
  }

  private async giveUp(build: BuildRecord, rangeLabel: string): Promise<void> {
    const reason =
      `logtune stopped during each of its ${build.attempts} ${build.attempts === 1 ? 'attempt' : 'attempts'} ` +
      `(LOGTUNE_BUILD_MAX_ATTEMPTS=${this.deps.maxAttempts}); it is not run again. Check the logs for a crash while it ran.`;
    const { builds, messenger, log, clock } = this.deps;
    log.error('build failed after too many interrupted attempts', { buildId: build.id, attempts: build.attempts });
    builds.finish(build.id, 'failed', { error: reason }, new Date(clock.now()));
    this.emitSettled(build.id);
    const threadTs = messenger.tsOf(rootKey(build.id));
    if (threadTs === undefined) return;
    await messenger.post(`build:${build.id}:summary`, { channel: build.channel, threadTs }, failureMessage(reason));
    await messenger.update(
      rootKey(build.id),
      rootMessage({ buildId: build.id, rangeLabel, requestedBy: build.requestedBy, state: 'failed', error: reason }),
    );
  }

  private async interrupt(build: BuildRecord, reason: string): Promise<void> {
    const { builds, messenger, log, clock } = this.deps;
    log.warn('build cannot be resumed; marking it interrupted', { buildId: build.id, reason });
    builds.finish(build.id, 'interrupted', { error: `cannot resume: ${reason}` }, new Date(clock.now()));
    this.emitSettled(build.id);
    const threadTs = messenger.tsOf(rootKey(build.id));
    if (threadTs === undefined) return;
    await messenger.post(`build:${build.id}:summary`, { channel: build.channel, threadTs }, interruptedMessage(reason));
    await messenger.update(
      rootKey(build.id),
      rootMessage({ buildId: build.id, rangeLabel: build.id, requestedBy: build.requestedBy, state: 'interrupted' }),
    );
  }
}
