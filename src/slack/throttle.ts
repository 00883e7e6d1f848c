import type { Clock } from '../shared/clock.ts';

/**
 * Coalesces a stream of values into at most one `send` per interval, one send at a time. Values pushed meanwhile
 * replace each other, and the newest is sent when the interval (and any send in flight) is over, so the last state
 * always lands. Built for chat.update, whose Tier 3 budget is shared by every message of the workspace.
 */
export class Throttle<T> {
  private pending: { value: T } | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly send: (value: T) => Promise<void>,
  ) {}

  push(value: T): void {
    if (this.stopped) return;
    this.pending = { value };
    this.schedule();
  }

  /** Drops what is pending, waits for the send in flight, and ignores later pushes: the caller sends the final state. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending = undefined;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight) await this.inFlight;
  }

  private schedule(): void {
    if (this.stopped || this.pending === undefined || this.inFlight || this.timer !== undefined) return;
    const wait = this.lastSentAt + this.intervalMs - this.clock.now();
    if (wait > 0) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, wait);
      return;
    }
    const { value } = this.pending;
    this.pending = undefined;
    this.lastSentAt = this.clock.now();
    this.inFlight = this.send(value)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
  }
}
