import { describe, expect, it } from 'vitest';
import type { StoredStats } from '../../src/dataset/output/stored.ts';
import { ConfigError, UsageError } from '../../src/errors.ts';
import { trainingJobName, trainingJobRequest, type TrainingJobSpec } from '../../src/training/request.ts';
import { loadTrainingSettings } from '../../src/training/settings.ts';
import { spec3, specModelChannel } from '../fixtures/jumpstart/specs.ts';
import { fixtureRecipe } from '../helpers/fakeJumpStart.ts';

const ROLE = 'arn:aws:iam::111122223333:role/logtune-training';
const stats = {
  datasetId: 'ds-20240401-20240531-20241201T120000-ab12',
  range: { start: '2024-04-01', end: '2024-05-31' },
  logsUri: 's3://logs/cf/',
  outUri: 's3://logtune-artifacts/datasets/ds-20240401-20240531-20241201T120000-ab12',
  settings: {
    labelField: 'ThreatLevel',
    dropFields: [],
    contextFormat: 'compact',
    maxInputLength: 1024,
    seed: 42,
    validationRatio: 0.1,
  },
  rows: { train: 9000, validation: 1000 },
  labels: {},
  tokens: { totalTokens: 1_500_000, meanTokens: 150, maxTokens: 400 },
  channels: {
    training: 's3://logtune-artifacts/datasets/ds-20240401-20240531-20241201T120000-ab12/train/',
    validation: 's3://logtune-artifacts/datasets/ds-20240401-20240531-20241201T120000-ab12/validation/',
  },
} as StoredStats;

function spec(overrides: Partial<TrainingJobSpec> = {}, env: Record<string, string> = {}): TrainingJobSpec {
  return {
    requestId: 'req-42',
    region: 'us-east-1',
    config: loadTrainingSettings({ LOGTUNE_SAGEMAKER_ROLE_ARN: ROLE, ...env }),
    recipe: fixtureRecipe(),
    instanceType: 'ml.g5.12xlarge',
    epochs: 3,
    dataset: { uri: stats.outUri, stats },
    artifactsUri: 's3://logtune-artifacts/',
    capUsd: 15.6,
    usdPerHour: 7.09,
    estimateUsd: { low: 6.5, likely: 8.86, high: 13 },
    requestedBy: 'U012ABCDEF (Ana)',
    approvedBy: "U0987ZYXW (O'Brien)",
    ...overrides,
  };
}

describe('training job name', () => {
  it('is derived from the request alone: same id, same name; SageMaker-valid; distinct ids stay distinct', () => {
    const name = trainingJobName('req-42');
    expect(trainingJobName('req-42')).toBe(name);
    const names = ['req-42', 'req_42', 'req.42', 'x'.repeat(300), 'C0123/1700000000.000100', '--'].map(trainingJobName);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(63);
      expect(n).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
    }
    expect(name.startsWith('logtune-ft-req-42-')).toBe(true);
  });
});

describe('training job request', () => {
  it("sends what the resolved spec says (reference §1.9), field by field: nothing but logtune's own values is fixed", () => {
    const { input, runtime } = trainingJobRequest(spec());
    const name = trainingJobName('req-42');
    expect(input.TrainingJobName).toBe(name);
    expect(input.RoleArn).toBe(ROLE);
    expect(input.AlgorithmSpecification).toEqual({
      TrainingImage: '111122223333.dkr.ecr.us-east-1.amazonaws.com/fixture-training:2.9.9-fixture',
      TrainingInputMode: 'File',
      MetricDefinitions: [
        { Name: 'fixture:train-loss', Regex: 'fixture_train_loss=([0-9\\.]+)' },
        { Name: 'fixture:eval-loss', Regex: 'fixture_eval_loss=([0-9\\.]+)' },
      ],
    });
    expect(input.HyperParameters).toEqual({
      epoch: '"3"',
      learning_rate: '"0.0001"',
      lora_dropout: '"0.05"',
      warmup_ratio: '"1e-05"',
      instruction_tuned: '"True"',
      chat_dataset: '"False"',
      max_input_length: '"1024"',
      per_device_train_batch_size: '"4"',
      enable_fsdp: '"True"',
      int8_quantization: '"False"',
      fixture_only_knob: '"spec-default-7"',
      sagemaker_program: '"transfer_learning.py"',
      sagemaker_submit_directory: '"/opt/ml/input/data/code/sourcedir.tar.gz"',
      sagemaker_container_log_level: '20',
      sagemaker_job_name: `"${name}"`,
      sagemaker_region: '"us-east-1"',
    });
    const channel = (ChannelName: string, S3Uri: string) => ({
      ChannelName,
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri, S3DataDistributionType: 'FullyReplicated' } },
    });
    expect(input.InputDataConfig).toEqual([
      channel('training', stats.channels!.training),
      channel('validation', stats.channels!.validation),
      channel(
        'code',
        's3://jumpstart-cache-prod-us-east-1/source-directory-tarballs/fixture/train/prepack/v9.1.1/sourcedir.tar.gz',
      ),
    ]);
    expect(input.OutputDataConfig).toEqual({ S3OutputPath: 's3://logtune-artifacts/models/', CompressionType: 'NONE' });
    // g5 has local NVMe: the spec's 256 GB does not apply, the SDK's default is sent.
    expect(input.ResourceConfig).toEqual({ InstanceType: 'ml.g5.12xlarge', InstanceCount: 1, VolumeSizeInGB: 30 });
    expect(input.StoppingCondition).toEqual({ MaxRuntimeInSeconds: runtime.maxRuntimeSeconds });
    expect(input.EnableNetworkIsolation).toBe(true);
    expect(input.EnableInterContainerTrafficEncryption).toBe(true);
    expect(input.Environment).toEqual({
      FIXTURE_TRAIN_ENV: 'g5-family',
      accept_eula: 'true',
      SageMakerGatedModelS3Uri:
        's3://jumpstart-private-cache-prod-us-east-1/fixture-training/g5/v9.0.0/train-fixture-7b.tar.gz',
    });
    expect(input.Tags).toEqual([
      { Key: 'sagemaker-sdk:jumpstart-model-id', Value: 'meta-textgeneration-llama-2-7b' },
      { Key: 'sagemaker-sdk:jumpstart-model-version', Value: '4.9.1' },
      { Key: 'logtune:request-id', Value: 'req-42' },
      { Key: 'logtune:requested-by', Value: 'U012ABCDEF _Ana_' },
      { Key: 'logtune:approved-by', Value: 'U0987ZYXW _O_Brien_' },
      { Key: 'logtune:cap-usd', Value: '15.60' },
      { Key: 'logtune:estimate-usd', Value: '6.50-13.00' },
      { Key: 'logtune:dataset-id', Value: stats.datasetId },
      { Key: 'logtune:range', Value: `${stats.range.start}..${stats.range.end}` },
    ]);
    expect(Object.keys(input).sort()).toEqual(
      [
        'AlgorithmSpecification',
        'EnableInterContainerTrafficEncryption',
        'EnableNetworkIsolation',
        'Environment',
        'HyperParameters',
        'InputDataConfig',
        'OutputDataConfig',
        'ResourceConfig',
        'RoleArn',
        'StoppingCondition',
        'Tags',
        'TrainingJobName',
      ].sort(),
    );
  });

  it("sends p3dn its own weights, hyperparameter overrides and metrics, not g5's", () => {
    const { input } = trainingJobRequest(spec({ instanceType: 'ml.p3dn.24xlarge' }));
    expect(input.Environment!.SageMakerGatedModelS3Uri).toBe(
      's3://jumpstart-private-cache-prod-us-east-1/fixture-training/p3dn/v9.0.0/train-fixture-7b.tar.gz',
    );
    expect(input.HyperParameters).toMatchObject({ int8_quantization: '"True"', enable_fsdp: '"False"' });
    expect(input.AlgorithmSpecification!.MetricDefinitions).toContainEqual({
      Name: 'fixture:train-loss',
      Regex: 'p3dn_train_loss=([0-9\\.]+)',
    });
    // The instance type's own environment wins over its family's.
    expect(trainingJobRequest(spec({ instanceType: 'ml.g5.48xlarge' })).input.Environment!.FIXTURE_TRAIN_ENV).toBe(
      'g5-48-own',
    );
  });

  it('refuses an instance type the spec gives no weights for, with the reason', () => {
    expect(() => trainingJobRequest(spec({ instanceType: 'ml.g4dn.12xlarge' }))).toThrow(
      /ml.g4dn.12xlarge cannot train .*no base weights/,
    );
    expect(() => trainingJobRequest(spec({ instanceType: 'ml.c5.xlarge' }))).toThrow(UsageError);
  });

  it('reads older specs (one unversioned key), and gives weights as a model channel where the spec has no keys', () => {
    const shared = trainingJobRequest(spec({ recipe: fixtureRecipe('us-east-1', spec3()) }));
    expect(shared.input.Environment!.SageMakerGatedModelS3Uri).toBe(
      's3://jumpstart-private-cache-prod-us-east-1/fixture-training/train-fixture-7b-shared.tar.gz',
    );
    const channelled = trainingJobRequest(spec({ recipe: fixtureRecipe('us-east-1', specModelChannel()) })).input;
    expect(channelled.Environment).toEqual({});
    expect(channelled.InputDataConfig!.at(-1)).toEqual({
      ChannelName: 'model',
      ContentType: 'application/x-sagemaker-model',
      InputMode: 'File',
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: 's3://jumpstart-private-cache-prod-us-east-1/fixture-training/train-fixture-7b-channel.tar.gz',
          S3DataDistributionType: 'FullyReplicated',
          ModelAccessConfig: { AcceptEula: true },
        },
      },
    });
  });

  it('sets MaxRuntimeInSeconds so that price × count × runtime ÷ 3600 stays within the cap shown', () => {
    for (const [capUsd, usdPerHour, count] of [
      [15.6, 7.09, 1],
      [123.45, 20.36, 1],
      [9.99, 10.18, 2],
      [2, 7.09, 1],
    ] as const) {
      const { input } = trainingJobRequest(
        spec({ capUsd, usdPerHour }, { LOGTUNE_TRAINING_INSTANCE_COUNT: String(count) }),
      );
      const seconds = input.StoppingCondition!.MaxRuntimeInSeconds!;
      expect(input.ResourceConfig!.InstanceCount).toBe(count);
      expect((usdPerHour * count * seconds) / 3600).toBeLessThanOrEqual(capUsd);
      expect((usdPerHour * count * (seconds + 1)) / 3600).toBeGreaterThan(capUsd);
    }
    expect(() => trainingJobRequest(spec({ capUsd: 1 }))).toThrow(UsageError);
  });

  it('omits the validation channel when the dataset has no validation rows; derives channels for older datasets', () => {
    const noValidation = { ...stats, rows: { train: 10, validation: 0 } } as StoredStats;
    const { input } = trainingJobRequest(spec({ dataset: { uri: stats.outUri, stats: noValidation } }));
    expect(input.InputDataConfig!.map((c) => c.ChannelName)).toEqual(['training', 'code']);
    const older = { ...stats, channels: undefined } as StoredStats;
    const derived = trainingJobRequest(spec({ dataset: { uri: 's3://b/datasets/ds-x', stats: older } })).input
      .InputDataConfig!;
    expect(derived.map((c) => c.DataSource!.S3DataSource!.S3Uri)).toEqual([
      's3://b/datasets/ds-x/train/',
      's3://b/datasets/ds-x/validation/',
      expect.stringContaining('sourcedir.tar.gz'),
    ]);
  });

  it('lets settings override spec hyperparameters, but never epoch, instruction tuning or the input length', () => {
    const { input } = trainingJobRequest(
      spec(
        { epochs: 2 },
        {
          LOGTUNE_TRAINING_BATCH_SIZE: '2',
          LOGTUNE_TRAINING_HYPERPARAMETERS:
            '{"learning_rate": 0.0002, "int8_quantization": true, "epoch": 9, "max_steps": 10}',
        },
      ),
    );
    expect(input.HyperParameters).toMatchObject({
      per_device_train_batch_size: '"2"',
      learning_rate: '"0.0002"',
      int8_quantization: '"True"',
      epoch: '"2"',
      max_steps: '"10"',
      instruction_tuned: '"True"',
    });
  });

  it("refuses a max_input_length other than the one the dataset's examples were cut to", () => {
    // The spec's -1 is the script's 1024; a dataset cut to 512 would be fine, but not one the trainer would cut again.
    const cutTo2048 = { ...stats, settings: { ...stats.settings, maxInputLength: 2048 } } as StoredStats;
    expect(() => trainingJobRequest(spec({ dataset: { uri: stats.outUri, stats: cutTo2048 } }))).toThrow(
      /built for max_input_length 2048, but the training uses 1024 \(the JumpStart spec\)/,
    );
    const override = { LOGTUNE_TRAINING_HYPERPARAMETERS: '{"max_input_length": 2048}' };
    expect(
      trainingJobRequest(spec({ dataset: { uri: stats.outUri, stats: cutTo2048 } }, override)).input.HyperParameters,
    ).toMatchObject({ max_input_length: '"2048"' });
    expect(() => trainingJobRequest(spec({}, override))).toThrow(/or change the override/);
  });

  it('trains on the subset budget= wrote, when there is one', () => {
    const base = `${stats.outUri}/subsets/req-42/`;
    const subset = { channels: { training: `${base}train/`, validation: `${base}validation/` }, validationRows: 12 };
    const uris = (s: TrainingJobSpec) =>
      trainingJobRequest(s).input.InputDataConfig!.map((c) => c.DataSource!.S3DataSource!.S3Uri);
    expect(uris(spec({ subset })).slice(0, 2)).toEqual([`${base}train/`, `${base}validation/`]);
    expect(uris(spec({ subset: { ...subset, validationRows: 0 } }))[1]).not.toContain('/validation/');
  });

  it('refuses clearly what SageMaker cannot run', () => {
    expect(() => trainingJobRequest(spec({}, { LOGTUNE_SAGEMAKER_ROLE_ARN: '' }))).toThrow(
      'LOGTUNE_SAGEMAKER_ROLE_ARN: is required',
    );
    expect(() => trainingJobRequest(spec({ artifactsUri: '/tmp/artifacts' }))).toThrow(ConfigError);
    const local = { ...stats, channels: undefined } as StoredStats;
    expect(() => trainingJobRequest(spec({ dataset: { uri: '/data/ds-1', stats: local } }))).toThrow(
      'SageMaker trains only on a dataset in S3',
    );
    // A recipe resolved for another region is never sent.
    expect(() => trainingJobRequest(spec({ region: 'eu-west-1' }))).toThrow('resolved for us-east-1');
  });
});
