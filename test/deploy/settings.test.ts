import { describe, expect, it } from 'vitest';
import { loadHostingSettings } from '../../src/deploy/settings.ts';
import { loadInferenceSettings } from '../../src/inference/settings.ts';
import { ConfigError } from '../../src/errors.ts';

describe('deploy and inference settings', () => {
  it('default to the spec (no instance type chosen) and read every setting', () => {
    expect(loadHostingSettings({})).toEqual({ instanceType: undefined });
    expect(loadHostingSettings({ LOGTUNE_ENDPOINT_INSTANCE: 'ml.g5.12xlarge' })).toEqual({
      instanceType: 'ml.g5.12xlarge',
    });
    expect(loadInferenceSettings({})).toEqual({ maxLines: 2000, invokeConcurrency: 4, invokeTimeoutMs: 20_000 });
    expect(
      loadInferenceSettings({ LOGTUNE_MAX_LINES: '10', LOGTUNE_INVOKE_CONCURRENCY: '8', LOGTUNE_INVOKE_TIMEOUT: '70' }),
    ).toEqual({
      maxLines: 10,
      invokeConcurrency: 8,
      invokeTimeoutMs: 70_000,
    });
  });

  it.each([[{ LOGTUNE_ENDPOINT_INSTANCE: 'g5.2xlarge' }, 'LOGTUNE_ENDPOINT_INSTANCE']])(
    'name the bad hosting setting %j',
    (env, variable) => {
      expect(() => loadHostingSettings(env)).toThrow(ConfigError);
      expect(() => loadHostingSettings(env)).toThrow(new RegExp(`^${variable}:`));
    },
  );

  it.each([
    [{ LOGTUNE_MAX_LINES: '0' }, 'LOGTUNE_MAX_LINES'],
    [{ LOGTUNE_INVOKE_TIMEOUT: '71' }, 'LOGTUNE_INVOKE_TIMEOUT'],
    [{ LOGTUNE_INVOKE_CONCURRENCY: 'many' }, 'LOGTUNE_INVOKE_CONCURRENCY'],
  ])('name the bad inference setting %j', (env, variable) => {
    expect(() => loadInferenceSettings(env)).toThrow(new RegExp(`^${variable}:`));
  });
});
