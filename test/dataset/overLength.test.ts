import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/dataset/build.ts';
import { trainedLabel } from '../../src/dataset/examples/answer.ts';
import { exampleLine, LINE_HEAD, lineTail, responseFor, toContext } from '../../src/dataset/examples/example.ts';
import { contextTokenBudget, fitContextToTokens } from '../../src/dataset/examples/fitContext.ts';
import { contextTokenBound, textTokenBound } from '../../src/dataset/examples/tokenBound.ts';
import { asciiMergeTable, countContextTokens, countSequenceTokens } from '../../src/dataset/examples/tokens.ts';
import { resolveBuildRequest } from '../../src/dataset/request/request.ts';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { classificationPrompt } from '../../src/inference/prompt.ts';
import { trickyRows } from '../helpers/contextReference.ts';
import { LABEL_FIELD, W3C_FIELDS, prng, syntheticRows, type SyntheticRow } from '../helpers/syntheticLogs.ts';

const merges = asciiMergeTable();
const contextOptions = { labelField: LABEL_FIELD, dropFields: ['x-edge-request-id'], format: 'compact' as const };

function lineSpanBound(context: string): number {
  const bytes = Buffer.from(exampleLine(context, JSON.stringify(responseFor('x'))));
  return contextTokenBound(bytes, LINE_HEAD.length, bytes.length - Buffer.byteLength(lineTail('"x"')), merges);
}

function randomText(r: () => number, length: number): string {
  const alphabet = [
    'a',
    'e',
    'th',
    ' ',
    '=',
    '/',
    '%2F',
    '0',
    '9',
    '.',
    '"',
    '\\',
    '\n',
    'é',
    '€',
    '😀',
    '\u0000',
    '-',
  ];
  let text = '';
  while (text.length < length) text += alphabet[Math.floor(r() * alphabet.length)];
  return text;
}

describe('the token bound the workers use', () => {
  it('never counts fewer tokens than the tokenizer, on log contexts and on odd text', () => {
    const r = prng(5);
    const contexts = [
      ...syntheticRows('2024-04-01', 300, 3).map((row) => toContext(row, contextOptions)),
      ...trickyRows([...W3C_FIELDS, LABEL_FIELD], 100, 4).map((row) => toContext(row, contextOptions)),
      ...Array.from({ length: 200 }, () => randomText(r, 20 + Math.floor(r() * 400))),
      '',
      'a',
    ];
    for (const context of contexts) {
      const exact = countContextTokens(context);
      expect(lineSpanBound(context), context).toBeGreaterThanOrEqual(exact);
      expect(textTokenBound(context, merges), context).toBeGreaterThanOrEqual(exact);
    }
  });

  it('is well under the byte count on log contexts, so few examples need an exact count', () => {
    const contexts = syntheticRows('2024-04-01', 200, 9).map((row) => toContext(row, contextOptions));
    const bytes = contexts.reduce((sum, c) => sum + Buffer.byteLength(c), 0);
    const bound = contexts.reduce((sum, c) => sum + textTokenBound(c, merges), 0);
    expect(bound / bytes).toBeLessThan(0.85);
  });
});

describe('examples longer than max_input_length', () => {
  let root: string;
  const rows: SyntheticRow[] = [];
  const LONG_LABEL = `exfiltration-${'x'.repeat(2000)}`;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'logtune-overlength-'));
    rows.push(...syntheticRows('2024-04-01', 120, 21));
    // A few rows with a very long query string (cut), and a few whose label alone is over the limit (dropped).
    const r = prng(22);
    for (let i = 0; i < 20; i++) rows[i] = { ...rows[i]!, 'cs-uri-query': `q=${randomText(r, 3000)}` };
    for (let i = 20; i < 25; i++) rows[i] = { ...rows[i]!, [LABEL_FIELD]: LONG_LABEL };
    await mkdir(join(root, 'logs/2024/04/01'), { recursive: true });
    await writeFile(join(root, 'logs/2024/04/01/part-0000.jsonl'), rows.map((row) => JSON.stringify(row)).join('\n'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['inline, every example written as it comes', '0', 'all'],
    ['on worker threads, sampled', '2', 100],
  ] as const)('cut the context as inference does and keep the answer (%s)', async (_name, workers, maxExamples) => {
    const maxInputLength = 300;
    const out = join(root, `out-${workers}`);
    const request = resolveBuildRequest(
      loadDataSettings({ LOGTUNE_PARSE_WORKERS: workers }),
      { rangeText: '2024-04-01', logsUri: join(root, 'logs'), outUri: out, maxInputLength, maxExamples },
      new Date('2024-06-01T00:00:00Z'),
    );
    const summary = await buildDataset(request);
    const fullContexts = new Map(rows.map((row) => [toContext(row, contextOptions), row[LABEL_FIELD]!]));
    let cut = 0;
    let lines = 0;
    for (const file of ['train/train.jsonl', 'validation/validation.jsonl']) {
      for (const line of (await readFile(join(out, file), 'utf8')).split('\n').filter((l) => l !== '')) {
        lines++;
        const example = JSON.parse(line) as { context: string; response: string };
        const label = trainedLabel(example.response)!;
        expect(label).toBeDefined();
        expect(label).not.toBe(LONG_LABEL);
        // The whole sequence fits, with room for an end-of-sequence token.
        expect(countSequenceTokens(example.context, label)).toBeLessThanOrEqual(maxInputLength - 1);
        if (fullContexts.has(example.context)) continue;
        cut++;
        const original = [...fullContexts.keys()].find((c) => c.startsWith(example.context))!;
        expect(original).toBeDefined();
        // The same prefix inference would send for that row under the same budget.
        expect(fitContextToTokens(original, contextTokenBudget(label, maxInputLength)).text).toBe(example.context);
      }
    }
    expect(cut).toBeGreaterThan(0);
    expect(summary.examples).toEqual({ maxInputLength, contextTruncated: cut, droppedAnswerTooLong: 5 });
    expect(summary.rows.train + summary.rows.validation).toBe(lines);
    const stats = JSON.parse(await readFile(join(out, 'stats.json'), 'utf8')) as { examples: unknown };
    expect(stats.examples).toEqual(summary.examples);
  });

  it('inference cuts a prompt with the same function', () => {
    const context = toContext({ ...rows[0]!, 'cs-uri-query': 'q='.repeat(2000) }, contextOptions);
    const prompt = classificationPrompt(context, 200);
    expect(prompt.cutTokens).toBeGreaterThan(0);
    expect(prompt.tokens).toBeLessThanOrEqual(200);
  });
});
