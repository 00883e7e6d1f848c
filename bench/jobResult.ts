import { readFileSync } from 'node:fs';

/**
 * This process's peak resident memory in MB. On Linux, VmHWM of /proc/self/status: getrusage's ru_maxrss (Node's
 * `process.resourceUsage().maxRSS`) is carried over fork and exec, so a job started by a bench process that holds
 * 400 MB reports at least 400 MB whatever it used itself (measured: a 42 MB child of a 385 MB parent said 385).
 * Elsewhere ru_maxrss, which is what there is.
 */
export function peakRssMB(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match !== null) return Math.round(Number(match[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** What every bench job measures of itself. */
export interface JobResult {
  readonly seconds: number;
  readonly rows: number;
  readonly bytes: number;
  readonly files: number;
  readonly concurrency?: number;
}

/** Prints a job's one JSON line, with its peak RSS and the CPU seconds of every thread (workers included). */
export function printJobResult(result: JobResult): void {
  const usage = process.resourceUsage();
  const cpuSeconds = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1e3) / 1e3;
  process.stdout.write(`${JSON.stringify({ ...result, maxRssMB: peakRssMB(), cpuSeconds })}\n`);
}
