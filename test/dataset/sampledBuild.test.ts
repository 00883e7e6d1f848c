import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/dataset/build.ts';
import { countSequenceTokens } from '../../src/dataset/examples/tokens.ts';
import { DATASET_FILES } from '../../src/dataset/output/folder.ts';
import { resolveBuildRequest, type BuildOptions } from '../../src/dataset/request/request.ts';
import { contextGroupText } from '../../src/dataset/sampling/groupKey.ts';
import { quotasFor } from '../../src/dataset/sampling/sampler.ts';
import { isValidationGroup, sampleKeyHex } from '../../src/dataset/sampling/sampleKey.ts';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import type { BuildSummary } from '../../src/dataset/types.ts';
import { referenceCompactContext } from '../helpers/contextReference.ts';
import { LABEL_FIELD, prng, syntheticRows, toCsv, type SyntheticRow } from '../helpers/syntheticLogs.ts';

/**
 * The capped build (`--max-examples N`) against the sampling definition (src/dataset/sampling/sampleKey.ts): the
 * same rows give the same bytes however they are cut into files, ordered and parsed, and the sample is exactly the
 * bottom-k of each label's distinct contexts.
 */
const DAYS = ['2024-04-01', '2024-04-02', '2024-04-03'];
const RANGE = '2024-04-01..2024-04-03';
const NOW = new Date('2024-06-10T12:00:00Z');
const DROP = ['x-edge-request-id'];

let root: string;
/** Per day, the rows every variant holds (copies and near-copies included), and the expected distinct contexts. */
let rowsByDay: Map<string, SyntheticRow[]>;
let contexts: Map<string, Set<string>>;
let totalRows: number;

function dayRows(day: string, d: number): SyntheticRow[] {
  const rows = syntheticRows(day, 400, 300 + d);
  const r = prng(700 + d);
  const extra: SyntheticRow[] = [];
  for (let i = 0; i < 40; i++) {
    const original = rows[Math.floor(r() * rows.length)]!;
    // An exact copy once the request id is dropped…
    extra.push({ ...original, 'x-edge-request-id': `copy-${day}-${i}` });
    // …and a near-copy: the same request at another time, from another client, by another method.
    extra.push({ ...original, time: '23:59:59', 'c-ip': `203.0.113.${i}`, 'cs-method': 'POST', 'sc-bytes': '1' });
  }
  // The same request under another label: two examples, not a copy.
  extra.push({ ...rows[0]!, [LABEL_FIELD]: rows[0]![LABEL_FIELD] === 'benign' ? 'suspicious' : 'benign' });
  return [...rows, ...extra];
}

/** Writes the rows of each day as `files` CSV files, the rows shuffled by `seed` first. */
async function writeVariant(name: string, files: number, seed: number, reverseNames = false): Promise<string> {
  const dir = join(root, name);
  const r = prng(seed);
  for (const day of DAYS) {
    const rows = [...rowsByDay.get(day)!];
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    const per = Math.ceil(rows.length / files);
    for (let f = 0; f < files; f++) {
      const index = reverseNames ? files - 1 - f : f;
      const path = join(dir, day.replaceAll('-', '/'), `part-${String(index).padStart(4, '0')}.csv`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, toCsv(rows.slice(f * per, (f + 1) * per)));
    }
  }
  return dir;
}

interface Built {
  readonly summary: BuildSummary;
  readonly train: string;
  readonly validation: string;
  readonly lines: { label: string; context: string; validation: boolean }[];
}

let outs = 0;
async function build(logs: string, options: Partial<BuildOptions>, workers = 0): Promise<Built> {
  const outUri = join(root, `out-${++outs}`);
  const request = resolveBuildRequest(
    loadDataSettings({ LOGTUNE_PARSE_WORKERS: String(workers), LOGTUNE_FETCH_CONCURRENCY: '3' }),
    { rangeText: RANGE, logsUri: logs, outUri, maxExamples: 300, ...options },
    NOW,
  );
  const summary = await buildDataset(request);
  const train = await readFile(join(outUri, DATASET_FILES.train), 'utf8');
  const validation = await readFile(join(outUri, DATASET_FILES.validation), 'utf8');
  const parse = (text: string, side: boolean) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((raw) => {
        const line = JSON.parse(raw) as { context: string; response: string };
        return { label: /'([^']+)'/.exec(line.response)![1]!, context: line.context, validation: side };
      });
  return { summary, train, validation, lines: [...parse(train, false), ...parse(validation, true)] };
}

let oneFile: string;
let manyFiles: string;
let reversed: string;
let reference: Built;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-sampled-'));
  rowsByDay = new Map(DAYS.map((day, d) => [day, dayRows(day, d)]));
  contexts = new Map();
  totalRows = 0;
  for (const rows of rowsByDay.values()) {
    for (const row of rows) {
      totalRows++;
      const label = row[LABEL_FIELD]!;
      if (!contexts.has(label)) contexts.set(label, new Set());
      contexts.get(label)!.add(referenceCompactContext(row, LABEL_FIELD, DROP));
    }
  }
  oneFile = await writeVariant('one-file', 1, 1);
  manyFiles = await writeVariant('many-files', 7, 2);
  reversed = await writeVariant('reversed', 5, 3, true);
  reference = await build(oneFile, {});
}, 60_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('a capped build (bottom-k by seeded hash)', () => {
  it('gives the same bytes whatever the files, their order, their cutting and the number of workers', async () => {
    for (const [logs, workers] of [
      [manyFiles, 0],
      [reversed, 0],
      [manyFiles, 2],
      [oneFile, 1],
    ] as const) {
      const other = await build(logs, {}, workers);
      expect(other.train, `${logs} with ${workers} workers`).toBe(reference.train);
      expect(other.validation).toBe(reference.validation);
      expect(other.summary.rows).toEqual(reference.summary.rows);
      expect(other.summary.labels).toEqual(reference.summary.labels);
    }
  }, 60_000);

  it('is each label’s quota of its smallest sample keys among its distinct contexts', () => {
    const uniques = new Map([...contexts].map(([label, set]) => [label, set.size]));
    const quotas = quotasFor('proportional', uniques, 300);
    expect(reference.lines).toHaveLength(300);
    for (const [label, set] of contexts) {
      const expected = [...set]
        .map((c) => sampleKeyHex(42, c))
        .sort()
        .slice(0, quotas.get(label));
      const got = reference.lines.filter((l) => l.label === label).map((l) => sampleKeyHex(42, l.context));
      expect(got.sort(), label).toEqual(expected);
      expect(reference.summary.labels[label]!.unique).toBe(set.size);
    }
  });

  it('drops exact copies (same label and context), keeps the same context under another label, and counts both', () => {
    const distinct = [...contexts.values()].reduce((n, set) => n + set.size, 0);
    expect(reference.summary.rows.unique).toBe(distinct);
    expect(reference.summary.rows.duplicates).toBe(totalRows - distinct);
    expect(reference.summary.rows.duplicates).toBeGreaterThanOrEqual(3 * 40);
    const keys = reference.lines.map((l) => `${l.label}\u0000${l.context}`);
    expect(new Set(keys).size).toBe(keys.length);
    // With a cap above every label's count, the request seen under two labels is in twice.
    const whole = contexts.get('malicious')!.size + contexts.get('suspicious')!.size + contexts.get('benign')!.size;
    return build(oneFile, { maxExamples: whole + 10 }).then((all) => {
      expect(all.lines).toHaveLength(whole);
      const first = referenceCompactContext(rowsByDay.get(DAYS[0]!)![0]!, LABEL_FIELD, DROP);
      expect(
        all.lines
          .filter((l) => l.context === first)
          .map((l) => l.label)
          .sort(),
      ).toHaveLength(2);
    });
  }, 30_000);

  it('places each example by its near-copy group’s split key: groups never straddle the split', async () => {
    // Every distinct example, so that the near-copies are all in.
    const whole = await build(manyFiles, { maxExamples: 10_000 }, 2);
    for (const built of [reference, whole]) {
      for (const line of built.lines) {
        expect(line.validation).toBe(isValidationGroup(42, contextGroupText(line.context), 0.1));
      }
      const trainGroups = new Set(built.lines.filter((l) => !l.validation).map((l) => contextGroupText(l.context)));
      expect(built.lines.filter((l) => l.validation && trainGroups.has(contextGroupText(l.context)))).toEqual([]);
      expect(built.summary.rows.validation).toBeGreaterThan(0);
      const sizes = new Map<string, number>();
      for (const l of built.lines)
        sizes.set(contextGroupText(l.context), (sizes.get(contextGroupText(l.context)) ?? 0) + 1);
      const grouped = [...sizes.values()].filter((n) => n > 1).reduce((a, b) => a + b, 0);
      expect(built.summary.rows.groups).toBe(sizes.size);
      expect(built.summary.rows.groupedExamples).toBe(grouped);
    }
    // 40 near-copies a day: each with its original, a group of (at least) two.
    expect(whole.summary.rows.groupedExamples).toBeGreaterThanOrEqual(2 * 3 * 35);
  }, 30_000);

  it('writes in sample-key order, labels interleaved', () => {
    for (const side of [false, true]) {
      const keys = reference.lines.filter((l) => l.validation === side).map((l) => sampleKeyHex(42, l.context));
      expect(keys).toEqual([...keys].sort());
    }
    const firstLabels = new Set(reference.lines.slice(0, 60).map((l) => l.label));
    expect(firstLabels.size).toBeGreaterThan(1);
  });

  it('draws another sample under another seed, and balances when asked', async () => {
    const other = await build(oneFile, { seed: 7 });
    expect(other.train).not.toBe(reference.train);
    const shared = other.lines.filter((l) => reference.lines.some((r) => r.context === l.context)).length;
    expect(shared).toBeLessThan(200);
    const balanced = await build(manyFiles, { balance: 'balanced' }, 2);
    const quotas = quotasFor('balanced', new Map([...contexts].map(([l, s]) => [l, s.size])), 300);
    for (const [label, quota] of quotas) {
      expect(
        balanced.lines.filter((l) => l.label === label),
        label,
      ).toHaveLength(quota);
    }
  }, 30_000);

  it('cuts over-length contexts of the sample as it writes them, the sample drawn on the uncut contexts', async () => {
    const limit = 300;
    const cut = await build(manyFiles, { maxInputLength: limit }, 2);
    expect(cut.lines).toHaveLength(300);
    let truncated = 0;
    cut.lines.forEach((line, i) => {
      const original = reference.lines[i]!;
      expect(line.label).toBe(original.label);
      expect(original.context.startsWith(line.context)).toBe(true);
      if (line.context !== original.context) truncated++;
      expect(countSequenceTokens(line.context, line.label)).toBeLessThanOrEqual(limit - 1);
    });
    expect(truncated).toBeGreaterThan(0);
    expect(cut.summary.examples).toEqual({
      maxInputLength: limit,
      contextTruncated: truncated,
      droppedAnswerTooLong: 0,
    });
  }, 30_000);
});
