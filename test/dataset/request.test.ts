import { describe, expect, it } from 'vitest';
import { loadDataSettings, type DataSettings } from '../../src/dataset/settings.ts';
import { DATASET_USAGE, parseDatasetArgs } from '../../src/dataset/request/args.ts';
import { BUILD_DEFAULTS, buildKey, resolveBuildRequest, type BuildOptions } from '../../src/dataset/request/request.ts';
import { ConfigError, UsageError } from '../../src/errors.ts';

const NOW = new Date('2024-06-10T12:00:00Z');
const ENV = {
  LOGTUNE_LOGS_URI: 's3://my-logs/cloudfront/',
  LOGTUNE_ARTIFACTS_URI: 's3://my-artifacts/logtune',
  LOGTUNE_PARSE_WORKERS: '0',
};

function config(env: Record<string, string> = ENV): DataSettings {
  return loadDataSettings(env);
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('parseDatasetArgs', () => {
  const operator = { allowOperatorFlags: true };
  const slack = { allowOperatorFlags: false };

  it('takes the range from the positionals, joined', () => {
    expect(parseDatasetArgs(['april-may'], slack)).toEqual({ rangeText: 'april-may' });
    expect(parseDatasetArgs(['last', '7', 'days'], slack)).toEqual({ rangeText: 'last 7 days' });
    expect(parseDatasetArgs(['april', '--seed', '3', 'may'], slack)).toEqual({ rangeText: 'april may', seed: 3 });
  });

  it('reads every flag', () => {
    expect(
      parseDatasetArgs(
        [
          '2024-04',
          '--max-examples',
          '5000',
          '--balance',
          'balanced',
          '--seed',
          '7',
          '--validation',
          '0.2',
          '--context',
          'full',
          '--max-input-length',
          '2048',
          '--logs',
          '/tmp/logs',
          '--out',
          's3://b/out',
        ],
        operator,
      ),
    ).toEqual({
      rangeText: '2024-04',
      maxExamples: 5000,
      balance: 'balanced',
      seed: 7,
      validationRatio: 0.2,
      contextFormat: 'full',
      maxInputLength: 2048,
      logsUri: '/tmp/logs',
      outUri: 's3://b/out',
    });
    expect(parseDatasetArgs(['2024-04', '--max-examples', 'all'], slack)).toEqual({
      rangeText: '2024-04',
      maxExamples: 'all',
    });
    expect(parseDatasetArgs(['2024-04', '--max-examples=12', '--balance=proportional'], slack)).toEqual({
      rangeText: '2024-04',
      maxExamples: 12,
      balance: 'proportional',
    });
  });

  it.each([
    [['--seed', '3'], /range is required.*e\.g\./],
    [['april', '--nope'], /Usage: logtune dataset/],
    [['april', '--max-examples'], /Usage: logtune dataset/],
    [['april', '--max-examples', '0'], /--max-examples/],
    [['april', '--max-examples', 'lots'], /--max-examples.*"lots"/],
    [['april', '--max-examples', '1.5'], /--max-examples/],
    [['april', '--balance', 'equal'], /--balance must be proportional or balanced/],
    [['april', '--context', 'tiny'], /--context must be compact or full/],
    [['april', '--validation', '1'], /--validation/],
    [['april', '--validation', '-0.1'], /--validation/],
    [['april', '--validation', 'ten'], /--validation/],
    [['april', '--seed', 'x'], /--seed/],
    [['april', '--max-input-length', '0'], /--max-input-length/],
  ])('refuses %j with a UsageError', (args, message) => {
    const error = thrown(() => parseDatasetArgs(args, operator));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(message);
  });

  it('names the usage in an unknown-flag error', () => {
    expect(thrown(() => parseDatasetArgs(['april', '--frobnicate'], operator)).message).toContain(DATASET_USAGE);
  });

  it('takes a negative number as the flag’s value, which the flag’s own check then refuses in one line', () => {
    for (const [args, message] of [
      [['april', '--max-examples', '-5'], '--max-examples expects a whole number of at least 1, got "-5"'],
      [['april', '--max-examples=-5'], '--max-examples expects a whole number of at least 1, got "-5"'],
      [
        ['april', '--max-input-length', '-1024'],
        '--max-input-length expects a whole number of at least 1, got "-1024"',
      ],
      [['april', '--validation', '-.5'], '--validation must be a fraction at least 0 and below 1, got "-.5"'],
    ] as const) {
      expect(thrown(() => parseDatasetArgs(args, operator)).message).toBe(message);
    }
  });

  it.each([
    [['april', '--seed'], '--seed needs a value'],
    [['april', '--seed', '--balance', 'balanced'], '--seed needs a value'],
    [['april', '-x'], 'unknown flag -x'],
    [['april', '--nope=3'], 'unknown flag --nope'],
  ])('answers %j in one line of its own, with the usage', (args, start) => {
    const message = thrown(() => parseDatasetArgs(args, operator)).message;
    expect(message.startsWith(`${start}. Usage: ${DATASET_USAGE}`), message).toBe(true);
    expect(message).not.toContain('\n');
    expect(message).not.toMatch(/ambiguous|positional/);
  });

  it('keeps words after -- as the range', () => {
    expect(parseDatasetArgs(['--seed', '3', '--', 'last', '7', 'days'], slack)).toEqual({
      rangeText: 'last 7 days',
      seed: 3,
    });
  });

  it.each(['logs', 'out'])('refuses --%s when operator flags are not allowed, and accepts it when they are', (flag) => {
    const args = ['april', `--${flag}`, 's3://elsewhere/x'];
    const error = thrown(() => parseDatasetArgs(args, slack));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(`--${flag}`);
    expect(error.message).toMatch(/operator/);
    expect(parseDatasetArgs(args, operator)).toMatchObject(
      flag === 'logs' ? { logsUri: 's3://elsewhere/x' } : { outUri: 's3://elsewhere/x' },
    );
  });
});

describe('resolveBuildRequest', () => {
  it('fills the defaults and settings, and derives the output location under the artifacts URI', () => {
    const request = resolveBuildRequest(config(), { rangeText: 'april-may' }, NOW);
    expect(request).toMatchObject({
      range: { start: '2024-04-01', end: '2024-05-31', days: 61 },
      logsUri: 's3://my-logs/cloudfront/',
      layout: 'auto',
      labelField: 'ThreatLevel',
      dropFields: ['x-edge-request-id'],
      maxExamples: 'all',
      balance: 'proportional',
      seed: 42,
      validationRatio: 0.1,
      contextFormat: 'compact',
      maxInputLength: 1024,
      parseWorkers: 0,
      s3ForcePathStyle: false,
    });
    expect(request.datasetId).toMatch(/^ds-20240401-20240531-\d{8}T\d{6}-[0-9a-f]{4}$/);
    expect(request.outUri).toBe(`s3://my-artifacts/logtune/datasets/${request.datasetId}`);
    expect(Object.isFrozen(request)).toBe(true);
    expect(BUILD_DEFAULTS).toMatchObject({
      maxExamples: 'all',
      balance: 'proportional',
      seed: 42,
      validationRatio: 0.1,
      maxInputLength: 1024,
    });
  });

  it('lets options override the defaults and locations', () => {
    const options: BuildOptions = {
      rangeText: '2024-04-01..2024-04-03',
      logsUri: '/tmp/some-logs',
      outUri: '/tmp/some-out',
      maxExamples: 100,
      balance: 'balanced',
      seed: 9,
      validationRatio: 0.2,
      contextFormat: 'full',
      maxInputLength: 512,
    };
    const request = resolveBuildRequest(config({ LOGTUNE_PARSE_WORKERS: '0' }), options, NOW);
    const { rangeText: _range, ...chosen } = options;
    expect(request).toMatchObject(chosen);
  });

  it('names LOGTUNE_LOGS_URI when it is missing and no --logs is given', () => {
    const error = thrown(() =>
      resolveBuildRequest(config({ LOGTUNE_ARTIFACTS_URI: 's3://my-artifacts/b' }), { rangeText: 'april' }, NOW),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^LOGTUNE_LOGS_URI: /);
    expect(error.message).not.toContain('\n');
  });

  it('names LOGTUNE_ARTIFACTS_URI when it is missing and no --out is given', () => {
    const error = thrown(() =>
      resolveBuildRequest(config({ LOGTUNE_LOGS_URI: 's3://my-logs/b' }), { rangeText: 'april' }, NOW),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^LOGTUNE_ARTIFACTS_URI: /);
  });

  it('refuses a bad range with an example of a good one', () => {
    const error = thrown(() => resolveBuildRequest(config(), { rangeText: 'whenever' }, NOW));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/e\.g\./);
  });

  it('refuses --balance balanced without --max-examples, saying what to add', () => {
    const error = thrown(() => resolveBuildRequest(config(), { rangeText: 'april', balance: 'balanced' }, NOW));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain('--max-examples');
  });

  it('refuses a range longer than LOGTUNE_MAX_RANGE_DAYS', () => {
    const error = thrown(() =>
      resolveBuildRequest(config({ ...ENV, LOGTUNE_MAX_RANGE_DAYS: '10' }), { rangeText: 'april' }, NOW),
    );
    expect(error).toBeInstanceOf(UsageError);
  });

  it('refuses an unsupported --logs or --out location', () => {
    expect(
      thrown(() => resolveBuildRequest(config(), { rangeText: 'april', logsUri: 'https://example.com/logs' }, NOW)),
    ).toBeInstanceOf(UsageError);
    expect(
      thrown(() => resolveBuildRequest(config(), { rangeText: 'april', outUri: 's3://Not_A_Bucket/x' }, NOW)),
    ).toBeInstanceOf(UsageError);
  });

  it.each([
    ['LOGTUNE_LOGS_URI', { ...ENV, LOGTUNE_LOGS_URI: 'https://example.com/logs' }],
    ['LOGTUNE_ARTIFACTS_URI', { ...ENV, LOGTUNE_ARTIFACTS_URI: 's3://Not_A_Bucket/artifacts' }],
  ])('names %s when its value is not a usable location', (variable, env) => {
    const error = thrown(() => resolveBuildRequest(config(env), { rangeText: 'april' }, NOW));
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('\n');
  });
});

describe('buildKey', () => {
  const base = resolveBuildRequest(config(), { rangeText: 'april-may' }, NOW);

  it('is the same for the same source, range and sampling settings, whatever the dataset id', () => {
    const again = resolveBuildRequest(
      config(),
      { rangeText: '2024-04-01..2024-05-31' },
      new Date('2024-06-11T00:00:00Z'),
    );
    expect(again.datasetId).not.toBe(base.datasetId);
    expect(buildKey(again)).toBe(buildKey(base));
    expect(buildKey(base)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with the balance', () => {
    const capped = (balance: 'proportional' | 'balanced') =>
      buildKey(resolveBuildRequest(config(), { rangeText: 'april-may', maxExamples: 1000, balance }, NOW));
    expect(capped('balanced')).not.toBe(capped('proportional'));
  });

  it.each<[string, BuildOptions]>([
    ['range', { rangeText: 'april' }],
    ['seed', { rangeText: 'april-may', seed: 43 }],
    ['max examples', { rangeText: 'april-may', maxExamples: 1000 }],
    ['validation', { rangeText: 'april-may', validationRatio: 0.2 }],
    ['context format', { rangeText: 'april-may', contextFormat: 'full' }],
    ['max input length', { rangeText: 'april-may', maxInputLength: 2048 }],
    ['logs location', { rangeText: 'april-may', logsUri: 's3://other-logs/' }],
  ])('changes with the %s', (_what, options) => {
    expect(buildKey(resolveBuildRequest(config(), options, NOW))).not.toBe(buildKey(base));
  });

  it('changes with the label field, drop fields and layout settings', () => {
    const extras: Record<string, string>[] = [
      { LOGTUNE_LABEL_FIELD: 'Label' },
      { LOGTUNE_DROP_FIELDS: 'c-ip' },
      { LOGTUNE_LOGS_LAYOUT: '{yyyy}/{MM}/{dd}/{HH}/' },
    ];
    for (const extra of extras) {
      expect(buildKey(resolveBuildRequest(config({ ...ENV, ...extra }), { rangeText: 'april-may' }, NOW))).not.toBe(
        buildKey(base),
      );
    }
  });
});
