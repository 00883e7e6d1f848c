import { createHash, randomBytes } from 'node:crypto';
import { requireSetting } from '../../shared/env.ts';
import type { DataSettings } from '../settings.ts';
import { UsageError } from '../../errors.ts';
import { parseDateRange, type DateRange } from '../../logs/dateRange.ts';
import { joinUri, parseStorageUri } from '../../objectStore/uri.ts';
import type { BalanceMode, BuildRequest, BuildSettings, BuildSummary, ContextFormat, EngineSetting } from '../types.ts';

/** What a person may choose per build (CLI flags or Slack arguments); everything else comes from settings. */
export interface BuildOptions {
  readonly rangeText: string;
  readonly logsUri?: string;
  readonly outUri?: string;
  /** With outUri: replace whatever the folder holds (the CLI's --force); without, a non-empty folder is refused. */
  readonly force?: boolean;
  readonly maxExamples?: number | 'all';
  readonly balance?: BalanceMode;
  readonly seed?: number;
  readonly validationRatio?: number;
  readonly contextFormat?: ContextFormat;
  readonly maxInputLength?: number;
  /** Which engine builds it (--engine; LOGTUNE_ENGINE otherwise): the dataset is the same on each. */
  readonly engine?: EngineSetting;
}

export const BUILD_DEFAULTS = Object.freeze({
  maxExamples: 'all' as number | 'all',
  balance: 'proportional' as BalanceMode,
  seed: 42,
  validationRatio: 0.1,
  // Compact contexts cost fewer tokens at training and inference time; `full` is there for comparison.
  contextFormat: 'compact' as ContextFormat,
  // The JumpStart Llama 2 default: longer sequences are truncated by the trainer.
  maxInputLength: 1024,
});

export function newDatasetId(range: DateRange, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `ds-${range.start.replaceAll('-', '')}-${range.end.replaceAll('-', '')}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export function resolveBuildRequest(
  config: DataSettings,
  options: BuildOptions,
  now: Date,
  defaultEngine: EngineSetting = 'local',
): BuildRequest {
  const range = parseDateRange(options.rangeText, { now, maxDays: config.maxRangeDays });
  const logsUri = options.logsUri ?? requireSetting(config.logsUri, 'LOGTUNE_LOGS_URI', 'or pass --logs');
  parseStorageUri(logsUri);
  const datasetId = newDatasetId(range, now);
  const outUri =
    options.outUri ??
    joinUri(requireSetting(config.artifactsUri, 'LOGTUNE_ARTIFACTS_URI', 'or pass --out'), `datasets/${datasetId}`);
  parseStorageUri(outUri);
  const request: BuildRequest = {
    datasetId,
    range,
    logsUri,
    layout: config.logsLayout,
    outUri,
    labelField: config.labelField,
    dropFields: config.dropFields,
    maxExamples: options.maxExamples ?? BUILD_DEFAULTS.maxExamples,
    balance: options.balance ?? BUILD_DEFAULTS.balance,
    seed: options.seed ?? BUILD_DEFAULTS.seed,
    validationRatio: options.validationRatio ?? BUILD_DEFAULTS.validationRatio,
    contextFormat: options.contextFormat ?? BUILD_DEFAULTS.contextFormat,
    maxInputLength: options.maxInputLength ?? BUILD_DEFAULTS.maxInputLength,
    fetchConcurrency: config.fetchConcurrency,
    parseWorkers: config.parseWorkers,
    s3ForcePathStyle: config.s3ForcePathStyle,
    s3FastGet: config.s3FastGet,
    maxFileBytes: config.maxFileBytes,
    engine: options.engine ?? defaultEngine,
  };
  if (request.validationRatio < 0 || request.validationRatio >= 1) {
    throw new UsageError(
      `--validation must be at least 0 and below 1 (got ${request.validationRatio}); e.g. --validation 0.1`,
    );
  }
  if (request.balance === 'balanced' && request.maxExamples === 'all') {
    // Balancing caps every label at an equal share; without a total there is no share to cap at.
    throw new UsageError(
      '--balance balanced needs a total to share out: add --max-examples N, e.g. --max-examples 3000',
    );
  }
  return Object.freeze(request);
}

/** The choices that shape a dataset's content, as recorded in its stats.json. */
function settingsOf(request: BuildRequest): BuildSettings {
  const { labelField, dropFields, maxExamples, balance, seed, validationRatio, contextFormat, maxInputLength } =
    request;
  return { labelField, dropFields, maxExamples, balance, seed, validationRatio, contextFormat, maxInputLength };
}

/** The part of a build's summary (and stats.json) that restates what was asked for. */
export function summaryHeader(
  request: BuildRequest,
): Pick<BuildSummary, 'datasetId' | 'range' | 'logsUri' | 'outUri' | 'settings'> {
  return {
    datasetId: request.datasetId,
    range: { start: request.range.start, end: request.range.end },
    logsUri: request.logsUri,
    outUri: request.outUri,
    settings: settingsOf(request),
  };
}

/** Same source, range and sampling settings → same key: a second identical request joins the running build. */
export function buildKey(request: BuildRequest): string {
  const {
    range,
    logsUri,
    layout,
    labelField,
    dropFields,
    maxExamples,
    balance,
    seed,
    validationRatio,
    contextFormat,
    maxInputLength,
  } = request;
  const material = JSON.stringify([
    range.start,
    range.end,
    logsUri,
    layout,
    labelField,
    dropFields,
    maxExamples,
    balance,
    seed,
    validationRatio,
    contextFormat,
    maxInputLength,
  ]);
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}
