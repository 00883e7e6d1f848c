import type { Log } from '../../log.ts';

/** Work that outlives the click, command or poll that started it: errors are logged, and stop() waits for it, bounded. */
export class BackgroundTasks {
  private readonly tasks = new Set<Promise<void>>();

  constructor(private readonly log: Log) {}

  run(task: Promise<unknown>, what: string): void {
    const tracked = task.then(
      () => undefined,
      (error: unknown) => this.log.error(`${what} failed`, { error }),
    );
    this.tasks.add(tracked);
    void tracked.finally(() => this.tasks.delete(tracked));
  }

  /** Resolves once nothing runs (tasks started meanwhile included). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  async stop(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
}
