import { describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, toContext } from '../../src/dataset/examples/example.ts';
import { LogLineReader, MAX_LINE_CHARS, readLogLines } from '../../src/inference/logLines.ts';
import { LABEL_FIELD, syntheticRows, toCsv, toJsonLines, toW3c } from '../helpers/syntheticLogs.ts';

const rows = syntheticRows('2024-04-01', 5, 11);
const sourceColumns = [...CANONICAL_FIELDS, LABEL_FIELD];
const csvOptions = { sourceColumns, sourceFormat: 'csv', labelField: LABEL_FIELD } as const;
const contextOptions = { labelField: LABEL_FIELD, dropFields: ['x-edge-request-id'], format: 'compact' } as const;

const withoutLabel = (row: Record<string, string>) =>
  Object.fromEntries(Object.entries(row).filter(([k]) => k !== LABEL_FIELD));

describe('readLogLines', () => {
  it('reads CSV rows in the logs’ column order, with or without the header, with or without the label column', () => {
    const csv = toCsv(rows).trimEnd().split('\n');
    const header = csv[0]!;
    const noLabel = csv[2]!.slice(0, csv[2]!.lastIndexOf(','));
    const entries = readLogLines(
      [header, csv[1], noLabel, header.split(',').slice(0, -1).join(',')].join('\n'),
      csvOptions,
    );
    expect(entries.map((e) => e.line)).toEqual([2, 3]);
    expect(entries[0]!.record).toEqual(rows[0]);
    expect(entries[1]!.record).toEqual(withoutLabel(rows[1]!));
    // The label column is dropped by the context transform, exactly as in training.
    expect(toContext(entries[0]!.record!, contextOptions)).toBe(toContext(withoutLabel(rows[0]!), contextOptions));
  });

  it('reads quoted CSV fields (commas and quotes inside) through papaparse', () => {
    const row = { ...rows[0]!, 'cs(User-Agent)': 'Mozilla/5.0 (X11, "quoted")' };
    const line = toCsv([row]).trimEnd().split('\n')[1]!;
    expect(line).toContain('""quoted""');
    expect(readLogLines(line, csvOptions)[0]!.record).toEqual(row);
  });

  it('reads CloudFront W3C lines: the 33 standard fields without #Fields, URL-decoded, a trailing tab tolerated', () => {
    const w3c = toW3c(rows).trimEnd().split('\n');
    const standard = w3c[2]!.split('\t').slice(0, CANONICAL_FIELDS.length).join('\t');
    const [entry, trailing] = readLogLines(`${standard}\n${standard}\t`);
    expect(entry!.record).toEqual(withoutLabel(rows[0]!));
    expect(entry!.record!['cs(User-Agent)']).toContain(' '); // %20 decoded
    expect(trailing!.record).toEqual(entry!.record);
  });

  it('takes the columns of W3C lines from a pasted #Fields line, extra columns included', () => {
    const text = toW3c(rows.slice(0, 2)); // #Version, #Fields with the label column, two rows
    const entries = readLogLines(text);
    expect(entries.map((e) => e.line)).toEqual([3, 4]);
    expect(entries.map((e) => e.record)).toEqual(rows.slice(0, 2));
  });

  it('refuses W3C lines with extra columns when no #Fields line names them', () => {
    const line = toW3c(rows).split('\n')[2]!; // 34 fields
    const [entry] = readLogLines(line);
    expect(entry!.record).toBeUndefined();
    expect(entry!.error).toMatch(/34 tab-separated fields.*33/);
  });

  it('uses the dataset’s own W3C columns when it was built from W3C files', () => {
    const line = toW3c(rows).split('\n')[2]!;
    const [entry] = readLogLines(line, { sourceColumns, sourceFormat: 'w3c', labelField: LABEL_FIELD });
    expect(entry!.record).toEqual(rows[0]);
  });

  it('maps a tab-separated line with extra columns by the logs’ own order when those start with the 33 standard fields', () => {
    const line = toW3c(rows).split('\n')[2]!; // the 33 standard fields, then the label
    expect(readLogLines(line, csvOptions)[0]!.record).toEqual(rows[0]);
    // Logs whose columns are in another order say nothing about a tab-separated paste.
    const shuffled = [LABEL_FIELD, ...CANONICAL_FIELDS];
    expect(
      readLogLines(line, { sourceColumns: shuffled, sourceFormat: 'csv', labelField: LABEL_FIELD })[0]!.error,
    ).toMatch(/34 tab-separated fields/);
  });

  it('reads JSON objects as the builder does (null → "-", numbers as text, nested as JSON)', () => {
    const text = `${toJsonLines(rows.slice(0, 1))}{"c-ip":"1.2.3.4","sc-status":403,"x":null,"y":{"a":1},"__proto__":"p"}`;
    const [first, second] = readLogLines(text);
    expect(first!.record).toEqual(rows[0]);
    expect(second!.record).toEqual({ 'c-ip': '1.2.3.4', 'sc-status': '403', x: '-', y: '{"a":1}', ['__proto__']: 'p' });
    expect(Object.getPrototypeOf(second!.record)).toBe(Object.prototype);
  });

  it('gives an error for a line that cannot be read, and goes on with the next', () => {
    const csvRow = toCsv(rows).split('\n')[1]!;
    const text = ['{"broken": ', '[1,2]', 'a,b,c', '"unclosed,quote', csvRow, 'x\ty', '', '   ', csvRow].join('\r\n');
    const entries = readLogLines(text, csvOptions);
    expect(entries.map((e) => [e.line, e.record === undefined ? e.error : 'ok'])).toEqual([
      [1, 'starts with "{" but is not valid JSON'],
      [2, expect.stringMatching(/2 comma-separated fields.*34 \(33 without the label\)/)],
      [3, expect.stringMatching(/3 comma-separated fields/)],
      [4, expect.stringMatching(/CSV quoting is broken/)],
      [5, 'ok'],
      [6, expect.stringMatching(/2 tab-separated fields/)],
      [9, 'ok'],
    ]);
    expect(entries[0]!.raw).toBe('{"broken": ');
  });

  it('says why CSV rows cannot be read when the dataset has no column order', () => {
    const [entry] = readLogLines(toCsv(rows).split('\n')[1]!);
    expect(entry!.error).toMatch(/does not record its CSV column order/);
  });

  it('never throws on hostile input, and caps what it keeps of an over-long line', () => {
    const long = `${'A'.repeat(MAX_LINE_CHARS)},b`;
    const [entry] = readLogLines(long, csvOptions);
    expect(entry!.error).toMatch(/longer than/);
    expect(entry!.raw.length).toBeLessThan(3000);
    const hostile = [
      '#Fields: a a',
      'x\ty',
      '#Fields:',
      '{"a":'.repeat(10_000),
      '\u0000\u0001,\u2028',
      '{}',
      `#Fields: ${Array.from({ length: 300 }, (_, i) => `f${i}`).join(' ')}`,
    ];
    const entries = readLogLines(hostile.join('\n'), csvOptions);
    expect(entries.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(entries[0]!.error).toMatch(/#Fields line ignored: it repeats a field name/);
    expect(entries[5]!.record).toEqual({});
    expect(entries[6]!.error).toMatch(/more than 256 fields/);
  });

  it('applies a #Fields line only to the lines after it, and a reader keeps it across calls', () => {
    const reader = new LogLineReader();
    expect(reader.read('a\tb', 1)!.error).toBeDefined();
    expect(reader.read('#Fields: c-ip ThreatLevel', 2)).toBeUndefined();
    expect(reader.read('1.2.3.4\tbenign', 3)!.record).toEqual({ 'c-ip': '1.2.3.4', ThreatLevel: 'benign' });
    expect(reader.read('#Version: 1.0', 4)).toBeUndefined();
  });
});
