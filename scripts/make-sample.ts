import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { syntheticRows, toCsv, toJsonLines, toW3c } from '../test/helpers/syntheticLogs.ts';

/**
 * Regenerates examples/logs, the small sample the README's quick start builds from: three days in the seed
 * layout, one file per format, plus one corrupt file to show how bad files are reported.
 * Run: npx tsx scripts/make-sample.ts
 */
const root = new URL('../examples/logs/', import.meta.url).pathname;
const days = ['2024-04-01', '2024-04-02', '2024-04-03'];
let seed = 101;
for (const day of days) {
  const dir = join(root, ...day.split('-'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'part-0000.csv'), toCsv(syntheticRows(day, 120, seed++)));
  await writeFile(join(dir, 'part-0001.csv.gz'), gzipSync(toCsv(syntheticRows(day, 120, seed++))));
  await writeFile(join(dir, 'E2EXAMPLE.w3c.gz'), gzipSync(toW3c(syntheticRows(day, 80, seed++))));
  await writeFile(join(dir, 'waf-joined.jsonl'), toJsonLines(syntheticRows(day, 80, seed++)));
}
// A truncated gzip, as an interrupted upload leaves behind: skipped and reported, never half-read.
const whole = gzipSync(toCsv(syntheticRows(days[1]!, 50, seed)));
await writeFile(join(root, '2024', '04', '02', 'part-0002.csv.gz'), whole.subarray(0, whole.length >> 1));
