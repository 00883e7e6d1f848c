import { describe, expect, it } from 'vitest';
import { loadTrainingSettings } from '../../src/training/settings.ts';

describe('training settings', () => {
  it('has documented defaults and needs no role to estimate', () => {
    const config = loadTrainingSettings({});
    expect(config).toMatchObject({
      roleArn: undefined,
      instanceType: undefined,
      epochs: 3,
      instanceCount: 1,
      capMarginPercent: 20,
      overheadMinutes: 15,
      maxRuntimeHours: 100,
      batchSize: 4,
      hyperparameters: {},
      jumpstart: { modelId: 'meta-textgeneration-llama-2-7b', versionPin: '4.*', tolerateVulnerable: false },
    });
  });

  it('names the bad variable', () => {
    expect(() => loadTrainingSettings({ LOGTUNE_SAGEMAKER_ROLE_ARN: 'logtune-training' })).toThrow(
      /^LOGTUNE_SAGEMAKER_ROLE_ARN: expected an IAM role ARN/,
    );
    expect(
      loadTrainingSettings({ LOGTUNE_SAGEMAKER_ROLE_ARN: 'arn:aws-cn:iam::123456789012:role/path/to/r' }).roleArn,
    ).toContain('path/to/r');
    expect(() => loadTrainingSettings({ LOGTUNE_TRAINING_INSTANCE_TYPE: 'ml.g5.2xlarge' })).toThrow(
      /^LOGTUNE_TRAINING_INSTANCE_TYPE:/,
    );
    expect(() => loadTrainingSettings({ LOGTUNE_TRAINING_EPOCHS: '0' })).toThrow(/^LOGTUNE_TRAINING_EPOCHS:/);
    expect(() => loadTrainingSettings({ LOGTUNE_TRAINING_HYPERPARAMETERS: 'lr=1' })).toThrow(
      /^LOGTUNE_TRAINING_HYPERPARAMETERS: expected a JSON object/,
    );
    expect(() => loadTrainingSettings({ LOGTUNE_TRAINING_HYPERPARAMETERS: '{"a": [1]}' })).toThrow(
      /^LOGTUNE_TRAINING_HYPERPARAMETERS:/,
    );
    expect(() => loadTrainingSettings({ LOGTUNE_JUMPSTART_MODEL_VERSION: '4.x' })).toThrow(
      /^LOGTUNE_JUMPSTART_MODEL_VERSION:/,
    );
    expect(loadTrainingSettings({ LOGTUNE_JUMPSTART_MODEL_VERSION: '4.13.0' }).jumpstart.versionPin).toBe('4.13.0');
  });
});
