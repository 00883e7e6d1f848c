import pLimit from 'p-limit';
import { CancelledError, UsageError, throwIfAborted } from '../errors.ts';
import { listDays } from '../logs/dateRange.ts';
import { describeBytes } from '../logs/formats/decode.ts';
import {
  detectLayout,
  isDetected,
  layoutHint,
  resolveLayout,
  sampleKeys,
  type ResolvedLayout,
} from '../logs/detectLayout.ts';
import { streamRangeObjects, type DatedObject } from '../logs/layout.ts';
import { openStore } from '../objectStore/open.ts';
import type { ObjectStore } from '../objectStore/store.ts';
import { channelUris, outputUris } from './output/folder.ts';
import { assertWritable } from './output/guard.ts';
import { writeCompletion } from './output/outputs.ts';
import type { FileResult, SampleThresholds } from './pipeline/processFile.ts';
import { createFileProcessor, type FileOutcome } from './pipeline/processorPool.ts';
import { ArrivingItems, readInOrder } from './pipeline/readInOrder.ts';
import { ProgressTracker } from './pipeline/progress.ts';
import { SampledSink, StreamingSink, type ExampleSink, type SinkResult } from './output/sinks.ts';
import { summaryHeader } from './request/request.ts';
import { sampleSizesFor } from './examples/tokenSample.ts';
import { measureTokens } from './examples/tokenStats.ts';
import { asciiMergeTable, PROMPT_HEAD_TOKENS } from './examples/tokens.ts';
import type { BuildHooks, BuildRequest, BuildSummary, SkippedFile, TokenStats } from './types.ts';

interface ReadTotals {
  /** The first file read (in key order, so deterministic): its columns and format describe the source. */
  source: Pick<FileResult, 'columns' | 'format'> | undefined;
  filesRead: number;
  rowsInRange: number;
  unlabelled: number;
  readonly skipped: SkippedFile[];
}

/** What a build read, once at least one file was: the source is then known. */
type ReadResult = ReadTotals & { readonly source: NonNullable<ReadTotals['source']> };

/**
 * Date range → dataset: lists the range's objects and, as they are listed, fetches them with bounded concurrency
 * while worker threads parse them, commits each file's examples in listing order (deterministic under --seed),
 * streams the outputs, and writes stats.json last. A file that fails anywhere is skipped whole and reported; the
 * build goes on.
 */
export async function buildDataset(request: BuildRequest, hooks: BuildHooks = {}): Promise<BuildSummary> {
  const { signal } = hooks;
  throwIfAborted(signal);
  const progress = new ProgressTracker(hooks.onProgress);
  const storeOptions = { s3ForcePathStyle: request.s3ForcePathStyle, s3FastGet: request.s3FastGet };
  const [logs, out] = await Promise.all([
    openStore(request.logsUri, { ...storeOptions, source: 'logs' }),
    openStore(request.outUri, storeOptions),
  ]);
  const [layout, outWarning] = await Promise.all([
    resolveLayout(logs, request.layout, signal),
    assertWritable(out, signal),
  ]);
  const warnings = outWarning === undefined ? [] : [outWarning];
  for (const warning of warnings) hooks.onWarning?.(warning);
  hooks.onLayout?.(layout);
  // Workers start while the listing is in flight: their start-up is off the critical path.
  const processor = createFileProcessor(
    {
      labelField: request.labelField,
      dropFields: request.dropFields,
      contextFormat: request.contextFormat,
      rangeStart: request.range.start,
      rangeEnd: request.range.end,
      seed: request.seed,
      maxExamples: request.maxExamples,
      sampleSizes: sampleSizesFor(request.maxExamples),
      maxFileBytes: request.maxFileBytes,
      maxInputLength: request.maxInputLength,
      promptHeadTokens: PROMPT_HEAD_TOKENS,
      mergeTable: asciiMergeTable(),
    },
    request.parseWorkers,
  );
  let sink: ExampleSink | undefined;
  try {
    const maxExamples = request.maxExamples;
    sink = maxExamples === 'all' ? new StreamingSink(out, request) : new SampledSink(out, { ...request, maxExamples });
    const objects: DatedObject[] = [];
    const totals = await readAll(
      logs,
      layout,
      objects,
      request,
      sink,
      processor.process.bind(processor),
      progress,
      signal,
    );
    throwIfAborted(signal);
    progress.enter('writing');
    const { result, closed } = await sink.finish();
    // Counted while the outputs complete (an S3 multipart completion waits for the store).
    progress.enter('counting_tokens');
    const tokens = measureTokens({
      written: result.written,
      pairs: result.pairs,
      exact: result.exact,
      totalExamples: result.train + result.validation,
      format: request.contextFormat,
      maxInputLength: request.maxInputLength,
    });
    await closed;
    const summary = summarize(request, layout, objects, totals, result, tokens, progress, warnings);
    await writeCompletion(out, summary, signal);
    progress.enter('done');
    return summary;
  } catch (error) {
    await sink?.abort().catch(() => undefined);
    // An aborted listing or read surfaces as the SDK's or fs's own AbortError; callers expect one kind of cancellation.
    throw signal?.aborted ? new CancelledError() : error;
  } finally {
    await processor.close();
  }
}

function tooLarge(what: string, maxFileBytes: number): FileOutcome {
  return {
    ok: false,
    reason: 'too_large',
    message: `${what}, over LOGTUNE_MAX_FILE_MB (${describeBytes(maxFileBytes)})`,
  };
}

/**
 * Lists the range into `objects` and reads each object as soon as it is listed: on a long range, the first files
 * are parsed while later days are still being listed.
 */
async function readAll(
  logs: ObjectStore,
  layout: ResolvedLayout,
  objects: DatedObject[],
  request: BuildRequest,
  sink: ExampleSink,
  process: (bytes: Uint8Array, day: string, thresholds: SampleThresholds) => Promise<FileOutcome>,
  progress: ProgressTracker,
  signal: AbortSignal | undefined,
): Promise<ReadResult> {
  const totals: ReadTotals = { source: undefined, filesRead: 0, rowsInRange: 0, unlabelled: 0, skipped: [] };
  let examples = 0;
  // Fetch slots are held only while fetching: a file waiting for a parser or for its turn to commit does not stop
  // the next GET from starting, so request latency stays hidden behind parsing.
  const fetchSlot = pLimit(request.fetchConcurrency);
  const read = async (i: number): Promise<FileOutcome> => {
    const object = objects[i]!;
    // Never fetched: one oversized object must not be held whole (and, in the bot, on every resumed build).
    if (object.size > request.maxFileBytes)
      return tooLarge(`listed at ${describeBytes(object.size)}, not fetched`, request.maxFileBytes);
    let bytes: Uint8Array;
    try {
      bytes = await fetchSlot(() => logs.get(object.key, signal));
    } catch (error) {
      if (signal?.aborted) throw new CancelledError();
      return { ok: false, reason: 'unreadable', message: (error as Error).message };
    }
    if (bytes.length > request.maxFileBytes) {
      return tooLarge(
        `${describeBytes(bytes.length)} when fetched (grown since it was listed), not parsed`,
        request.maxFileBytes,
      );
    }
    return process(bytes, object.day, sink.thresholds);
  };
  const commit = async (object: DatedObject, outcome: FileOutcome): Promise<void> => {
    progress.filesDone++;
    progress.bytesRead += object.size;
    if (outcome.ok) {
      totals.source ??= { columns: outcome.result.columns, format: outcome.result.format };
      totals.filesRead++;
      totals.rowsInRange += outcome.result.rowsInRange;
      totals.unlabelled += outcome.result.unlabelled;
      progress.rowsScanned += outcome.result.rowsScanned;
      examples += outcome.result.labelIds.length;
      await sink.commit(outcome.result);
    } else {
      totals.skipped.push({ key: object.key, reason: `${outcome.reason}: ${outcome.message}` });
      progress.filesSkipped++;
    }
    progress.emit();
  };

  // A read that fails the build stops the listing too: a long range is not listed on for a build that has failed.
  const stopListing = new AbortController();
  const listingSignal = signal ? AbortSignal.any([signal, stopListing.signal]) : stopListing.signal;
  // Objects are read as soon as they are listed.
  const listed = new ArrivingItems(listingSignal);
  progress.enter('listing');
  const listing = streamRangeObjects(
    logs,
    layout.template,
    listDays(request.range),
    { concurrency: request.fetchConcurrency, signal: listingSignal },
    (batch) => {
      for (const object of batch) {
        objects.push(object);
        progress.bytesListed += object.size;
      }
      progress.readingBegins();
      listed.extend(objects.length);
    },
  );
  listing.then(
    () => {
      progress.listed(objects.length);
      listed.end();
    },
    (error: unknown) => listed.fail(error),
  );
  try {
    // Up to two files per fetch slot ahead of the one being committed; commits in listing order (deterministic
    // under --seed).
    await readInOrder(listed, {
      window: request.fetchConcurrency * 2,
      read,
      commit: (i, outcome) => commit(objects[i]!, outcome),
      signal,
    });
  } catch (error) {
    stopListing.abort();
    await listing.catch(() => undefined);
    throw signal?.aborted ? new CancelledError() : error;
  }
  if (objects.length === 0) throw await nothingListed(logs, layout, request, signal);
  const { source } = totals;
  if (totals.filesRead === 0 || source === undefined) {
    const first = totals.skipped[0];
    throw new UsageError(
      `none of the ${objects.length} log files could be used (first: ${first?.key} — ${first?.reason})`,
    );
  }
  if (examples === 0) {
    throw new UsageError(
      `no labelled rows in ${request.range.label}: ${totals.rowsInRange} rows in range, ${totals.unlabelled} without a ${request.labelField}`,
    );
  }
  return { ...totals, source };
}

/** No file of the range: say what is there instead, and which layout would fit it, when another would. */
async function nothingListed(
  logs: ObjectStore,
  layout: ResolvedLayout,
  request: BuildRequest,
  signal: AbortSignal | undefined,
): Promise<UsageError> {
  const what = `no log files under ${logs.uri} for ${request.range.label} (layout ${layout.template}, ${layout.name}${layout.detected ? ', detected' : ''})`;
  const found = await detectLayout(logs, signal);
  if (!isDetected(found)) return new UsageError(`${what}: ${layoutHint(found.samples, logs.uri)}`);
  if (found.template !== layout.template) {
    return new UsageError(
      `${what}; the files there look like ${found.name}: set LOGTUNE_LOGS_LAYOUT=${found.template} (or auto)`,
    );
  }
  const samples = await sampleKeys(logs, '', 3, signal);
  return new UsageError(`${what}: the files there (e.g. ${samples.join(', ')}) fit it, but none is dated in the range`);
}

function summarize(
  request: BuildRequest,
  layout: ResolvedLayout,
  objects: readonly DatedObject[],
  totals: ReadResult,
  result: SinkResult,
  tokens: TokenStats,
  progress: ProgressTracker,
  warnings: readonly string[],
): BuildSummary {
  const seconds = progress.elapsedSeconds();
  const bytes = objects.reduce((sum, o) => sum + o.size, 0);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    ...summaryHeader(request),
    layout: { setting: request.layout, used: layout.template, detected: layout.detected },
    files: {
      listed: objects.length,
      read: totals.filesRead,
      skipped: totals.skipped.length,
      skippedFiles: totals.skipped,
      bytes,
    },
    rows: {
      scanned: progress.rowsScanned,
      inRange: totals.rowsInRange,
      unlabelled: totals.unlabelled,
      duplicates: result.duplicates,
      unique: result.unique,
      train: result.train,
      validation: result.validation,
      groups: result.groups.groups,
      groupedExamples: result.groups.groupedExamples,
    },
    labels: result.labels,
    examples: { maxInputLength: request.maxInputLength, ...result.overLength },
    tokens,
    seconds: Math.round(seconds * 1000) / 1000,
    rowsPerSecond: Math.round(progress.rowsScanned / seconds),
    megabytesPerSecond: round(bytes / 1e6 / seconds),
    fetchConcurrency: request.fetchConcurrency,
    parseWorkers: request.parseWorkers,
    sourceColumns: totals.source.columns,
    sourceFormat: totals.source.format,
    channels: channelUris(request.outUri),
    outputs: outputUris(request.outUri),
    ...(warnings.length > 0 && { warnings }),
  };
}
