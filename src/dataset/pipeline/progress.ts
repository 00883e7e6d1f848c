import type { BuildPhase, BuildProgress } from '../types.ts';

/** Accumulates counters and reports them, with throughput and an ETA from the bytes still to read. */
export class ProgressTracker {
  phase: BuildPhase = 'listing';
  filesDone = 0;
  filesTotal: number | undefined;
  filesSkipped = 0;
  rowsScanned = 0;
  bytesRead = 0;
  bytesTotal = 0;
  private readingStarted = 0;
  private readingEnded = 0;

  constructor(
    private readonly report: ((progress: BuildProgress) => void) | undefined,
    private readonly started = performance.now(),
  ) {}

  elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** Bytes of the objects listed so far; the total once the listing is complete. */
  bytesListed = 0;

  /** Reading starts with the first objects listed, while the listing goes on (phase still 'listing'). */
  readingBegins(): void {
    if (this.readingStarted === 0) this.readingStarted = performance.now();
  }

  /** The listing is complete: totals are known, and an ETA can be given. */
  listed(files: number): void {
    this.filesTotal = files;
    this.bytesTotal = this.bytesListed;
    this.phase = 'reading';
    this.readingBegins();
    this.emit();
  }

  enter(phase: BuildPhase): void {
    if (this.phase === 'reading' && phase !== 'reading') this.readingEnded = performance.now();
    this.phase = phase;
    this.emit();
  }

  emit(): void {
    if (!this.report) return;
    // Throughput is that of reading: later phases neither read nor should dilute the figure.
    const readingSeconds =
      this.readingStarted === 0 ? 0 : ((this.readingEnded || performance.now()) - this.readingStarted) / 1000;
    const rate = readingSeconds > 0 ? this.bytesRead / readingSeconds : 0;
    const left = this.bytesTotal - this.bytesRead;
    this.report({
      phase: this.phase,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      filesSkipped: this.filesSkipped,
      rowsScanned: this.rowsScanned,
      bytesRead: this.bytesRead,
      elapsedSeconds: this.elapsedSeconds(),
      bytesPerSecond: rate,
      etaSeconds:
        this.phase !== 'reading'
          ? this.phase === 'done'
            ? 0
            : undefined
          : rate > 0 && this.filesDone > 0
            ? left / rate
            : undefined,
    });
  }
}
