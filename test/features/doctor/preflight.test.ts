import { ListServiceQuotasCommand } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { quotasAbove, readyDoctorAws } from '../../helpers/fakeDoctorAws.ts';
import { createHarness, type Harness } from '../../slack/harness.ts';

/**
 * `train` runs the doctor's checks that concern a fine-tune before anything is built or posted for approval, and
 * refuses with the failing line; a pass is remembered for a few minutes by the bot's clock.
 */
let h: Harness | undefined;
beforeEach(() => {
  // The artifacts location (s3://…) needs a region, as a real bot's does.
  vi.stubEnv('AWS_REGION', 'us-east-1');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await h?.runner.shutdown(1000);
  h?.close();
  h = undefined;
});

describe('checks before a training approval', () => {
  it('refuses a train whose instance type has no quota, with the failing line, and starts nothing', async () => {
    const doctor = readyDoctorAws();
    doctor.quotas.on(ListServiceQuotasCommand).resolves({ Quotas: quotasAbove(['ml.g5.12xlarge']) });
    h = createHarness({ doctor: doctor.aws });
    const answer = await h.command('train april-may');
    expect(answer.text).toContain('Not posted for approval: the training job could not start');
    expect(answer.text).toContain(
      '✗ training quota: 0 in us-east-1: ml.g5.12xlarge for training job usage — fix: request an increase',
    );
    expect(h.builder.calls).toHaveLength(0);
    expect(h.training.requests.listRecent(5)).toHaveLength(0);
    // Another type, which has a quota, passes the checks (and goes on to look for the dataset).
    expect((await h.command('train april-may instance=ml.g5.24xlarge')).text).not.toContain('Not posted');
    expect(doctor.quotas.commandCalls(ListServiceQuotasCommand).length).toBe(2);
  });

  it('refuses when the caller is unknown to AWS (identity first)', async () => {
    const doctor = readyDoctorAws();
    doctor.sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('The security token included in the request is invalid'), {
        name: 'InvalidClientTokenId',
      }),
    );
    h = createHarness({ doctor: doctor.aws });
    const answer = await h.command('train april-may');
    expect(answer.text).toContain('✗ AWS identity: InvalidClientTokenId');
    expect(h.builder.calls).toHaveLength(0);
  });
});
