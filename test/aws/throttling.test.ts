import { describe, expect, it } from 'vitest';
import { isThrottling } from '../../src/aws/throttling.ts';

const error = (fields: Record<string, unknown>) => Object.assign(new Error('x'), fields);

describe('isThrottling: the SDK’s own classification, plus 503', () => {
  it('knows the SDK’s throttling codes, the tracker’s and the runtime’s alike', () => {
    for (const name of [
      'ThrottlingException',
      'Throttling',
      'TooManyRequestsException',
      'RequestLimitExceeded',
      'ThrottledException',
      'RequestThrottled',
      'RequestThrottledException',
      'SlowDown',
      'ProvisionedThroughputExceededException',
    ])
      expect(isThrottling(error({ name })), name).toBe(true);
  });

  it('reads HTTP 429 and 503, the throttling trait, and a code not yet turned into a name', () => {
    expect(isThrottling(error({ $metadata: { httpStatusCode: 429 } }))).toBe(true);
    expect(isThrottling(error({ $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isThrottling(error({ $retryable: { throttling: true } }))).toBe(true);
    expect(isThrottling({ Code: 'SlowDown', $metadata: {} })).toBe(true);
  });

  it('is false for everything else', () => {
    expect(isThrottling(error({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isThrottling(error({ name: 'ResourceLimitExceeded', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isThrottling(error({ $retryable: { throttling: false } }))).toBe(false);
    expect(isThrottling('ThrottlingException')).toBe(false);
    expect(isThrottling(null)).toBe(false);
  });
});
