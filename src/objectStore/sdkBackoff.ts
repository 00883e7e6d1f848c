import type { S3Client } from '@aws-sdk/client-s3';

/** How the SDK classes a failed attempt for its retry strategy: throttling backs off longer than a transient error. */
export type RetryKind = 'THROTTLING' | 'TRANSIENT';

type ClientRetryStrategy = Awaited<ReturnType<S3Client['config']['retryStrategy']>>;
type RetryStrategyV2 = Extract<ClientRetryStrategy, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;

/**
 * The client's own retry strategy, asked before a GET that the lean path saw throttled (429, 503 SlowDown) or cut
 * off is repeated through the SDK: a throttled answer is never followed by an immediate second request. The delay,
 * the attempt limit (AWS_MAX_ATTEMPTS) and the retry budget are the client's, shared with its own requests.
 */
export interface RetryPacer {
  /**
   * Waits out the strategy's delay for one more attempt; resolves with a callback to call once that attempt
   * succeeded (it returns the budget). Rejects when the strategy allows no retry, or with the signal's reason.
   */
  wait(kind: RetryKind, retryAfter: Date | undefined, signal: AbortSignal | undefined): Promise<() => void>;
}

/** `undefined` for a legacy (pre-V2) strategy, which offers no token interface to ask. */
export async function retryPacer(client: S3Client): Promise<RetryPacer | undefined> {
  const strategy = await client.config.retryStrategy();
  if (!('acquireInitialRetryToken' in strategy)) return undefined;
  return {
    async wait(kind, retryAfter, signal) {
      let token: RetryToken;
      try {
        // The lean attempt stands for the first one: its failure is what the strategy is told about.
        const first = await strategy.acquireInitialRetryToken('');
        // Some strategies wait inside refresh, others return the delay: both are honoured.
        token = await strategy.refreshRetryTokenForRetry(first, {
          errorType: kind,
          ...(retryAfter && { retryAfterHint: retryAfter }),
        });
      } catch (error) {
        throw new Error(`the AWS SDK's retry strategy allows no retry now (${(error as Error).message})`, {
          cause: error,
        });
      }
      const delay = token.getRetryDelay();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      // Checked after the wait rather than listened for: a first retry waits under a second by default, and a listener
      // per throttled GET on the build's one signal would trip Node's leak warning when a whole batch is throttled.
      signal?.throwIfAborted();
      return () => strategy.recordSuccess(token);
    },
  };
}
