import { describe, expect, it } from 'vitest';
import type { StoredStats } from '../../src/dataset/output/stored.ts';
import { ConfigError, UsageError } from '../../src/errors.ts';
import { trainingJobName, trainingJobRequest, type TrainingJobSpec } from '../../src/training/request.ts';
import { loadTrainingSettings } from '../../src/training/settings.ts';

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
    maxInputLength: 512,
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
  it('matches the request JumpStartEstimator sends (reference §1.9), field by field', () => {
    const { input, runtime } = trainingJobRequest(spec());
    const name = trainingJobName('req-42');
    expect(input.TrainingJobName).toBe(name);
    expect(input.RoleArn).toBe(ROLE);
    expect(input.AlgorithmSpecification).toEqual({
      TrainingImage:
        '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04',
      TrainingInputMode: 'File',
      MetricDefinitions: [
        { Name: 'huggingface-textgeneration:eval-loss', Regex: 'eval_epoch_loss=tensor\\(([0-9\\.]+)' },
        { Name: 'huggingface-textgeneration:eval-ppl', Regex: 'eval_ppl=tensor\\(([0-9\\.]+)' },
        { Name: 'huggingface-textgeneration:train-loss', Regex: 'train_epoch_loss=([0-9\\.]+)' },
      ],
    });
    expect(input.HyperParameters).toEqual({
      epoch: '"3"',
      learning_rate: '"0.0001"',
      instruction_tuned: '"True"',
      chat_dataset: '"False"',
      add_input_output_demarcation_key: '"True"',
      per_device_train_batch_size: '"4"',
      per_device_eval_batch_size: '"1"',
      max_train_samples: '"-1"',
      max_val_samples: '"-1"',
      seed: '"10"',
      max_input_length: '"512"',
      validation_split_ratio: '"0.2"',
      train_data_split_seed: '"0"',
      preprocessing_num_workers: '"None"',
      lora_r: '"8"',
      lora_alpha: '"32"',
      lora_dropout: '"0.05"',
      int8_quantization: '"False"',
      enable_fsdp: '"True"',
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
        's3://jumpstart-cache-prod-us-east-1/source-directory-tarballs/meta/transfer_learning/textgeneration/prepack/v1.0.1/sourcedir.tar.gz',
      ),
    ]);
    expect(input.OutputDataConfig).toEqual({ S3OutputPath: 's3://logtune-artifacts/models/', CompressionType: 'NONE' });
    expect(input.ResourceConfig).toEqual({ InstanceType: 'ml.g5.12xlarge', InstanceCount: 1, VolumeSizeInGB: 30 });
    expect(input.StoppingCondition).toEqual({ MaxRuntimeInSeconds: runtime.maxRuntimeSeconds });
    expect(input.EnableNetworkIsolation).toBe(true);
    expect(input.EnableInterContainerTrafficEncryption).toBe(true);
    expect(input.Environment).toEqual({
      accept_eula: 'true',
      SageMakerGatedModelS3Uri:
        's3://jumpstart-private-cache-prod-us-east-1/meta-training/train-meta-textgeneration-llama-2-7b.tar.gz',
      SELF_DESTRUCT: 'true',
    });
    expect(input.Tags).toEqual([
      { Key: 'sagemaker-sdk:jumpstart-model-id', Value: 'meta-textgeneration-llama-2-7b' },
      { Key: 'sagemaker-sdk:jumpstart-model-version', Value: '3.0.0' },
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

  it('refuses clearly what SageMaker cannot run', () => {
    expect(() => trainingJobRequest(spec({}, { LOGTUNE_SAGEMAKER_ROLE_ARN: '' }))).toThrow(
      'LOGTUNE_SAGEMAKER_ROLE_ARN: is required',
    );
    expect(() => trainingJobRequest(spec({ artifactsUri: '/tmp/artifacts' }))).toThrow(ConfigError);
    const local = { ...stats, channels: undefined } as StoredStats;
    expect(() => trainingJobRequest(spec({ dataset: { uri: '/data/ds-1', stats: local } }))).toThrow(
      'SageMaker trains only on a dataset in S3',
    );
    expect(() => trainingJobRequest(spec({ region: 'xx-nowhere-1' }))).toThrow('LOGTUNE_JUMPSTART_TRAINING_IMAGE');
    const full = trainingJobRequest(
      spec(
        { region: 'xx-nowhere-1' },
        { LOGTUNE_JUMPSTART_TRAINING_IMAGE: '123.dkr.ecr.xx-nowhere-1.amazonaws.com/hf:tag' },
      ),
    );
    expect(full.input.AlgorithmSpecification!.TrainingImage).toBe('123.dkr.ecr.xx-nowhere-1.amazonaws.com/hf:tag');
  });
});
