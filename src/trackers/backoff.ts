/**
 * How long to wait before polling again after a failure: doubling from the poll interval, capped, with "equal
 * jitter" (half fixed, half random) so that many resources throttled together do not retry in lockstep.
 */
export function backoffMs(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
