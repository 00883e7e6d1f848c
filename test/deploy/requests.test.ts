import { describe, expect, it } from 'vitest';
import { hostingConfig } from '../../src/deploy/hosting.ts';
import { deployInputs, deployNames, modelData, type DeployRequest } from '../../src/deploy/requests.ts';
import { loadHostingSettings } from '../../src/deploy/settings.ts';
import { UsageError } from '../../src/errors.ts';
import { fixtureRecipe } from '../helpers/fakeJumpStart.ts';

const ROLE = 'arn:aws:iam::123456789012:role/logtune-sagemaker';
const request: DeployRequest = {
  requestId: 'dep-20240601-0007',
  trainingJobName: 'logtune-ft-20240601-120000',
  datasetId: 'ds-20240401-20240531-20240601T120000-abcd',
  modelArtifacts: 's3://ml-artifacts/logtune/output/logtune-ft-20240601-120000/output/model',
  roleArn: ROLE,
};

describe('deploy requests (shared/reference/aws.md §3.2)', () => {
  it('creates the model from the uncompressed training output with the TGI image and the spec environment', () => {
    const { createModel, names } = deployInputs(request, hostingConfig(fixtureRecipe(), loadHostingSettings({})));
    expect(names).toEqual({
      model: 'logtune-dep-20240601-0007',
      endpointConfig: 'logtune-dep-20240601-0007',
      endpoint: 'logtune-dep-20240601-0007',
    });
    expect(createModel).toEqual({
      ModelName: 'logtune-dep-20240601-0007',
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/fixture-tgi-inference:9.9-tgi',
        Environment: {
          HF_MODEL_ID: '/opt/ml/model',
          MAX_INPUT_LENGTH: '4095',
          MAX_TOTAL_TOKENS: '4096',
          FIXTURE_HOST_ENV: 'tgi',
        },
        ModelDataSource: {
          S3DataSource: {
            S3Uri: 's3://ml-artifacts/logtune/output/logtune-ft-20240601-120000/output/model/',
            S3DataType: 'S3Prefix',
            CompressionType: 'None',
          },
        },
      },
      EnableNetworkIsolation: true,
      Tags: [
        { Key: 'logtune:deploy-request', Value: 'dep-20240601-0007' },
        { Key: 'logtune:dataset', Value: 'ds-20240401-20240531-20240601T120000-abcd' },
        { Key: 'logtune:training-job', Value: 'logtune-ft-20240601-120000' },
      ],
    });
    // The fine-tuned weights are the account's own: no EULA fields at deploy time.
    expect(JSON.stringify(createModel)).not.toContain('AcceptEula');
  });

  it('points a compressed output at its file with ModelDataUrl, and keeps a prefix that already ends in /', () => {
    expect(modelData('s3://b/out/job/output/model.tar.gz')).toEqual({
      ModelDataUrl: 's3://b/out/job/output/model.tar.gz',
    });
    expect(modelData('s3://b/out/job/output/model/')).toEqual({
      ModelDataSource: {
        S3DataSource: { S3Uri: 's3://b/out/job/output/model/', S3DataType: 'S3Prefix', CompressionType: 'None' },
      },
    });
    expect(() => modelData('/local/model')).toThrow(UsageError);
  });

  it('configures one instance of the hosting type with the spec timeouts, and an endpoint on that config', () => {
    const settings = loadHostingSettings({ LOGTUNE_ENDPOINT_INSTANCE: 'ml.g5.12xlarge' });
    const withJumpStart = { ...request, jumpstart: { modelId: 'meta-textgeneration-llama-2-7b', version: '4.13.0' } };
    const inputs = deployInputs(withJumpStart, hostingConfig(fixtureRecipe('eu-west-1'), settings));
    const tags = inputs.createModel.Tags;
    expect(tags?.slice(3)).toEqual([
      { Key: 'sagemaker-sdk:jumpstart-model-id', Value: 'meta-textgeneration-llama-2-7b' },
      { Key: 'sagemaker-sdk:jumpstart-model-version', Value: '4.13.0' },
    ]);
    expect(inputs.createModel.PrimaryContainer?.Environment?.SM_NUM_GPUS).toBe('4');
    expect(inputs.createEndpointConfig).toEqual({
      EndpointConfigName: 'logtune-dep-20240601-0007',
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: 'logtune-dep-20240601-0007',
          InitialVariantWeight: 1,
          InitialInstanceCount: 1,
          InstanceType: 'ml.g5.12xlarge',
          ModelDataDownloadTimeoutInSeconds: 1111,
          ContainerStartupHealthCheckTimeoutInSeconds: 1222,
        },
      ],
      Tags: tags,
    });
    expect(inputs.createEndpoint).toEqual({
      EndpointName: 'logtune-dep-20240601-0007',
      EndpointConfigName: 'logtune-dep-20240601-0007',
      Tags: tags,
    });
  });
});

describe('deploy names', () => {
  const VALID = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

  it('are the same for the same request and valid SageMaker names whatever the id', () => {
    for (const id of ['dep-1', 'a_b.c', 'x'.repeat(200), '---', 'Deploy 42 / retry', '01HZX3K5Q8', '€']) {
      const { endpoint } = deployNames(id);
      expect(endpoint).toMatch(VALID);
      expect(endpoint.length).toBeLessThanOrEqual(63);
      expect(deployNames(id).endpoint).toBe(endpoint);
    }
  });

  it('differ for ids that clean up the same way', () => {
    const names = new Set(
      ['a_b', 'a.b', 'a-b', 'a b', `${'y'.repeat(80)}1`, `${'y'.repeat(80)}2`].map((id) => deployNames(id).endpoint),
    );
    expect(names.size).toBe(6);
  });
});
