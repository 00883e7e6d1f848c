/**
 * Work that outlives the click, command, event or poll that started it (a launch, a removal, a build, a sweep): its
 * failure is logged rather than lost, idle() says when nothing runs (tests), and stop() waits for it, bounded, so a
 * shutdown neither cuts a step short nor hangs on one. The one such tracker of the bot: every feature uses this.
 */
import type { Clock } from './clock.ts';

export interface TaskLog {
  error(message: string, fields?: Record<string, unknown>): void;
}

export class BackgroundTasks {
  private readonly tasks = new Set<Promise<void>>();

  constructor(private readonly log: TaskLog) {}

  /** `what` names the work in the log line its failure writes ("<what> failed"). */
  run(task: Promise<unknown>, what: string): void {
    const tracked = task.then(
      () => undefined,
      (error: unknown) => this.log.error(`${what} failed`, { error }),
    );
    this.tasks.add(tracked);
    void tracked.finally(() => this.tasks.delete(tracked));
  }

  /**
   * Runs `work` now and again `ms` after each run ends (on `clock`, so tests move it by hand), until the returned
   * function is called: a sweep that never overlaps itself.
   */
  every(clock: Clock, ms: number, work: () => Promise<unknown>, what: string): () => void {
    let timer: unknown;
    let stopped = false;
    const once = () => {
      this.run(
        work().finally(() => {
          if (!stopped) timer = clock.setTimeout(once, ms);
        }),
        what,
      );
    };
    once();
    return () => {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    };
  }

  get size(): number {
    return this.tasks.size;
  }

  /** Resolves once nothing runs (tasks started meanwhile included). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /** Waits for the tasks at most `timeoutMs`; true if they all ended in time. */
  async stop(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const settled = await Promise.race([this.idle().then(() => true), timeout]);
    clearTimeout(timer);
    return settled;
  }
}
