import { describe, expect, it } from 'vitest';
import { loadDataSettings } from '../src/dataset/settings.ts';
import { ConfigError } from '../src/errors.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadDataSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadDataSettings', () => {
  it('applies the documented defaults', () => {
    const config = loadDataSettings({});
    expect(config).toMatchObject({
      logsUri: undefined,
      logsLayout: 'auto',
      artifactsUri: undefined,
      labelField: 'ThreatLevel',
      dropFields: ['x-edge-request-id'],
      maxRangeDays: 366,
      fetchConcurrency: 16,
      s3ForcePathStyle: false,
      s3FastGet: true,
      maxFileBytes: 256 * 1024 * 1024,
    });
    expect(Number.isInteger(config.parseWorkers)).toBe(true);
    expect(config.parseWorkers).toBeGreaterThanOrEqual(0);
  });

  it('reads every setting', () => {
    const config = loadDataSettings({
      LOGTUNE_LOGS_URI: 's3://logs/cf/',
      LOGTUNE_LOGS_LAYOUT: '{yyyy}/{MM}/{dd}/{HH}/',
      LOGTUNE_ARTIFACTS_URI: '/data/artifacts',
      LOGTUNE_LABEL_FIELD: 'Label',
      LOGTUNE_DROP_FIELDS: ' x-edge-request-id, c-ip ,,cs(Cookie)',
      LOGTUNE_MAX_RANGE_DAYS: '31',
      LOGTUNE_FETCH_CONCURRENCY: '4',
      LOGTUNE_PARSE_WORKERS: '0',
      LOGTUNE_S3_FORCE_PATH_STYLE: 'true',
      LOGTUNE_S3_FAST_GET: 'false',
      LOGTUNE_MAX_FILE_MB: '8',
    });
    expect(config).toEqual({
      logsUri: 's3://logs/cf/',
      logsLayout: '{yyyy}/{MM}/{dd}/{HH}/',
      artifactsUri: '/data/artifacts',
      labelField: 'Label',
      dropFields: ['x-edge-request-id', 'c-ip', 'cs(Cookie)'],
      maxRangeDays: 31,
      fetchConcurrency: 4,
      parseWorkers: 0,
      s3ForcePathStyle: true,
      s3FastGet: false,
      maxFileBytes: 8 * 1024 * 1024,
    });
  });

  it('is frozen, drop fields included', () => {
    const config = loadDataSettings({ LOGTUNE_DROP_FIELDS: 'a,b' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.dropFields)).toBe(true);
    expect(() => {
      (config as { labelField: string }).labelField = 'x';
    }).toThrow(TypeError);
  });

  it('treats blank values as unset', () => {
    const config = loadDataSettings({
      LOGTUNE_LOGS_URI: '  ',
      LOGTUNE_LABEL_FIELD: '',
      LOGTUNE_FETCH_CONCURRENCY: ' ',
    });
    expect(config.logsUri).toBeUndefined();
    expect(config.labelField).toBe('ThreatLevel');
    expect(config.fetchConcurrency).toBe(16);
  });

  it('reads only the env it is given', () => {
    const previous = process.env.LOGTUNE_LABEL_FIELD;
    process.env.LOGTUNE_LABEL_FIELD = 'FromProcessEnv';
    try {
      expect(loadDataSettings({}).labelField).toBe('ThreatLevel');
    } finally {
      if (previous === undefined) delete process.env.LOGTUNE_LABEL_FIELD;
      else process.env.LOGTUNE_LABEL_FIELD = previous;
    }
  });

  it.each([
    ['LOGTUNE_FETCH_CONCURRENCY', '0'],
    ['LOGTUNE_FETCH_CONCURRENCY', 'many'],
    ['LOGTUNE_FETCH_CONCURRENCY', '1000'],
    ['LOGTUNE_PARSE_WORKERS', '-1'],
    ['LOGTUNE_PARSE_WORKERS', '2.5'],
    ['LOGTUNE_MAX_RANGE_DAYS', 'forever'],
    ['LOGTUNE_S3_FORCE_PATH_STYLE', 'maybe'],
  ])('names %s in one line when it is invalid (%j)', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.code).toBe('config');
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message.length).toBeGreaterThan(variable.length + 2);
    expect(error.message).not.toContain('\n');
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads LOGTUNE_S3_FORCE_PATH_STYLE=%s as %s', (value, expected) => {
    expect(loadDataSettings({ LOGTUNE_S3_FORCE_PATH_STYLE: value }).s3ForcePathStyle).toBe(expected);
  });
});
