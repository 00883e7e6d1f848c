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
