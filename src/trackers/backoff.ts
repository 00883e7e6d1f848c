/**
 * How long to wait before polling again after a failure: doubling from the poll interval, capped, with "equal
 * jitter" (half fixed, half random) so that many resources throttled together do not retry in lockstep.
 */
export function backoffMs(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

// The AWS SDK's throttling error codes (reference §5.5) and the HTTP statuses that mean "slow down".
const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

export function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = e.$metadata?.httpStatusCode;
  return (
    THROTTLING_CODES.has(String(e.name)) || THROTTLING_CODES.has(String(e.Code)) || status === 429 || status === 503
  );
}
