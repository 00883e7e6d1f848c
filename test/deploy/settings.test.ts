import { describe, expect, it } from 'vitest';
import { loadHostingSettings } from '../../src/deploy/settings.ts';
import { loadInferenceSettings } from '../../src/inference/settings.ts';
import { ConfigError } from '../../src/errors.ts';

describe('deploy and inference settings', () => {
  it('default to the documented values', () => {
    expect(loadHostingSettings({})).toEqual({
      instanceType: 'ml.g5.2xlarge',
      gpus: undefined,
      imageTag: '2.0.1-tgi1.1.0-gpu-py39-cu118-ubuntu20.04',
      maxInputLength: 4095,
      maxTotalTokens: 4096,
      startupTimeoutSeconds: 1200,
    });
    expect(loadInferenceSettings({})).toEqual({ maxLines: 50, invokeConcurrency: 4, invokeTimeoutMs: 20_000 });
  });

  it('read every setting', () => {
    expect(
      loadHostingSettings({
        LOGTUNE_ENDPOINT_INSTANCE: 'ml.g5.12xlarge',
        LOGTUNE_ENDPOINT_GPUS: '4',
        LOGTUNE_INFERENCE_IMAGE_TAG: '2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04',
        LOGTUNE_ENDPOINT_MAX_INPUT_LENGTH: '2048',
        LOGTUNE_ENDPOINT_MAX_TOTAL_TOKENS: '2100',
        LOGTUNE_ENDPOINT_STARTUP_TIMEOUT: '3600',
      }),
    ).toEqual({
      instanceType: 'ml.g5.12xlarge',
      gpus: 4,
      imageTag: '2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04',
      maxInputLength: 2048,
      maxTotalTokens: 2100,
      startupTimeoutSeconds: 3600,
    });
    expect(
      loadInferenceSettings({ LOGTUNE_MAX_LINES: '10', LOGTUNE_INVOKE_CONCURRENCY: '8', LOGTUNE_INVOKE_TIMEOUT: '70' }),
    ).toEqual({
      maxLines: 10,
      invokeConcurrency: 8,
      invokeTimeoutMs: 70_000,
    });
  });

  it.each([
    [{ LOGTUNE_ENDPOINT_INSTANCE: 'g5.2xlarge' }, 'LOGTUNE_ENDPOINT_INSTANCE'],
    [{ LOGTUNE_INFERENCE_IMAGE_TAG: 'latest; rm -rf' }, 'LOGTUNE_INFERENCE_IMAGE_TAG'],
    [{ LOGTUNE_ENDPOINT_STARTUP_TIMEOUT: '7200' }, 'LOGTUNE_ENDPOINT_STARTUP_TIMEOUT'],
    [{ LOGTUNE_ENDPOINT_MAX_TOTAL_TOKENS: '4095' }, 'LOGTUNE_ENDPOINT_MAX_TOTAL_TOKENS'],
  ])('name the bad hosting setting %j', (env, variable) => {
    expect(() => loadHostingSettings(env)).toThrow(ConfigError);
    expect(() => loadHostingSettings(env)).toThrow(new RegExp(`^${variable}:`));
  });

  it.each([
    [{ LOGTUNE_MAX_LINES: '0' }, 'LOGTUNE_MAX_LINES'],
    [{ LOGTUNE_INVOKE_TIMEOUT: '71' }, 'LOGTUNE_INVOKE_TIMEOUT'],
    [{ LOGTUNE_INVOKE_CONCURRENCY: 'many' }, 'LOGTUNE_INVOKE_CONCURRENCY'],
  ])('name the bad inference setting %j', (env, variable) => {
    expect(() => loadInferenceSettings(env)).toThrow(new RegExp(`^${variable}:`));
  });
});
