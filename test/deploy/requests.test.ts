import { describe, expect, it } from 'vitest';
import { gpusOf, hostingConfig, inferenceImage } from '../../src/deploy/hosting.ts';
import { deployInputs, deployNames, modelData, type DeployRequest } from '../../src/deploy/requests.ts';
import { loadHostingSettings } from '../../src/deploy/settings.ts';
import { ConfigError, UsageError } from '../../src/errors.ts';

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
    const { createModel, names } = deployInputs(request, hostingConfig(loadHostingSettings({}), 'us-east-1'));
    expect(names).toEqual({
      model: 'logtune-dep-20240601-0007',
      endpointConfig: 'logtune-dep-20240601-0007',
      endpoint: 'logtune-dep-20240601-0007',
    });
    expect(createModel).toEqual({
      ModelName: 'logtune-dep-20240601-0007',
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image:
          '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.0.1-tgi1.1.0-gpu-py39-cu118-ubuntu20.04',
        Environment: {
          SAGEMAKER_PROGRAM: 'inference.py',
          ENDPOINT_SERVER_TIMEOUT: '3600',
          MODEL_CACHE_ROOT: '/opt/ml/model',
          SAGEMAKER_ENV: '1',
          HF_MODEL_ID: '/opt/ml/model',
          MAX_INPUT_LENGTH: '4095',
          MAX_TOTAL_TOKENS: '4096',
          SM_NUM_GPUS: '1',
          SAGEMAKER_MODEL_SERVER_WORKERS: '1',
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
    const settings = loadHostingSettings({
      LOGTUNE_ENDPOINT_INSTANCE: 'ml.g5.12xlarge',
      LOGTUNE_ENDPOINT_STARTUP_TIMEOUT: '3600',
    });
    const withJumpStart = { ...request, jumpstart: { modelId: 'meta-textgeneration-llama-2-7b', version: '4.13.0' } };
    const inputs = deployInputs(withJumpStart, hostingConfig(settings, 'eu-west-1'));
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
          ModelDataDownloadTimeoutInSeconds: 3600,
          ContainerStartupHealthCheckTimeoutInSeconds: 3600,
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

describe('hosting config', () => {
  it('gives the GPUs TGI shards over, per instance type', () => {
    expect(
      ['ml.g5.2xlarge', 'ml.g5.4xlarge', 'ml.g5.12xlarge', 'ml.g5.48xlarge', 'ml.p4d.24xlarge', 'ml.m5.xlarge'].map(
        gpusOf,
      ),
    ).toEqual([1, 1, 4, 8, 8, undefined]);
  });

  it('needs a GPU count for an instance type it does not know', () => {
    expect(() =>
      hostingConfig(loadHostingSettings({ LOGTUNE_ENDPOINT_INSTANCE: 'ml.inf2.xlarge' }), 'us-east-1'),
    ).toThrow(/LOGTUNE_ENDPOINT_GPUS/);
    const config = hostingConfig(
      loadHostingSettings({ LOGTUNE_ENDPOINT_INSTANCE: 'ml.inf2.xlarge', LOGTUNE_ENDPOINT_GPUS: '2' }),
      'us-east-1',
    );
    expect(config.environment.SM_NUM_GPUS).toBe('2');
  });

  it('takes the image from the region DLC account', () => {
    expect(inferenceImage('me-south-1', 't')).toBe(
      '217643126080.dkr.ecr.me-south-1.amazonaws.com/huggingface-pytorch-tgi-inference:t',
    );
    expect(inferenceImage('cn-north-1', 't')).toBe(
      '727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-pytorch-tgi-inference:t',
    );
    expect(() => inferenceImage('xx-nowhere-1', 't')).toThrow(ConfigError);
  });
});
