import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { seededRandom } from '../src/dataset/sampling/random.ts';
import {
  LABEL_FIELD,
  syntheticRows,
  toCsv,
  toJsonLines,
  toW3c,
  type SyntheticRow,
} from '../test/helpers/syntheticLogs.ts';

/**
 * Regenerates examples/logs, the small sample the README's quick start builds from: three days in the seed
 * layout, one file per format, plus one corrupt file to show how bad files are reported.
 *
 * The sample is meant to teach what real data does, so it is not clean:
 * - `waf-rule`, an enrichment column (what a WAF join adds), names the rule that fired: it nearly gives the label
 *   away, and the baseline report flags it as a leak;
 * - some requests are labelled by what a single line cannot show (a rate rule over many requests): with only the
 *   fields of a raw CloudFront line they look benign, so the report shows the skew triage will meet;
 * - /search is both a page people use and where the XSS attempts go: the label depends on the query, not the path;
 * - a few labels disagree with everything in the line (as hand labels do), so no model scores a perfect 1.000.
 * Run: npx tsx scripts/make-sample.ts
 */
const root = new URL('../examples/logs/', import.meta.url).pathname;
const days = ['2024-04-01', '2024-04-02', '2024-04-03'];
const EXTRA = ['waf-rule'];
const ATTACK_RULES: Record<string, string> = {
  '/login': 'AWS-AWSManagedRulesSQLiRuleSet',
  '/api/v1/items': 'AWS-AWSManagedRulesSQLiRuleSet',
  '/../../etc/passwd': 'AWS-AWSManagedRulesKnownBadInputsRuleSet',
  '/search': 'AWS-AWSManagedRulesCommonRuleSet-XSS',
};
const WORDS = ['shoes', 'red+dress', 'gift+card', 'laptop+bag', 'sale'];

function teach(rows: SyntheticRow[], seed: number): SyntheticRow[] {
  const r = seededRandom(seed);
  return rows.map((row) => {
    const out: SyntheticRow = { ...row, 'waf-rule': '-' };
    const label = row[LABEL_FIELD]!;
    const roll = r();
    if (label === 'benign') {
      if (roll < 0.12) {
        // Over the rate limit: the line itself is an ordinary page view.
        out[LABEL_FIELD] = 'suspicious';
        out['waf-rule'] = 'RateBasedRule-2000-per-5-min';
      } else if (roll < 0.27) {
        out['cs-uri-stem'] = '/search';
        out['cs-uri-query'] = `q=${WORDS[Math.floor(r() * WORDS.length)]}`;
      }
    } else if (label === 'suspicious') {
      out['waf-rule'] = roll < 0.9 ? 'AWS-AWSManagedRulesBotControlRuleSet' : '-';
    } else {
      out['waf-rule'] = roll < 0.9 ? (ATTACK_RULES[row['cs-uri-stem']!] ?? '-') : '-';
    }
    // A hand label the line does not support.
    if (r() < 0.025) out[LABEL_FIELD] = out[LABEL_FIELD] === 'benign' ? 'suspicious' : 'benign';
    return out;
  });
}

await rm(root, { recursive: true, force: true });
let seed = 101;
const rows = (day: string, count: number) => {
  const s = seed++;
  return teach(syntheticRows(day, count, s), s * 31);
};
for (const day of days) {
  const dir = join(root, ...day.split('-'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'part-0000.csv'), toCsv(rows(day, 120), EXTRA));
  await writeFile(join(dir, 'part-0001.csv.gz'), gzipSync(toCsv(rows(day, 120), EXTRA)));
  await writeFile(join(dir, 'E2EXAMPLE.w3c.gz'), gzipSync(toW3c(rows(day, 80), EXTRA)));
  await writeFile(join(dir, 'waf-joined.jsonl'), toJsonLines(rows(day, 80)));
}
// A truncated gzip, as an interrupted upload leaves behind: skipped and reported, never half-read.
const whole = gzipSync(toCsv(rows(days[1]!, 50), EXTRA));
await writeFile(join(root, '2024', '04', '02', 'part-0002.csv.gz'), whole.subarray(0, whole.length >> 1));
