import type { BuildProgress } from '../dataset/types.ts';

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60
    ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function describeProgress(p: BuildProgress): string {
  const skipped = p.filesSkipped > 0 ? ` (${p.filesSkipped} skipped)` : '';
  const rate = `${(p.bytesPerSecond / 1e6).toFixed(1)} MB/s`;
  if (p.athena !== undefined)
    return `Athena: ${(p.athena.bytesScanned / 1e9).toFixed(2)} GB scanned, ${p.athena.running} queries running, ${p.athena.done} done, ${rate}`;
  // Reading starts with the first day listed, so a long listing already has files read.
  if (p.phase === 'listing') {
    if (p.filesDone === 0) return 'listing log files…';
    return `listing log files… ${p.filesDone} read${skipped}, ${p.rowsScanned.toLocaleString('en-US')} rows, ${rate}`;
  }
  const files = `${p.filesDone}/${p.filesTotal ?? '?'} files`;
  const eta = p.etaSeconds === undefined || p.phase !== 'reading' ? '' : `, ETA ${formatDuration(p.etaSeconds)}`;
  const phase = p.phase === 'reading' ? '' : ` — ${p.phase.replace('_', ' ')}`;
  return `${files}${skipped}, ${p.rowsScanned.toLocaleString('en-US')} rows, ${rate}${eta}${phase}`;
}

/**
 * Progress on stderr: a redrawn bar on a terminal, otherwise a plain line every few seconds (logs stay readable).
 */
export function progressReporter(
  stream: NodeJS.WriteStream,
  now: () => number = Date.now,
): {
  report(p: BuildProgress): void;
  end(): void;
} {
  const tty = stream.isTTY === true;
  const interval = tty ? 100 : 5000;
  let last = 0;
  let lastPhase = '';
  let drawn = false;
  return {
    report(p) {
      const t = now();
      if (t - last < interval && p.phase === lastPhase && p.filesDone !== p.filesTotal) return;
      last = t;
      lastPhase = p.phase;
      if (tty) {
        const width = 24;
        const done = p.filesTotal ? Math.round((p.filesDone / p.filesTotal) * width) : 0;
        stream.write(`\r\x1b[K[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${describeProgress(p)}`);
        drawn = true;
      } else {
        stream.write(`${describeProgress(p)}\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}
