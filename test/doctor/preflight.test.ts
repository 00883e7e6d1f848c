import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { ListServiceQuotasCommand } from '@aws-sdk/client-service-quotas';
import { describe, expect, it } from 'vitest';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { loadHostingSettings } from '../../src/deploy/settings.ts';
import { doctorContext } from '../../src/doctor/open.ts';
import { Preflight, PREFLIGHT_TTL_MS } from '../../src/doctor/preflight.ts';
import { loadTrainingSettings } from '../../src/training/settings.ts';
import { fixtureRecipe } from '../helpers/fakeJumpStart.ts';
import { quotasAbove, readyDoctorAws } from '../helpers/fakeDoctorAws.ts';
import { ManualClock } from '../slack/support.ts';

const ROLE = 'arn:aws:iam::111122223333:role/logtune-training';
const MODEL = 's3://artifacts/logtune/models/job-1/output/model.tar.gz';

function preflight(doctor = readyDoctorAws(), clock = new ManualClock()) {
  const settings = {
    data: loadDataSettings({ LOGTUNE_ARTIFACTS_URI: 's3://artifacts/logtune/' }),
    training: loadTrainingSettings({ LOGTUNE_SAGEMAKER_ROLE_ARN: ROLE }),
    hosting: loadHostingSettings({}),
  };
  const recipe = fixtureRecipe();
  const checks = new Preflight({
    context: () => doctorContext(doctor.aws, settings, { recipe: async () => recipe }, () => new Date(clock.now())),
    clock,
  });
  return { checks, doctor, clock, recipe };
}

describe('Preflight (the checks before an approval)', () => {
  it('passes a ready account for train and deploy, running only the checks that concern each', async () => {
    const { checks, doctor } = preflight();
    expect(await checks.failures({ use: 'train', instanceType: undefined })).toEqual([]);
    // train: the spec's objects are probed; deploy: the job's model, and not the spec's.
    const trainHeads = doctor.s3.commandCalls(HeadObjectCommand).length;
    expect(trainHeads).toBeGreaterThan(0);
    expect(await checks.failures({ use: 'deploy', instanceType: 'ml.g5.2xlarge', modelArtifacts: MODEL })).toEqual([]);
    const deployHeads = doctor.s3.commandCalls(HeadObjectCommand).slice(trainHeads);
    expect(deployHeads.map((c) => c.args[0].input.Key)).toEqual(['logtune/models/job-1/output/model.tar.gz']);
  });

  it('checks the quota of the type asked for, or the spec default, not every type the spec offers', async () => {
    const { checks, doctor, recipe } = preflight();
    doctor.quotas.on(ListServiceQuotasCommand).resolves({ Quotas: quotasAbove(['ml.p3dn.24xlarge']) });
    expect(recipe.training.defaultInstanceType).not.toBe('ml.p3dn.24xlarge');
    expect(await checks.failures({ use: 'train', instanceType: undefined })).toEqual([]);
    const [refused] = await checks.failures({ use: 'train', instanceType: 'ml.p3dn.24xlarge' });
    expect(refused).toMatchObject({ name: 'training quota', status: 'fail' });
  });

  it('refuses a deploy whose model is gone, or whose hosting type has no quota', async () => {
    const { checks, doctor } = preflight();
    doctor.s3
      .on(HeadObjectCommand, { Key: 'logtune/models/job-1/output/model.tar.gz' })
      .rejects(Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }));
    const gone = await checks.failures({ use: 'deploy', instanceType: 'ml.g5.2xlarge', modelArtifacts: MODEL });
    expect(gone.map((r) => r.name)).toEqual(['model artifacts']);
    doctor.quotas.on(ListServiceQuotasCommand).resolves({ Quotas: quotasAbove(['ml.g5.2xlarge']) });
    const other = 's3://artifacts/logtune/models/job-2/output/model.tar.gz';
    const zero = await checks.failures({ use: 'deploy', instanceType: 'ml.g5.2xlarge', modelArtifacts: other });
    expect(zero.map((r) => [r.name, r.detail])).toEqual([
      ['hosting quota', '0 in us-east-1: ml.g5.2xlarge for endpoint usage'],
    ]);
  });

  it('remembers a pass for a few minutes by the injected clock, and a failure not at all', async () => {
    const { checks, doctor, clock } = preflight();
    const asked = () => doctor.quotas.commandCalls(ListServiceQuotasCommand).length;
    await checks.failures({ use: 'train', instanceType: undefined });
    expect(asked()).toBe(1);
    clock.advance(PREFLIGHT_TTL_MS - 1);
    await checks.failures({ use: 'train', instanceType: undefined });
    expect(asked()).toBe(1);
    clock.advance(2);
    await checks.failures({ use: 'train', instanceType: undefined });
    expect(asked()).toBe(2);
    // Another type is another question.
    await checks.failures({ use: 'train', instanceType: 'ml.g5.24xlarge' });
    expect(asked()).toBe(3);
    doctor.quotas.on(ListServiceQuotasCommand).resolves({ Quotas: quotasAbove(['ml.g5.48xlarge']) });
    expect(await checks.failures({ use: 'train', instanceType: 'ml.g5.48xlarge' })).toHaveLength(1);
    expect(await checks.failures({ use: 'train', instanceType: 'ml.g5.48xlarge' })).toHaveLength(1);
    expect(asked()).toBe(5);
  });
});
