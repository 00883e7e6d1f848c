import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostingConfig } from '../../src/deploy/hosting.ts';
import { loadHostingSettings } from '../../src/deploy/settings.ts';
import { spec4 } from '../fixtures/jumpstart/specs.ts';
import { fixtureRecipe } from '../helpers/fakeJumpStart.ts';

/**
 * The request builders carry no value of a JumpStart spec: images, keys, buckets of weights, environment variables,
 * hyperparameter defaults, metric regexes and instance types all come from the resolved recipe. What a spec of the
 * real model holds (shared/reference/aws.md §1, §3) is listed here; none of it may appear in their source.
 */
const BUILDERS = ['src/training/jumpstart.ts', 'src/training/request.ts', 'src/deploy/hosting.ts'];
const SPEC_VALUES = [
  /dkr\.ecr/,
  /huggingface-pytorch/,
  /tgi/i,
  /djl/,
  /source-directory-tarballs/,
  /meta-training/,
  /jumpstart-private-cache/,
  /SM_NUM_GPUS|HF_MODEL_ID|SAGEMAKER_PROGRAM|MAX_INPUT_LENGTH|MAX_TOTAL_TOKENS|SELF_DESTRUCT|ENDPOINT_SERVER_TIMEOUT/,
  /eval_epoch_loss|train_epoch_loss|eval_ppl/,
  /\bml\.[a-z0-9]+\.[a-z0-9]+/,
  /learning_rate|lora_|enable_fsdp|int8_quantization|per_device_eval|validation_split_ratio/,
  /0\.0001|360000|\b1200\b|\b4095\b|\b4096\b/,
  /transformers4|pytorch2|cu1[12]\d/,
];

describe('request builders', () => {
  for (const file of BUILDERS) {
    it(`${file} holds no JumpStart spec value`, () => {
      const code = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*\*)/.test(line))
        .join('\n');
      for (const pattern of SPEC_VALUES) expect(code, String(pattern)).not.toMatch(pattern);
    });
  }

  it("hosting sends the spec version's image, environment, timeouts and default type", () => {
    const recipe = fixtureRecipe('eu-west-1');
    const config = hostingConfig(recipe, loadHostingSettings({}));
    expect(config).toEqual({
      image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/fixture-tgi-inference:9.9-tgi',
      environment: {
        HF_MODEL_ID: '/opt/ml/model',
        MAX_INPUT_LENGTH: '4095',
        MAX_TOTAL_TOKENS: '4096',
        FIXTURE_HOST_ENV: 'tgi',
      },
      instanceType: 'ml.g5.2xlarge',
      networkIsolation: true,
      startupTimeoutSeconds: 1222,
      modelDataDownloadTimeoutSeconds: 1111,
    });
    expect(
      hostingConfig(recipe, loadHostingSettings({ LOGTUNE_ENDPOINT_INSTANCE: 'ml.g5.12xlarge' })).environment
        .SM_NUM_GPUS,
    ).toBe('4');
    expect(() => hostingConfig(recipe, loadHostingSettings({ LOGTUNE_ENDPOINT_INSTANCE: 'ml.inf2.xlarge' }))).toThrow(
      /cannot be hosted on ml\.inf2\.xlarge .*offers ml\.g5\.2xlarge, ml\.g5\.12xlarge \(LOGTUNE_ENDPOINT_INSTANCE\)/,
    );
    // A change in the spec changes what is sent: nothing is remembered from elsewhere.
    const other = { ...spec4(), inference_config_rankings: { overall: { rankings: ['lmi', 'tgi'] } } };
    expect(hostingConfig(fixtureRecipe('us-east-1', other), loadHostingSettings({})).image).toMatch(
      /fixture-lmi-inference/,
    );
  });
});
