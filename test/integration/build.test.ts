import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { buildDataset } from '../../src/dataset/build.ts';
import { TEMPLATE } from '../../src/dataset/examples/example.ts';
import { DATASET_FILES } from '../../src/dataset/output/folder.ts';
import { resolveBuildRequest, type BuildOptions } from '../../src/dataset/request/request.ts';
import { balancedQuotas, proportionalQuotas } from '../../src/dataset/sampling/sampler.ts';
import { contextGroupKey, contextGroupText } from '../../src/dataset/sampling/groupKey.ts';
import { isValidationGroup, sampleKeyHex } from '../../src/dataset/sampling/sampleKey.ts';
import { storedStatsSchema } from '../../src/dataset/output/stored.ts';
import { countContextTokens, countSequenceTokens, fixedTokens } from '../../src/dataset/examples/tokens.ts';
import type { BuildHooks, BuildProgress, BuildSummary } from '../../src/dataset/types.ts';
import { CancelledError, UsageError } from '../../src/errors.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import {
  DROP_FIELDS,
  FIXTURE_RANGE,
  SKIPPED_MARKER,
  datasetFixture,
  largeFixture,
  type ExpectedDataset,
  type FixtureObject,
} from '../helpers/datasetFixture.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';
import { LABEL_FIELD, W3C_FIELDS } from '../helpers/syntheticLogs.ts';

const LOGS = 'logtune-logs';
const ARTIFACTS = 'logtune-artifacts';
const NOW = new Date('2024-06-10T12:00:00Z');
const LARGE_PREFIX = 'large/';
const ALL_BAD_PREFIX = 'all-bad/';

let s3: LocalS3;
let savedEnv: Record<string, string | undefined> = {};
let expected: ExpectedDataset;
let objects: FixtureObject[];
let localRoot: string;

beforeAll(async () => {
  s3 = await startLocalS3([LOGS, ARTIFACTS]);
  // The app's S3 client takes endpoint and credentials from the SDK's own environment settings.
  savedEnv = Object.fromEntries(Object.keys(s3.env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, s3.env);
  ({ objects, expected } = datasetFixture());
  const limit = pLimit(8);
  await Promise.all(
    [
      ...objects,
      ...largeFixture(LARGE_PREFIX, 12, 110),
      {
        key: `${ALL_BAD_PREFIX}2024/04/03/a-corrupt.csv.gz`,
        bytes: Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3),
      },
      { key: `${ALL_BAD_PREFIX}2024/04/03/b-empty.csv`, bytes: new Uint8Array(0) },
    ].map((o) => limit(() => s3.client.send(new PutObjectCommand({ Bucket: LOGS, Key: o.key, Body: o.bytes })))),
  );
  localRoot = await mkdtemp(join(tmpdir(), 'logtune-build-'));
}, 60_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await s3?.close();
  if (localRoot) await rm(localRoot, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------

interface Line {
  readonly instruction: string;
  readonly context: string;
  readonly response: string;
  readonly label: string;
}

interface Outputs {
  readonly summary: BuildSummary;
  readonly progress: BuildProgress[];
  readonly train: string;
  readonly validation: string;
  readonly template: string | undefined;
  readonly stats: string | undefined;
  readonly trainLines: Line[];
  readonly validationLines: Line[];
}

let outCounter = 0;

async function getText(bucket: string, key: string): Promise<string | undefined> {
  try {
    const response = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await response.Body!.transformToString('utf8');
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((c) => c.Key!).sort();
}

const RESPONSE = /^This log entry is identified as '([^']+)'/;

function parseLines(text: string): Line[] {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((raw) => {
      const parsed = JSON.parse(raw) as Record<string, unknown>;
      expect(Object.keys(parsed)).toEqual(['instruction', 'context', 'response']);
      const response = parsed.response as string;
      const label = RESPONSE.exec(response)?.[1];
      expect(label, response).toBeDefined();
      return { instruction: parsed.instruction as string, context: parsed.context as string, response, label: label! };
    });
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function dataEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...s3.env,
    LOGTUNE_LOGS_URI: `s3://${LOGS}/`,
    LOGTUNE_S3_FORCE_PATH_STYLE: 'true',
    LOGTUNE_PARSE_WORKERS: '0',
    LOGTUNE_FETCH_CONCURRENCY: '4',
    ...extra,
  };
}

/** Builds the fixture range into a fresh prefix of the artifacts bucket and reads every output back. */
async function s3Build(
  options: Partial<BuildOptions> = {},
  env: Record<string, string> = {},
  hooks: BuildHooks = {},
): Promise<Outputs> {
  const prefix = `run-${++outCounter}/`;
  const request = resolveBuildRequest(
    loadDataSettings(dataEnv(env)),
    { rangeText: FIXTURE_RANGE.text, outUri: `s3://${ARTIFACTS}/${prefix}`, ...options },
    NOW,
  );
  const progress: BuildProgress[] = [];
  const summary = await buildDataset(request, {
    ...hooks,
    onProgress: (p) => {
      progress.push(p);
      hooks.onProgress?.(p);
    },
  });
  const train = (await getText(ARTIFACTS, `${prefix}${DATASET_FILES.train}`)) ?? '';
  const validation = (await getText(ARTIFACTS, `${prefix}${DATASET_FILES.validation}`)) ?? '';
  return {
    summary,
    progress,
    train,
    validation,
    template: await getText(ARTIFACTS, `${prefix}${DATASET_FILES.template}`),
    stats: await getText(ARTIFACTS, `${prefix}${DATASET_FILES.stats}`),
    trainLines: parseLines(train),
    validationLines: parseLines(validation),
  };
}

/** The error a promise rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the build to fail');
}

function contextDay(context: string): string {
  const fields = JSON.parse(context) as Record<string, string>;
  if (fields.date !== undefined) return fields.date;
  expect(fields.timestamp, context).toBeDefined();
  return new Date(Number(fields.timestamp) * 1000).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------------

describe('buildDataset from s3rver, every unique labelled row (--max-examples all)', () => {
  let out: Outputs;
  let all: Line[];
  let sequenceTokens: number[] | undefined;
  /** Whole-sequence Llama 2 counts of every written example (train then validation), the reference for stats. */
  const tokensOfAll = () => (sequenceTokens ??= all.map((line) => countSequenceTokens(line.context, line.label)));

  beforeAll(async () => {
    out = await s3Build();
    all = [...out.trainLines, ...out.validationLines];
  }, 30_000);

  it('writes exactly the unique labelled in-range contexts, each with its label', () => {
    expect(all).toHaveLength(expected.contexts.size);
    const written = new Map(all.map((line) => [line.context, line.label]));
    expect(written.size).toBe(all.length); // no duplicate context written
    expect(written).toEqual(new Map(expected.contexts));
  });

  it('reports exact per-label counts', () => {
    const labels = Object.keys(expected.labels).sort();
    expect(Object.keys(out.summary.labels).sort()).toEqual(labels);
    expect(labels).toEqual(['benign', 'malicious', 'suspicious']);
    const trainBy = countBy(out.trainLines, (l) => l.label);
    const validationBy = countBy(out.validationLines, (l) => l.label);
    for (const label of labels) {
      const counts = out.summary.labels[label]!;
      expect(counts.scanned, label).toBe(expected.labels[label]!.scanned);
      expect(counts.unique, label).toBe(expected.labels[label]!.unique);
      expect(counts.train, label).toBe(trainBy[label] ?? 0);
      expect(counts.validation, label).toBe(validationBy[label] ?? 0);
      expect(counts.train + counts.validation, label).toBe(expected.labels[label]!.unique);
    }
  });

  it('puts each label’s share of validation examples (10%, within one group) in validation.jsonl, and never splits a group of near-copies', () => {
    expectWholeGroups(out);
    const validationBy = countBy(out.validationLines, (l) => l.label);
    const grouped = groupedBy(all);
    for (const [label, { unique }] of Object.entries(expected.labels)) {
      expect(Math.abs((validationBy[label] ?? 0) - 0.1 * unique), label).toBeLessThanOrEqual(1 + (grouped[label] ?? 0));
    }
    expect(out.summary.rows.groupedExamples).toBeGreaterThan(0); // the fixture has near-copies: the check is real
    expect(out.summary.rows.train).toBe(out.trainLines.length);
    expect(out.summary.rows.validation).toBe(out.validationLines.length);
    expect(out.summary.rows.validation).toBeGreaterThan(0);
  });

  it('never puts the label field or a drop field in a context, nor any request id anywhere', () => {
    for (const line of all) {
      const fields = JSON.parse(line.context) as Record<string, string>;
      expect(fields).not.toHaveProperty(LABEL_FIELD);
      for (const drop of DROP_FIELDS) expect(fields).not.toHaveProperty(drop);
      expect(Object.values(fields)).not.toContain('-');
    }
    const text = out.train + out.validation;
    expect(text).not.toContain(LABEL_FIELD);
    for (const id of expected.requestIds) expect(text.includes(id), id).toBe(false);
  });

  it('keeps no row dated outside the range', () => {
    for (const line of all) {
      const day = contextDay(line.context);
      expect(day >= FIXTURE_RANGE.start && day <= FIXTURE_RANGE.end, line.context).toBe(true);
    }
    expect(out.train + out.validation).not.toContain('/out-of-range/');
  });

  it('lists every skipped file with its key and reason, and keeps none of their rows', () => {
    const skipped = out.summary.files.skippedFiles;
    expect(skipped.map((s) => s.key)).toEqual(expected.skipped.map((s) => s.key));
    skipped.forEach((s, i) => {
      expect(s.reason.startsWith(`${expected.skipped[i]!.reason}:`), `${s.key}: ${s.reason}`).toBe(true);
      expect(s.reason.length).toBeGreaterThan(expected.skipped[i]!.reason.length + 2);
    });
    expect(out.summary.files.skipped).toBe(expected.skipped.length);
    expect(out.train + out.validation).not.toContain(SKIPPED_MARKER);
    expect(out.train + out.validation).not.toContain('198.51.100.');
  });

  it('writes the instruction and the JumpStart template', () => {
    const instructions = new Set(all.map((l) => l.instruction));
    expect(instructions.size).toBe(1);
    expect([...instructions][0]!.length).toBeGreaterThan(10);
    for (const line of all)
      expect(line.response.startsWith(`This log entry is identified as '${line.label}'`)).toBe(true);
    const template = JSON.parse(out.template!) as Record<string, string>;
    expect(Object.keys(template).sort()).toEqual(['completion', 'prompt']);
    expect(template.prompt).toContain('{instruction}');
    expect(template.prompt).toContain('{context}');
    expect(template.completion).toContain('{response}');
    expect(template).toEqual({ ...TEMPLATE });
  });

  it('writes stats.json equal to the summary and consistent with the outputs', () => {
    expect(out.stats).toBeDefined();
    const stats = JSON.parse(out.stats!) as BuildSummary;
    expect(stats).toEqual(JSON.parse(JSON.stringify(out.summary)));
    expect(stats.range).toEqual({ start: FIXTURE_RANGE.start, end: FIXTURE_RANGE.end });
    expect(stats.files.listed).toBe(expected.listed);
    expect(stats.files.read).toBe(expected.listed - expected.skipped.length);
    expect(stats.rows).toEqual({
      scanned: expected.scanned,
      inRange: expected.inRange,
      unlabelled: expected.unlabelled,
      duplicates: expected.duplicates,
      unique: expected.contexts.size,
      train: out.trainLines.length,
      validation: out.validationLines.length,
      ...groupCounts(expected.contexts.keys()),
    });
    expect(expected.duplicates).toBeGreaterThanOrEqual(3 * 11); // the fixture's own duplicates are counted
    expect(stats.settings).toMatchObject({
      labelField: LABEL_FIELD,
      dropFields: [...DROP_FIELDS],
      maxExamples: 'all',
      seed: 42,
      validationRatio: 0.1,
    });
    const outUri = `s3://${ARTIFACTS}/run-1/`;
    expect(stats.outputs).toEqual({
      train: `${outUri}train/train.jsonl`,
      validation: `${outUri}validation/validation.jsonl`,
      template: `${outUri}train/template.json`,
      stats: `${outUri}stats.json`,
    });
    expect(stats.channels).toEqual({ training: `${outUri}train/`, validation: `${outUri}validation/` });
    // What later stages read back (training, triage, evaluation) accepts what the build writes.
    expect(storedStatsSchema.parse(stats)).toMatchObject({ channels: stats.channels, sourceFormat: 'csv' });
  });

  it('records the columns and format of the first file read in key order (the bad files before it do not count)', () => {
    // In key order the range starts with two bad files, then 2024/04/01/part-0000.csv.
    expect(expected.skipped[0]!.key < '2024/04/01/part-0000.csv').toBe(true);
    expect(out.summary.sourceFormat).toBe('csv');
    expect(out.summary.sourceColumns).toEqual([...W3C_FIELDS, LABEL_FIELD]);
  });

  it('counts tokens exactly (Llama 2) when under the sample size, flags nothing under 1024, and reports the compact saving', () => {
    const tokens = out.summary.tokens;
    expect(tokens.tokenizer).toBe('llama-2');
    expect(tokens.method).toBe('exact');
    expect(tokens.examplesCounted).toBe(all.length);
    const counts = tokensOfAll();
    expect(tokens.totalTokens).toBe(counts.reduce((a, b) => a + b, 0));
    expect(tokens.maxTokens).toBe(Math.max(...counts));
    expect(tokens.maxInputLength).toBe(1024);
    expect(tokens.overLengthExamples).toBe(0);
    expect(tokens.flagged).toEqual([]);
    expect(tokens.savingSampleSize).toBeGreaterThan(0);
    expect(tokens.compactContextTokensPerExample).toBeGreaterThan(0);
    expect(tokens.fullContextTokensPerExample).toBeGreaterThan(tokens.compactContextTokensPerExample);
    expect(tokens.compactSavingPercent).toBeGreaterThan(0);
    const saving = (1 - tokens.compactContextTokensPerExample / tokens.fullContextTokensPerExample) * 100;
    expect(Math.abs(tokens.compactSavingPercent - saving)).toBeLessThan(1);
  });

  it('reports progress: listing, reading every file, writing, counting tokens, done', () => {
    const phases = out.progress.map((p) => p.phase).filter((p, i, a) => i === 0 || a[i - 1] !== p);
    expect(phases).toEqual(['listing', 'reading', 'writing', 'counting_tokens', 'done']);
    const reading = out.progress.filter((p) => p.phase === 'reading');
    for (let i = 1; i < reading.length; i++)
      expect(reading[i]!.filesDone).toBeGreaterThanOrEqual(reading[i - 1]!.filesDone);
    const last = out.progress.at(-1)!;
    expect(last.filesDone).toBe(expected.listed);
    expect(last.filesTotal).toBe(expected.listed);
    expect(last.filesSkipped).toBe(expected.skipped.length);
    expect(last.rowsScanned).toBe(expected.scanned);
    expect(out.progress[0]!.filesTotal).toBeUndefined();
  });

  it('leaves exactly the two channel folders and stats.json under --out, each channel with exactly its files', async () => {
    // JumpStart trains on every .jsonl of the training channel and takes a .json there as the template.
    expect(await listKeys(ARTIFACTS, 'run-1/train/')).toEqual(['run-1/train/template.json', 'run-1/train/train.jsonl']);
    expect(await listKeys(ARTIFACTS, 'run-1/validation/')).toEqual(['run-1/validation/validation.jsonl']);
    expect(await listKeys(ARTIFACTS, 'run-1/')).toEqual([
      'run-1/stats.json',
      'run-1/train/template.json',
      'run-1/train/train.jsonl',
      'run-1/validation/validation.jsonl',
    ]);
  });

  it('--validation 0: writes an empty validation channel, and stats.json says it is empty', async () => {
    const result = await s3Build({ validationRatio: 0 });
    const prefix = `run-${outCounter}/`;
    expect(await listKeys(ARTIFACTS, `${prefix}validation/`)).toEqual([`${prefix}validation/validation.jsonl`]);
    expect(result.validation).toBe('');
    expect(result.trainLines).toHaveLength(expected.contexts.size);
    const stats = JSON.parse(result.stats!) as BuildSummary;
    expect(stats.rows.validation).toBe(0);
    expect(stats.channels.validation).toBe(`s3://${ARTIFACTS}/${prefix}validation/`);
  }, 30_000);

  it('writes byte-identical outputs with worker threads (parseWorkers 2)', async () => {
    const threaded = await s3Build({}, { LOGTUNE_PARSE_WORKERS: '2' });
    expect(threaded.summary.parseWorkers).toBe(2);
    expect(threaded.train).toBe(out.train);
    expect(threaded.validation).toBe(out.validation);
    expect(threaded.summary.labels).toEqual(out.summary.labels);
    expect(threaded.summary.rows).toEqual(out.summary.rows);
    expect(threaded.summary.files.skippedFiles).toEqual(out.summary.files.skippedFiles);
    expect(threaded.summary.tokens).toEqual(out.summary.tokens);
    expect(threaded.summary.sourceColumns).toEqual(out.summary.sourceColumns);
  }, 30_000);

  /** Near-copies (the same request but for time, client, edge, sizes, method) are all on one side. */
  function expectWholeGroups(result: Outputs): void {
    const trainGroups = new Set(result.trainLines.map((l) => contextGroupKey(l.context)));
    const straddling = result.validationLines.filter((l) => trainGroups.has(contextGroupKey(l.context)));
    expect(straddling).toEqual([]);
  }

  /** Per label, the examples that share their near-copy group with another example. */
  function groupedBy(lines: readonly { context: string; label: string }[]): Record<string, number> {
    const sizes = countBy(lines, (l) => String(contextGroupKey(l.context)));
    return countBy(
      lines.filter((l) => sizes[String(contextGroupKey(l.context))]! > 1),
      (l) => l.label,
    );
  }

  function groupCounts(contexts: Iterable<string>): { groups: number; groupedExamples: number } {
    const sizes = new Map<number, number>();
    for (const c of contexts) sizes.set(contextGroupKey(c), (sizes.get(contextGroupKey(c)) ?? 0) + 1);
    const grouped = [...sizes.values()].filter((n) => n > 1).reduce((a, b) => a + b, 0);
    return { groups: sizes.size, groupedExamples: grouped };
  }

  describe('--max-examples N', () => {
    const uniqueCounts = () => new Map(Object.entries(expected.labels).map(([l, c]) => [l, c.unique]));

    function expectQuotas(result: Outputs, quotas: Map<string, number>, n: number, seed = 42): void {
      const lines = [...result.trainLines, ...result.validationLines];
      expect(lines).toHaveLength(n);
      expect([...quotas.values()].reduce((a, b) => a + b, 0)).toBe(n);
      const byLabel = countBy(lines, (l) => l.label);
      const validationBy = countBy(result.validationLines, (l) => l.label);
      expectWholeGroups(result);
      // Each example's side is its near-copy group's split key (sampleKey.ts), so about 10% overall.
      for (const line of result.trainLines)
        expect(isValidationGroup(seed, contextGroupText(line.context), 0.1), line.context).toBe(false);
      for (const line of result.validationLines)
        expect(isValidationGroup(seed, contextGroupText(line.context), 0.1), line.context).toBe(true);
      expect(result.validationLines.length).toBeGreaterThan(0.03 * n);
      expect(result.validationLines.length).toBeLessThan(0.2 * n);
      // In sample-key order within each file: labels interleaved in a seeded order.
      for (const lines of [result.trainLines, result.validationLines]) {
        const keys = lines.map((l) => sampleKeyHex(seed, l.context));
        expect(keys).toEqual([...keys].sort());
      }
      for (const [label, quota] of quotas) {
        expect(byLabel[label] ?? 0, label).toBe(quota);
        const v = validationBy[label] ?? 0;
        // The quota's smallest sample keys among the label's unique contexts: the bottom-k definition.
        const expectedKeys = [...expected.contexts]
          .filter(([, l]) => l === label)
          .map(([context]) => sampleKeyHex(seed, context))
          .sort()
          .slice(0, quota);
        const keys = lines.filter((l) => l.label === label).map((l) => sampleKeyHex(seed, l.context));
        expect(keys.sort(), label).toEqual(expectedKeys);
        expect(result.summary.labels[label]).toMatchObject({
          unique: expected.labels[label]!.unique,
          train: quota - v,
          validation: v,
        });
      }
      // A sample of the real examples: unique, each with its own label.
      expect(new Set(lines.map((l) => l.context)).size).toBe(n);
      for (const line of lines) expect(expected.contexts.get(line.context), line.context).toBe(line.label);
      expect(result.summary.rows.train + result.summary.rows.validation).toBe(n);
      expect(result.summary.tokens.examplesCounted).toBe(n);
      expect(result.stats).toBeDefined();
    }

    it('proportional: N examples in total, per label as the proportional quotas say', async () => {
      const result = await s3Build({ maxExamples: 100 });
      expectQuotas(result, proportionalQuotas(uniqueCounts(), 100), 100);
    }, 30_000);

    it('balanced: N examples in total, small labels whole and the rest shared equally', async () => {
      const result = await s3Build({ maxExamples: 120, balance: 'balanced' });
      const quotas = balancedQuotas(uniqueCounts(), 120);
      // The fixture's rarest label (30 unique) fits whole; the other two share the rest equally.
      expect(quotas.get('malicious')).toBe(expected.labels.malicious!.unique);
      expect(quotas.get('suspicious')).toBe(quotas.get('benign'));
      expectQuotas(result, quotas, 120);
    }, 30_000);

    it('is deterministic under --seed (inline and with a worker thread) and changes with the seed', async () => {
      const inline = await s3Build({ maxExamples: 100, seed: 7 });
      const threaded = await s3Build({ maxExamples: 100, seed: 7 }, { LOGTUNE_PARSE_WORKERS: '1' });
      const otherSeed = await s3Build({ maxExamples: 100, seed: 8 });
      expect(threaded.train).toBe(inline.train);
      expect(threaded.validation).toBe(inline.validation);
      expect(otherSeed.train).not.toBe(inline.train);
    }, 30_000);
  });

  it('gives the same dataset from a local directory, its over-length contexts cut to max_input_length', async () => {
    const logs = await localLogs();
    const outDir = join(localRoot, 'out');
    // A limit inside the range of lengths, so that some examples are over it.
    const lengths = [...tokensOfAll()].sort((a, b) => a - b);
    const limit = lengths[Math.floor(lengths.length / 2)]!;
    const request = resolveBuildRequest(
      loadDataSettings({ LOGTUNE_PARSE_WORKERS: '0', LOGTUNE_FETCH_CONCURRENCY: '4' }),
      { rangeText: FIXTURE_RANGE.text, logsUri: logs, outUri: outDir, maxInputLength: limit },
      NOW,
    );
    const summary = await buildDataset(request);
    expect(summary.labels).toEqual(out.summary.labels);
    expect(summary.rows).toEqual(out.summary.rows);
    expect(summary.files.skippedFiles).toEqual(out.summary.files.skippedFiles);
    expect(summary.channels).toEqual({ training: `${outDir}/train/`, validation: `${outDir}/validation/` });
    expect((await readdir(outDir)).sort()).toEqual(['stats.json', 'train', 'validation']);
    expect((await readdir(join(outDir, 'train'))).sort()).toEqual(['template.json', 'train.jsonl']);
    expect(await readdir(join(outDir, 'validation'))).toEqual(['validation.jsonl']);

    // Line for line the same examples; those over the limit (one token kept for the end of sequence) with their
    // context cut to a prefix, the answer whole; nothing left over the limit.
    const cutLines = [
      ...parseLines(await readFile(join(outDir, DATASET_FILES.train), 'utf8')),
      ...parseLines(await readFile(join(outDir, DATASET_FILES.validation), 'utf8')),
    ];
    expect(cutLines.length).toBe(all.length);
    let cut = 0;
    cutLines.forEach((line, i) => {
      const original = all[i]!;
      expect(line.label).toBe(original.label);
      expect(original.context.startsWith(line.context)).toBe(true);
      if (line.context !== original.context) cut++;
      expect(countSequenceTokens(line.context, line.label)).toBeLessThanOrEqual(limit - 1);
    });
    const over = lengths.filter((n) => n > limit - 1).length;
    expect(over).toBeGreaterThan(0);
    expect(cut).toBe(over);
    expect(summary.examples).toEqual({ maxInputLength: limit, contextTruncated: over, droppedAnswerTooLong: 0 });
    expect(summary.tokens.overLengthExamples).toBe(0);
    expect(summary.tokens.maxTokens).toBeLessThanOrEqual(limit - 1);
  }, 30_000);

  it('--validation 0 with --max-examples N on a local directory: an empty validation channel, counted as such', async () => {
    const outDir = join(localRoot, 'out-no-validation');
    const request = resolveBuildRequest(
      loadDataSettings({ LOGTUNE_PARSE_WORKERS: '0' }),
      {
        rangeText: FIXTURE_RANGE.text,
        logsUri: await localLogs(),
        outUri: outDir,
        maxExamples: 50,
        validationRatio: 0,
      },
      NOW,
    );
    const summary = await buildDataset(request);
    expect(summary.rows).toMatchObject({ train: 50, validation: 0 });
    expect(await readdir(join(outDir, 'validation'))).toEqual(['validation.jsonl']);
    expect(await readFile(join(outDir, DATASET_FILES.validation), 'utf8')).toBe('');
    expect(parseLines(await readFile(join(outDir, DATASET_FILES.train), 'utf8'))).toHaveLength(50);
    expect(summary.channels.validation).toBe(`${outDir}/validation/`);
  });
});

/** The fixture's objects in a local directory, written once. */
let localLogsDir: Promise<string> | undefined;
function localLogs(): Promise<string> {
  return (localLogsDir ??= (async () => {
    const logs = join(localRoot, 'logs');
    const store = new LocalStore(logs);
    for (const o of objects) {
      const writer = store.createWriter(o.key);
      await writer.write(o.bytes);
      await writer.close();
    }
    return logs;
  })());
}

// ---------------------------------------------------------------------------------------------------------------

describe('token statistics of a build above the sample size', () => {
  it('counts a uniform sample of at least 2000 examples and extrapolates the total closely', async () => {
    const prefix = 'token-sample/';
    const request = resolveBuildRequest(
      loadDataSettings(dataEnv({ LOGTUNE_LOGS_URI: `s3://${LOGS}/${LARGE_PREFIX}`, LOGTUNE_PARSE_WORKERS: '1' })),
      // Two of the large bucket's days: 2640 unique examples, above the 2000 of the token sample.
      { rangeText: '2024-04-01..2024-04-02', outUri: `s3://${ARTIFACTS}/${prefix}` },
      NOW,
    );
    const summary = await buildDataset(request);
    const lines = [
      ...parseLines((await getText(ARTIFACTS, `${prefix}${DATASET_FILES.train}`))!),
      ...parseLines((await getText(ARTIFACTS, `${prefix}${DATASET_FILES.validation}`))!),
    ];
    expect(lines.length).toBe(summary.rows.unique);
    expect(lines.length).toBeGreaterThan(2500);
    const tokens = summary.tokens;
    expect(tokens.method).toBe('sample');
    expect(tokens.examplesCounted).toBeGreaterThanOrEqual(2000);
    expect(tokens.examplesCounted).toBeLessThan(lines.length);
    // Exact total by the split counting (held equal to whole-sequence counting in test/dataset/tokens.test.ts).
    const counts = lines.map((l) => fixedTokens(l.label) + countContextTokens(l.context));
    const exact = counts.reduce((a, b) => a + b, 0);
    // A uniform sample of 2000 of ~2600 pins the mean to ~0.1%; 2% is far outside chance for an unbiased sample.
    expect(Math.abs(tokens.totalTokens - exact) / exact).toBeLessThan(0.02);
    expect(tokens.maxTokens).toBeLessThanOrEqual(Math.max(...counts));
    expect(Math.abs(tokens.meanTokens - exact / lines.length) / (exact / lines.length)).toBeLessThan(0.02);
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------------------------

describe('failed and cancelled builds leave no dataset behind', () => {
  async function startLarge(
    outPrefix: string,
    abortWhen: (p: BuildProgress) => boolean,
    env: Record<string, string> = {},
  ) {
    const controller = new AbortController();
    const request = resolveBuildRequest(
      loadDataSettings(dataEnv({ LOGTUNE_LOGS_URI: `s3://${LOGS}/${LARGE_PREFIX}`, ...env })),
      { rangeText: FIXTURE_RANGE.text, outUri: `s3://${ARTIFACTS}/${outPrefix}` },
      NOW,
    );
    const seen: BuildProgress[] = [];
    const build = buildDataset(request, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (!controller.signal.aborted && abortWhen(p)) controller.abort();
      },
    });
    return { build, seen, controller };
  }

  it('cancelled while reading (outputs already streaming): rejects with CancelledError, nothing left in the bucket', async () => {
    // 36 files of 110 rows: by file 30 well over 1 MB of examples has gone to the train upload.
    const { build, seen, controller } = await startLarge(
      'cancel-reading/',
      (p) => p.phase === 'reading' && p.filesDone >= 30,
    );
    await expect(build).rejects.toBeInstanceOf(CancelledError);
    expect(controller.signal.aborted).toBe(true);
    expect(seen.at(-1)!.phase).toBe('reading');
    expect(seen.some((p) => p.phase === 'done')).toBe(false);
    expect(await listKeys(ARTIFACTS, 'cancel-reading/')).toEqual([]);
  }, 30_000);

  it('cancelled at the first progress event (while listing): rejects with CancelledError, nothing written', async () => {
    const { build, seen } = await startLarge('cancel-listing/', () => true);
    await expect(build).rejects.toBeInstanceOf(CancelledError);
    expect(seen[0]!.phase).toBe('listing');
    expect(await listKeys(ARTIFACTS, 'cancel-listing/')).toEqual([]);
  }, 30_000);

  it('cancelled with worker threads: rejects with CancelledError, nothing left in the bucket', async () => {
    const { build } = await startLarge('cancel-workers/', (p) => p.phase === 'reading' && p.filesDone >= 20, {
      LOGTUNE_PARSE_WORKERS: '1',
    });
    await expect(build).rejects.toBeInstanceOf(CancelledError);
    expect(await listKeys(ARTIFACTS, 'cancel-workers/')).toEqual([]);
  }, 30_000);

  it('cancelled on a local directory: rejects with CancelledError and removes the .partial files', async () => {
    const logs = join(localRoot, 'large-logs');
    const outDir = join(localRoot, 'cancel-out');
    const store = new LocalStore(logs);
    for (const o of largeFixture('', 12, 110)) {
      const writer = store.createWriter(o.key);
      await writer.write(o.bytes);
      await writer.close();
    }
    const controller = new AbortController();
    const request = resolveBuildRequest(
      loadDataSettings({ LOGTUNE_PARSE_WORKERS: '0', LOGTUNE_FETCH_CONCURRENCY: '4' }),
      { rangeText: FIXTURE_RANGE.text, logsUri: logs, outUri: outDir },
      NOW,
    );
    const build = buildDataset(request, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'reading' && p.filesDone >= 30) controller.abort();
      },
    });
    await expect(build).rejects.toBeInstanceOf(CancelledError);
    const left = await readdir(outDir).catch(() => [] as string[]);
    expect(left).toEqual([]);
  }, 30_000);

  it('refuses a range without log files, naming the location and range', async () => {
    const request = resolveBuildRequest(
      loadDataSettings(dataEnv()),
      { rangeText: '2024-05-01..2024-05-02', outUri: `s3://${ARTIFACTS}/empty-range/` },
      NOW,
    );
    const error = await failure(buildDataset(request));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(LOGS);
    expect(await listKeys(ARTIFACTS, 'empty-range/')).toEqual([]);
  });

  it('fails when no file of the range can be read, naming the first bad one, and writes nothing', async () => {
    const request = resolveBuildRequest(
      loadDataSettings(dataEnv({ LOGTUNE_LOGS_URI: `s3://${LOGS}/${ALL_BAD_PREFIX}` })),
      { rangeText: '2024-04-03', outUri: `s3://${ARTIFACTS}/all-bad/` },
      NOW,
    );
    const error = await failure(buildDataset(request));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain('2024/04/03/a-corrupt.csv.gz');
    expect(error.message).toContain('corrupt_gzip');
    expect(await listKeys(ARTIFACTS, 'all-bad/')).toEqual([]);
  });
});
