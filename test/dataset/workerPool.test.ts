import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileProcessor, type FileOutcome, type FileProcessor } from '../../src/dataset/pipeline/processorPool.ts';
import type { ProcessorSettings } from '../../src/dataset/pipeline/processFile.ts';
import { sampleSizesFor } from '../../src/dataset/examples/tokenSample.ts';
import { asciiMergeTable, PROMPT_HEAD_TOKENS } from '../../src/dataset/examples/tokens.ts';
import { LABEL_FIELD, syntheticRows, toCsv } from '../helpers/syntheticLogs.ts';

const DAY = '2024-04-01';
const POOL_SETTINGS: ProcessorSettings = {
  labelField: LABEL_FIELD,
  dropFields: [],
  contextFormat: 'compact',
  rangeStart: DAY,
  rangeEnd: DAY,
  seed: 42,
  maxExamples: 'all',
  sampleSizes: sampleSizesFor('all'),
  maxFileBytes: 256 * 1024 * 1024,
  maxInputLength: 1024,
  promptHeadTokens: PROMPT_HEAD_TOKENS,
  mergeTable: asciiMergeTable(),
};
/** Every row a sample candidate with its other-format context: a file's memory grows with its rows. */
const KEEP_ALL = { tokens: Number.MAX_SAFE_INTEGER, pairs: Number.MAX_SAFE_INTEGER };
/**
 * Room for the worker's code and an ordinary file, not for 10,000 rows (5 MB of CSV) whose contexts are all kept.
 * The heap fills row by row, the way a worker really runs out: one huge allocation past the limit can abort the
 * whole process instead (nodejs/node#47224), which is why files are capped before they reach a worker.
 */
const TINY_HEAP_MB = 16;

const small = (seed: number) => new TextEncoder().encode(toCsv(syntheticRows(DAY, 20, seed)));
const tooBigForTheHeap = () => gzipSync(toCsv(syntheticRows(DAY, 10_000, 7)));
const describeOutcome = (o: FileOutcome) => (o.ok ? `ok ${o.result.rowsScanned}` : `${o.reason}: ${o.message}`);

let processor: FileProcessor | undefined;
afterEach(async () => {
  await processor?.close();
  processor = undefined;
});

describe('parse worker pool', () => {
  it('a worker that runs out of memory costs only its file; the files queued behind it go to its replacement', async () => {
    processor = createFileProcessor(POOL_SETTINGS, 1, { maxOldGenerationSizeMb: TINY_HEAP_MB });
    const files = [small(1), tooBigForTheHeap(), small(2), small(3)];
    const outcomes = await Promise.all(files.map((bytes) => processor!.process(bytes, DAY, KEEP_ALL)));
    expect(outcomes.map(describeOutcome)).toEqual([
      'ok 20',
      'parser_crashed: parser crashed: Worker terminated due to reaching memory limit: JS heap out of memory',
      'ok 20',
      'ok 20',
    ]);
  });

  it('files on the other workers are unaffected, and the pool keeps working after the crash', async () => {
    processor = createFileProcessor(POOL_SETTINGS, 2, { maxOldGenerationSizeMb: TINY_HEAP_MB });
    const files = [small(1), small(2), tooBigForTheHeap(), small(3), small(4), small(5)];
    const outcomes = await Promise.all(files.map((bytes) => processor!.process(bytes, DAY, KEEP_ALL)));
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['ok', 'ok', 'parser_crashed', 'ok', 'ok', 'ok']);
    // The same rows as parsing them on the main thread.
    const inline = createFileProcessor(POOL_SETTINGS, 0);
    const expected = await inline.process(small(4), DAY, KEEP_ALL);
    const asText = (o: FileOutcome | undefined) =>
      o?.ok ? { ...o.result, bytes: Buffer.from(o.result.bytes).toString() } : o;
    expect(asText(outcomes[4])).toEqual(asText(expected));
    const after = await Promise.all([small(6), small(7)].map((bytes) => processor!.process(bytes, DAY, KEEP_ALL)));
    expect(after.map(describeOutcome)).toEqual(['ok 20', 'ok 20']);
  });

  // On Node 22 and 24 a worker whose heap cannot even hold Node's own bootstrap aborts the whole process (a fatal
  // V8 OOM, not ERR_WORKER_OUT_OF_MEMORY; cf. nodejs/node#47224), so this start-up failure can only be staged on 20.
  // The heap limit logtune sets is far above that; the other two cases cover a worker running out mid-file there.
  const bootstrapOomIsCatchable = Number(process.versions.node.split('.')[0]) < 22;
  it.runIf(bootstrapOomIsCatchable)(
    'a worker that dies before it is ready fails the build instead of being replaced over and over',
    async () => {
      // 2 MB: not even room for the parser's code.
      processor = createFileProcessor(POOL_SETTINGS, 2, { maxOldGenerationSizeMb: 2 });
      await expect(processor.process(small(1), DAY, KEEP_ALL)).rejects.toThrow(
        /^parse worker failed to start: .*memory limit/,
      );
      await expect(processor.process(small(2), DAY, KEEP_ALL)).rejects.toThrow(/^parse worker failed to start/);
    },
  );
});
