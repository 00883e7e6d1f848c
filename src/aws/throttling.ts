import { isThrottlingError } from '@smithy/core/retry';

/**
 * Whether an AWS error means "slow down". The SDK's own classification decides (@smithy/core's list of throttling
 * codes — SlowDown, ThrottlingException, ProvisionedThroughputExceededException, … — HTTP 429 and the throttling
 * trait), so logtune's backoff cannot drift from what the SDK's retries treat as throttling; it reaches us once
 * those retries are spent, or directly where they are off. 503 is added: S3, SageMaker and SageMaker Runtime answer
 * it when overloaded, and the answer to that is the same — wait longer.
 */
export function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (e.$metadata?.httpStatusCode === 503) return true;
  // Errors parsed from an XML body before the SDK names them carry the code as `Code`.
  const named = typeof e.name === 'string' ? e : { ...e, name: typeof e.Code === 'string' ? e.Code : undefined };
  return isThrottlingError(named as Parameters<typeof isThrottlingError>[0]);
}
