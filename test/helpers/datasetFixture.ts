import { gzipSync } from 'node:zlib';
import { referenceCompactContext } from './contextReference.ts';
import { LABEL_FIELD, W3C_FIELDS, syntheticRows, toCsv, toW3c, type SyntheticRow } from './syntheticLogs.ts';

/**
 * A multi-day bucket of mixed-format log files with every kind of row and file the builder must handle, and the
 * dataset expected from it, computed here without the code under test.
 */
export const FIXTURE_RANGE = { start: '2024-04-01', end: '2024-04-03', text: '2024-04-01..2024-04-03' } as const;
export const DROP_FIELDS = ['x-edge-request-id'] as const;
/** Text that only rows of skipped files carry. */
export const SKIPPED_MARKER = 'skipped-file-marker';

export interface FixtureObject {
  readonly key: string;
  readonly bytes: Uint8Array;
  /** A good file's records in parsed form (what the local parser must read from it), to deliver them otherwise. */
  readonly records?: readonly Readonly<Record<string, string>>[];
}

/** What a file should parse to (records in parsed form), or why it must be skipped. */
type FileContent = { readonly records: readonly Readonly<Record<string, string>>[] } | { readonly bad: string };

export interface ExpectedLabel {
  scanned: number;
  unique: number;
}

export interface ExpectedDataset {
  /** Objects the range's days list. */
  readonly listed: number;
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
  readonly scanned: number;
  readonly inRange: number;
  readonly unlabelled: number;
  readonly duplicates: number;
  readonly labels: Readonly<Record<string, ExpectedLabel>>;
  /** Every unique context and its label, in first-seen (key) order. */
  readonly contexts: ReadonlyMap<string, string>;
  /** Every x-edge-request-id in the bucket: none may reach a context. */
  readonly requestIds: readonly string[];
}

const encoder = new TextEncoder();
const folderOf = (day: string) => day.replaceAll('-', '/');

function dayOfRecord(record: Readonly<Record<string, string>>): string {
  if (record.date !== undefined) return record.date.slice(0, 10);
  return new Date(Number(record.timestamp) * 1000).toISOString().slice(0, 10);
}

/** Rows with marker values, as a skipped file holds them (labelled, in range: they would count if read). */
function markerRows(day: string, name: string, count: number, seed: number): SyntheticRow[] {
  return syntheticRows(day, count, seed).map((row, i) => ({
    ...row,
    'cs-uri-stem': `/${SKIPPED_MARKER}/${name}/${i}`,
    'c-ip': `198.51.100.${i % 250}`,
  }));
}

function csvWithout(rows: readonly SyntheticRow[], dropped: string): string {
  const columns = [...W3C_FIELDS, LABEL_FIELD].filter((c) => c !== dropped);
  const value = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return `${[columns.join(','), ...rows.map((row) => columns.map((c) => value(row[c] ?? '-')).join(','))].join('\n')}\n`;
}

export interface FixtureOptions {
  /** Rows per good file (the default keeps builds fast). */
  readonly rowsPerFile?: number;
}

export function datasetFixture(options: FixtureOptions = {}): { objects: FixtureObject[]; expected: ExpectedDataset } {
  const n = options.rowsPerFile ?? 60;
  const files: { key: string; bytes: Uint8Array; content: FileContent }[] = [];
  const add = (key: string, bytes: Uint8Array | string, content: FileContent) =>
    files.push({ key, bytes: typeof bytes === 'string' ? encoder.encode(bytes) : bytes, content });

  // A day before the range, in its own folder: never listed.
  {
    const rows = syntheticRows('2024-03-31', 40, 900);
    add('2024/03/31/part-0000.csv', toCsv(rows), { records: rows });
    const more = syntheticRows('2024-03-31', 20, 901);
    add('2024/03/31/part-0001.jsonl', more.map((r) => JSON.stringify(r)).join('\n'), { records: more });
  }

  ['2024-04-01', '2024-04-02', '2024-04-03'].forEach((day, d) => {
    const folder = folderOf(day);
    const seed = 100 + d * 10;

    // CSV: an unlabelled row, a label with spaces around it, rows dated outside the range, an exact duplicate row.
    const csv = syntheticRows(day, n, seed);
    csv[3] = { ...csv[3]!, [LABEL_FIELD]: '' };
    csv[15] = { ...csv[15]!, [LABEL_FIELD]: ' suspicious ' };
    csv[7] = { ...csv[7]!, date: '2024-04-04', 'cs-uri-stem': '/out-of-range/after' };
    csv[11] = { ...csv[11]!, date: '2024-03-31', 'cs-uri-stem': '/out-of-range/before' };
    csv[20] = { ...csv[10]! };
    add(`${folder}/part-0000.csv`, toCsv(csv), { records: csv });

    // Gzipped CSV.
    const gz = syntheticRows(day, n, seed + 1);
    add(`${folder}/part-0001.csv.gz`, gzipSync(toCsv(gz)), { records: gz });

    // CloudFront W3C, gzipped: an unlabelled ("-") row, a row dated after the range.
    const w3c = syntheticRows(day, n, seed + 2);
    w3c[5] = { ...w3c[5]!, [LABEL_FIELD]: '-' };
    w3c[9] = { ...w3c[9]!, date: '2024-04-05' };
    add(`${folder}/part-0002.log.gz`, gzipSync(toW3c(w3c)), { records: w3c });

    // JSON lines, keys in another order: a null label, and ten rows of the CSV file again under new request ids
    // (duplicates once the request id is dropped).
    const jsonRows = syntheticRows(day, n - 10, seed + 3);
    const copies = csv
      .slice(30, 40)
      .map((row, i) => ({ ...row, 'x-edge-request-id': `COPY${day}${i}`.padEnd(56, 'Z') }));
    const lines = [...jsonRows, ...copies].map((row, i) => {
      const reordered = Object.fromEntries(Object.entries(row).reverse());
      return JSON.stringify(i === 2 ? { ...reordered, [LABEL_FIELD]: null } : reordered);
    });
    const jsonRecords = [...jsonRows, ...copies].map((row, i) => (i === 2 ? { ...row, [LABEL_FIELD]: '-' } : row));
    add(`${folder}/part-0003.jsonl`, `${lines.join('\n')}\n`, { records: jsonRecords });

    if (day === '2024-04-02') {
      // CloudFront v2 JSON style: an epoch `timestamp` instead of `date`; some rows fall on a day after the range.
      const v2 = syntheticRows(day, 30, seed + 4).map((row, i) => {
        const { date: _date, ...rest } = row;
        const base = Date.parse(`${i % 5 === 0 ? '2024-04-04' : day}T00:00:00Z`) / 1000;
        return { timestamp: String(base + i * 61), ...rest };
      });
      add(`${folder}/part-0004-v2.jsonl`, `${v2.map((r) => JSON.stringify(r)).join('\n')}\n`, { records: v2 });
    }
  });

  // Bad files, in range, each with rows that would count if they were read.
  {
    const rows = markerRows('2024-04-01', 'corrupt', 30, 501);
    const whole = gzipSync(toCsv(rows));
    add('2024/04/01/bad-corrupt.csv.gz', whole.subarray(0, Math.floor(whole.length / 2)), { bad: 'corrupt_gzip' });
  }
  add('2024/04/01/bad-nolabel.csv', csvWithout(markerRows('2024-04-01', 'nolabel', 30, 502), LABEL_FIELD), {
    bad: 'no_label_column',
  });
  {
    const text = toCsv(markerRows('2024-04-02', 'utf8', 30, 503));
    const at = text.indexOf('\n', text.indexOf('\n') + 1) + 20; // inside the second data row
    const bytes = Buffer.concat([
      Buffer.from(text.slice(0, at)),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(text.slice(at)),
    ]);
    add('2024/04/02/bad-utf8.csv', bytes, { bad: 'invalid_utf8' });
  }
  {
    const lines = toCsv(markerRows('2024-04-02', 'fieldcount', 30, 504)).split('\n');
    lines[12] = `${lines[12]},one-field-too-many`;
    add('2024/04/02/bad-fieldcount.csv', lines.join('\n'), { bad: 'field_count' });
  }
  add('2024/04/03/bad-empty.csv', new Uint8Array(0), { bad: 'empty' });

  return {
    objects: files.map(({ key, bytes, content }) => ({ key, bytes, ...('records' in content && content) })),
    expected: expectedFrom(files),
  };
}

function expectedFrom(files: readonly { key: string; content: FileContent }[]): ExpectedDataset {
  const inRangeFolder = (key: string) =>
    ['2024-04-01', '2024-04-02', '2024-04-03'].some((day) => key.startsWith(`${folderOf(day)}/`));
  const listed = files.filter((f) => inRangeFolder(f.key)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const skipped: { key: string; reason: string }[] = [];
  const labels: Record<string, ExpectedLabel> = {};
  const contexts = new Map<string, string>();
  const requestIds: string[] = [];
  let scanned = 0;
  let inRange = 0;
  let unlabelled = 0;
  let duplicates = 0;
  for (const file of files) {
    if ('records' in file.content)
      for (const r of file.content.records) if (r['x-edge-request-id']) requestIds.push(r['x-edge-request-id']);
  }
  for (const file of listed) {
    if ('bad' in file.content) {
      skipped.push({ key: file.key, reason: file.content.bad });
      continue;
    }
    for (const record of file.content.records) {
      scanned++;
      const day = dayOfRecord(record);
      if (day < FIXTURE_RANGE.start || day > FIXTURE_RANGE.end) continue;
      inRange++;
      const label = (record[LABEL_FIELD] ?? '-').trim();
      if (label === '' || label === '-') {
        unlabelled++;
        continue;
      }
      const counts = (labels[label] ??= { scanned: 0, unique: 0 });
      counts.scanned++;
      const context = referenceCompactContext(record, LABEL_FIELD, DROP_FIELDS);
      if (contexts.has(context)) {
        duplicates++;
        continue;
      }
      contexts.set(context, label);
      counts.unique++;
    }
  }
  return { listed: listed.length, skipped, scanned, inRange, unlabelled, duplicates, labels, contexts, requestIds };
}

/** A larger bucket (many plain CSV files) for cancellation: big enough that outputs are being written when it stops. */
export function largeFixture(prefix: string, filesPerDay: number, rowsPerFile: number): FixtureObject[] {
  const objects: FixtureObject[] = [];
  ['2024-04-01', '2024-04-02', '2024-04-03'].forEach((day, d) => {
    for (let f = 0; f < filesPerDay; f++) {
      const rows = syntheticRows(day, rowsPerFile, 2000 + d * 100 + f);
      objects.push({
        key: `${prefix}${folderOf(day)}/part-${String(f).padStart(4, '0')}.csv`,
        bytes: encoder.encode(toCsv(rows)),
      });
    }
  });
  return objects;
}
