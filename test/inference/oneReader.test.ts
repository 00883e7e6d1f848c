import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { buildDataset } from '../../src/dataset/build.ts';
import { CANONICAL_FIELDS } from '../../src/dataset/examples/example.ts';
import { openStoredDataset, readExamples, type StoredDataset } from '../../src/dataset/output/stored.ts';
import { resolveBuildRequest } from '../../src/dataset/request/request.ts';
import { LogLineReader } from '../../src/inference/logLines.ts';
import { contextForRecord } from '../../src/inference/prompt.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import { LABEL_FIELD, syntheticRows, toCsv, toJsonLines, toW3c, type SyntheticRow } from '../helpers/syntheticLogs.ts';

/**
 * One reader: every row of a built dataset, pasted into triage in each format a person may paste (a raw CloudFront
 * W3C line, with or without its #Fields line; a CSV row with or without the header, in stats.json's column order;
 * a JSON object), becomes exactly the context its training example has.
 */
const COLUMNS = [...CANONICAL_FIELDS, LABEL_FIELD];
// Values that each format treats specially: quotes and commas (CSV), %, spaces and non-ASCII (W3C's URL encoding),
// backslashes and quotes (JSON), a plus sign that is not a space, a malformed escape.
const AWKWARD = [
  `q="a,b"&x='1'--`,
  'caf\u00e9 100% ok',
  'path\\to\\file',
  'a+b %zz %41',
  '<script>alert(1)</script>',
  '中文 ; cat /etc/passwd',
];

function awkwardRows(): SyntheticRow[] {
  return syntheticRows('2024-04-01', 120, 5).map((row, i) => ({
    ...row,
    'cs-uri-query': i % 3 === 0 ? AWKWARD[i % AWKWARD.length]! : row['cs-uri-query']!,
    'cs(User-Agent)':
      i % 4 === 1 ? `${row['cs(User-Agent)']} ${AWKWARD[(i + 1) % AWKWARD.length]!}` : row['cs(User-Agent)']!,
    // A unique key per row that stays in the context, to find each row's example.
    'c-port': String(20_000 + i),
  }));
}

const SOURCES = {
  csv: { file: 'part.csv', render: toCsv },
  w3c: { file: 'part.log', render: toW3c },
  jsonl: { file: 'part.json', render: toJsonLines },
} as const;

let root: string;
const rows = awkwardRows();
const built = new Map<keyof typeof SOURCES, { dataset: StoredDataset; contexts: Map<string, string> }>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-one-reader-'));
  for (const [format, { file, render }] of Object.entries(SOURCES) as [
    keyof typeof SOURCES,
    (typeof SOURCES)['csv'],
  ][]) {
    const logs = join(root, format, 'logs');
    await new LocalStore(logs).put(`2024/04/01/${file}`, render(rows));
    const request = resolveBuildRequest(
      loadDataSettings({ LOGTUNE_PARSE_WORKERS: '0', LOGTUNE_LABEL_FIELD: LABEL_FIELD, LOGTUNE_DROP_FIELDS: '' }),
      { rangeText: '2024-04-01', logsUri: logs, outUri: join(root, format, 'dataset') },
      new Date('2024-04-02T00:00:00Z'),
    );
    await buildDataset(request);
    const dataset = await openStoredDataset(join(root, format, 'dataset'), undefined);
    const contexts = new Map<string, string>();
    for (const split of ['train', 'validation'] as const)
      for await (const e of readExamples(dataset, split))
        contexts.set((JSON.parse(e.context) as Record<string, string>)['c-port']!, e.context);
    built.set(format, { dataset, contexts });
  }
}, 60_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Each paste of one row: the lines as pasted (a header line first where the format has one). */
function pastes(row: SyntheticRow): Record<string, string[]> {
  const withoutLabel = COLUMNS.filter((c) => c !== LABEL_FIELD);
  const csv = toCsv([row]).trimEnd().split('\n');
  const w3c = toW3c([row]).trimEnd().split('\n');
  const standardOnly = Object.fromEntries(withoutLabel.map((c) => [c, row[c]!]));
  return {
    'W3C, a raw CloudFront line (33 standard fields)': [
      toW3c([standardOnly as SyntheticRow])
        .trimEnd()
        .split('\n')
        .pop()!
        .split('\t')
        .slice(0, 33)
        .join('\t'),
    ],
    'W3C with its #Fields line': [w3c[1]!, w3c[2]!],
    'CSV with its header': [csv[0]!, csv[1]!],
    'CSV without a header, in the logs’ column order': [csv[1]!],
    'CSV without a header or the label': [csv[1]!.slice(0, csv[1]!.lastIndexOf(','))],
    'JSON object': [JSON.stringify(row)],
  };
}

describe('triage reads a pasted row as training did', () => {
  it.each(Object.keys(SOURCES) as (keyof typeof SOURCES)[])('dataset built from %s logs', (format) => {
    const { dataset, contexts } = built.get(format)!;
    expect(contexts.size).toBe(rows.length);
    const { stats } = dataset;
    for (const row of rows) {
      const trained = contexts.get(row['c-port']!)!;
      for (const [how, lines] of Object.entries(pastes(row))) {
        const reader = new LogLineReader({
          ...(stats.sourceColumns && { sourceColumns: stats.sourceColumns }),
          ...(stats.sourceFormat && { sourceFormat: stats.sourceFormat }),
          labelField: stats.settings.labelField,
        });
        const records = lines.map((l, i) => reader.read(l, i + 1)).filter((e) => e !== undefined);
        expect(records, `${how}: ${lines.join(' | ')}`).toHaveLength(1);
        expect(records[0]!.error, how).toBeUndefined();
        expect(contextForRecord(records[0]!.record!, stats.settings), `${format} dataset, pasted as ${how}`).toBe(
          trained,
        );
      }
    }
  });
});
