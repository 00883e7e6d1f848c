import { isLogtuneError } from '../errors.ts';
import { isThrottling } from '../aws/throttling.ts';

/**
 * A failure the next attempt may not meet again: throttling, a 5xx, or no answer at all (a reset connection, the
 * request timeout) — after which the resource may even exist. logtune's own errors (usage, settings) never are.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error) || isLogtuneError(error)) return false;
  const answered = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  if (isThrottling(error) || error.name === 'SageMakerThrottledError') return true;
  if (answered !== undefined && answered.httpStatusCode !== undefined) return answered.httpStatusCode >= 500;
  return 'code' in error || error.name === 'TimeoutError';
}
