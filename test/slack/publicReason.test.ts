import { describe, expect, it } from 'vitest';
import { PUBLIC_REASON_MAX, publicReason } from '../../src/slack/blocks/publicReason.ts';

/** AWS errors as SageMaker and STS word them, summarised for a public thread. */
describe('publicReason', () => {
  it('removes the account id, role ARN and name, instance id, access key and request id; keeps what went wrong', () => {
    const raw =
      'AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/logtune-bot/i-0abc123def4567890 is not ' +
      'authorized to perform: sagemaker:CreateTrainingJob on resource: ' +
      'arn:aws:sagemaker:us-east-1:111122223333:training-job/logtune-ft-x because no identity-based policy allows ' +
      'iam:PassRole on role/logtune-training (account 111122223333, key AKIAIOSFODNN7EXAMPLE, instance ' +
      'i-0abc123def4567890, RequestId: 0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b)';
    const shown = publicReason(raw);
    for (const secret of [
      '111122223333',
      'logtune-bot',
      'logtune-training',
      'i-0abc123def4567890',
      'AKIAIOSFODNN7EXAMPLE',
      '0f1e2d3c-4b5a',
      'arn:aws',
    ])
      expect(shown, secret).not.toContain(secret);
    expect(shown).toContain('AccessDeniedException');
    expect(shown).toContain('not authorized to perform: sagemaker:CreateTrainingJob');
    expect(shown).toContain('iam:PassRole');
  });

  it('leaves an error without identifiers as it is, on one line, and bounds its length', () => {
    expect(publicReason('ResourceLimitExceeded: The account-level service limit\n for ml.g5.12xlarge is 0')).toBe(
      'ResourceLimitExceeded: The account-level service limit for ml.g5.12xlarge is 0',
    );
    const long = publicReason(`ValidationException: ${'x '.repeat(2000)}`);
    expect(long.length).toBeLessThanOrEqual(PUBLIC_REASON_MAX);
    expect(long.endsWith('…')).toBe(true);
    // Numbers that are not account ids stay.
    expect(publicReason('cap 1234 USD; 5 epochs; 1234567890123 tokens')).toBe(
      'cap 1234 USD; 5 epochs; 1234567890123 tokens',
    );
  });
});

describe('the public failure messages', () => {
  it('show the summary, not the account', async () => {
    const { launchFailedMessage } = await import('../../src/features/training/blocks/thread.ts');
    const { createFailedMessage } = await import('../../src/features/deploy/blocks/thread.ts');
    const raw = 'AccessDeniedException: arn:aws:iam::111122223333:role/logtune-training cannot be assumed';
    for (const message of [launchFailedMessage(raw), createFailedMessage(raw)]) {
      const shown = JSON.stringify(message);
      expect(shown).toContain('AccessDeniedException: [ARN] cannot be assumed');
      expect(shown).not.toContain('111122223333');
    }
  });
});
