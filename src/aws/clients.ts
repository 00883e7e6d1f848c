import { PricingClient } from '@aws-sdk/client-pricing';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { pricingApiRegion } from './regions.ts';

/**
 * The AWS clients of the bot and the CLI, each configured by the SDK's own settings (credential chain, AWS_REGION,
 * AWS_ENDPOINT_URL_<SERVICE>) plus one thing the SDK leaves off: a bound on every request. Without it
 * (@smithy/node-http-handler's requestTimeout defaults to 0, and only warns unless throwOnRequestTimeout is set) a
 * CreateTrainingJob whose answer never comes waits forever, with the request "approved" and the job maybe running.
 * A timed-out request fails as a TimeoutError, which the SDK retries and logtune's creates settle by Describe.
 */
export const AWS_REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

export interface AwsTimeouts {
  /** The whole request, sent to answered. */
  readonly requestTimeoutMs?: number;
}

export function requestHandler(timeouts: AwsTimeouts = {}) {
  const requestTimeout = timeouts.requestTimeoutMs ?? AWS_REQUEST_TIMEOUT_MS;
  return {
    requestTimeout,
    throwOnRequestTimeout: true,
    connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, requestTimeout),
  };
}

export function sageMakerClient(timeouts?: AwsTimeouts): SageMakerClient {
  return new SageMakerClient({ requestHandler: requestHandler(timeouts) });
}

/**
 * For small objects read or probed whole (JumpStart's spec and its objects, the doctor's probes); the dataset and
 * artifact stores bound S3 by inactivity instead (objectStore/open.ts), a large object streaming for long.
 */
export function s3Client(options: { readonly forcePathStyle?: boolean } = {}, timeouts?: AwsTimeouts): S3Client {
  return new S3Client({ ...options, requestHandler: requestHandler(timeouts) });
}

/** The Pricing API answers only in a few regions: the caller names the one nearest the price's. */
export function pricingClient(region: string, timeouts?: AwsTimeouts): PricingClient {
  return new PricingClient({ region, requestHandler: requestHandler(timeouts) });
}

/**
 * Prices for any region, each asked at the Pricing endpoint nearest it (aws/regions.ts), one client per endpoint made
 * when first needed.
 */
export function regionalPricing(timeouts?: AwsTimeouts): {
  readonly clientFor: (region: string) => PricingClient;
  readonly destroy: () => void;
} {
  const clients = new Map<string, PricingClient>();
  return {
    clientFor(region) {
      const endpointRegion = pricingApiRegion(region);
      let client = clients.get(endpointRegion);
      if (!client) clients.set(endpointRegion, (client = pricingClient(endpointRegion, timeouts)));
      return client;
    },
    destroy: () => clients.forEach((client) => client.destroy()),
  };
}

/** InvokeEndpoint; the endpoint classifier does its own retries (and deadline), so the SDK's are off. */
export function sageMakerRuntimeClient(timeouts?: AwsTimeouts): SageMakerRuntimeClient {
  return new SageMakerRuntimeClient({ maxAttempts: 1, requestHandler: requestHandler(timeouts) });
}
