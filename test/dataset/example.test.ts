import { describe, expect, it } from 'vitest';
import {
  CANONICAL_FIELDS,
  contextPlan,
  exampleLine,
  renderContext,
  responseFor,
  toContext,
  type ContextPlan,
} from '../../src/dataset/examples/example.ts';
import { LineEncoder, encodeLine } from '../../src/dataset/examples/lineEncoder.ts';
import type { ContextFormat } from '../../src/dataset/types.ts';
import { parseLogFile } from '../../src/logs/formats/index.ts';
import { referenceCompactContext, trickyRows } from '../helpers/contextReference.ts';
import { LABEL_FIELD, W3C_FIELDS, prng, syntheticRows, toCsv, toJsonLines, toW3c } from '../helpers/syntheticLogs.ts';

const DROP = ['x-edge-request-id'];
const FORMATS: readonly ContextFormat[] = ['compact', 'full'];
const ODD_COLUMNS = ['custom "quoted"', 'back\\slash', 'zeta', 'ünïcode', 'alpha', 'ctl\u0001name'];
const COLUMNS = [...W3C_FIELDS, ...ODD_COLUMNS, LABEL_FIELD];
const LABELS = ['benign', 'malicious', 'a "quoted" label', 'back\\slash', '$& $1', 'très élevé', 'tab\there'];

function responseJson(i: number): string {
  return JSON.stringify(responseFor(LABELS[i % LABELS.length]!));
}

function planFor(columns: readonly string[], format: ContextFormat): ContextPlan {
  return contextPlan(columns, { labelField: LABEL_FIELD, dropFields: DROP, format });
}

function expectFastPathMatches(rows: readonly (readonly string[])[], columns: readonly string[]): void {
  for (const format of FORMATS) {
    const plan = planFor(columns, format);
    rows.forEach((row, i) => {
      const label = LABELS[i % LABELS.length]!;
      const json = JSON.stringify(responseFor(label));
      const line = encodeLine(row, plan, json);
      const reference = exampleLine(renderContext(row, plan), json);
      if (line !== reference) {
        // One precise failure instead of hundreds.
        expect({ format, row, line }).toEqual({ format, row, line: reference });
      }
    });
  }
}

describe('LineEncoder (the per-row fast path) equals exampleLine(renderContext(...))', () => {
  it('for 600 generated rows of quotes, backslashes, control characters, unicode, $-patterns and empty values', () => {
    const rows = trickyRows(COLUMNS, 600, 11).map((record) => COLUMNS.map((c) => record[c]!));
    expectFastPathMatches(rows, COLUMNS);
  });

  it('for realistic synthetic CloudFront rows', () => {
    const rows = syntheticRows('2024-04-01', 300, 5).map((record) => COLUMNS.map((c) => record[c] ?? '-'));
    expectFastPathMatches(rows, COLUMNS);
  });

  it('for rows parsed back from CSV, W3C and JSON-lines files of tricky values', () => {
    const columns = [...W3C_FIELDS, LABEL_FIELD];
    // Values whose line breaks CSV and W3C cannot carry unquoted are fine: CSV quotes them, W3C URL-encodes them.
    const records = trickyRows(columns, 200, 23).map((row) => ({ ...row, [LABEL_FIELD]: 'benign' }));
    // The W3C writer URL-encodes UTF-16 units one at a time, so it cannot take characters outside the BMP.
    const bmpOnly = records.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v.replace(/[\u{10000}-\u{10FFFF}]/gu, 'X')])),
    );
    for (const text of [toCsv(records), toW3c(bmpOnly), toJsonLines(records)]) {
      const parsed = parseLogFile(new TextEncoder().encode(text), { labelField: LABEL_FIELD });
      expect(parsed.rows).toHaveLength(records.length);
      expectFastPathMatches(parsed.rows, parsed.columns);
    }
  });

  it('for rows shorter than the plan (missing values read as "-")', () => {
    const rows = [['2024-04-01'], [], ['2024-04-01', '12:00:00', 'DFW3']];
    expectFastPathMatches(rows, COLUMNS);
  });

  it('for lone UTF-16 surrogates, which a JSON-lines "\\ud800" escape yields', () => {
    // JSON.stringify escapes lone surrogates (\ud800); the fast path must write the same text, not U+FFFD later.
    const parsed = parseLogFile(
      new TextEncoder().encode('{"cs-uri-query":"a\\ud800b","cs(Referer)":"\\udfff","ThreatLevel":"benign"}\n'),
      {
        labelField: LABEL_FIELD,
      },
    );
    expect(parsed.rows[0]![0]).toBe('a\ud800b');
    expectFastPathMatches(parsed.rows, parsed.columns);
  });

  it('writes lines back to back at any alignment, each intact, within maxBytes', () => {
    // Fixed parts are stored a word at a time and may run past their end; the next write must cover that, never
    // the line before it, and the last one must stay inside the room maxBytes asked for.
    const columns = [...W3C_FIELDS, ...ODD_COLUMNS, LABEL_FIELD];
    const rows = trickyRows(columns, 40, 5).map((record) => columns.map((c) => record[c]!));
    rows.push(
      columns.map(() => ''),
      columns.map(() => '-'),
      [],
    );
    for (const format of FORMATS) {
      const plan = planFor(columns, format);
      const encoder = new LineEncoder(plan);
      for (let shift = 0; shift < 4; shift++) {
        const expected: string[] = [];
        const room = rows.reduce(
          (sum, row, i) => sum + encoder.maxBytes(row, LineEncoder.tail(responseJson(i))),
          shift,
        );
        const out = new Uint8Array(room).fill(0x7e);
        let pos = shift;
        rows.forEach((row, i) => {
          const end = encoder.write(row, LineEncoder.tail(responseJson(i)), out, pos);
          expect(end - pos).toBeLessThanOrEqual(encoder.maxBytes(row, LineEncoder.tail(responseJson(i))));
          pos = end;
          expected.push(`${exampleLine(renderContext(row, plan), responseJson(i))}\n`);
        });
        expect(new TextDecoder().decode(out.subarray(shift, pos))).toBe(expected.join(''));
        expect(out.subarray(0, shift).every((b) => b === 0x7e)).toBe(true);
      }
    }
  });

  it('produces one JSON object per line with the context and response as given', () => {
    const plan = planFor(COLUMNS, 'compact');
    for (const record of trickyRows(COLUMNS, 50, 3)) {
      const row = COLUMNS.map((c) => record[c]!);
      const line = encodeLine(row, plan, JSON.stringify(responseFor('benign')));
      expect(line).not.toMatch(/[\n\r]/);
      const parsed = JSON.parse(line) as Record<string, string>;
      expect(Object.keys(parsed)).toEqual(['instruction', 'context', 'response']);
      expect(parsed.context).toBe(renderContext(row, plan));
      expect(parsed.response).toBe(responseFor('benign'));
    }
  });
});

describe('toContext', () => {
  const record = syntheticRows('2024-04-02', 1, 9)[0]!;
  const extra = { ...record, 'zz-extra': 'z', 'aa-extra': 'a', 'x-custom': '-' };

  it.each(FORMATS)('never includes the label field or a drop field (%s)', (format) => {
    const dropFields = ['x-edge-request-id', 'c-ip'];
    const context = toContext(extra, { labelField: LABEL_FIELD, dropFields, format });
    const fields = JSON.parse(context) as Record<string, string>;
    expect(fields).not.toHaveProperty(LABEL_FIELD);
    expect(fields).not.toHaveProperty('x-edge-request-id');
    expect(fields).not.toHaveProperty('c-ip');
    expect(context).not.toContain(record['x-edge-request-id']!);
    expect(context).not.toContain(record['c-ip']!);
    expect(fields['cs-uri-stem']).toBe(record['cs-uri-stem']);
  });

  it('compact: drops "-" and empty values and orders CloudFront fields canonically, others alphabetically after', () => {
    const context = toContext(
      { ...extra, 'cs-method': '' },
      { labelField: LABEL_FIELD, dropFields: DROP, format: 'compact' },
    );
    const fields = JSON.parse(context) as Record<string, string>;
    const names = Object.keys(fields);
    expect(Object.values(fields)).not.toContain('-');
    expect(Object.values(fields)).not.toContain('');
    expect(names).not.toContain('cs-method');
    expect(names).not.toContain('x-custom');
    const known = names.filter((n) => CANONICAL_FIELDS.includes(n));
    expect(known).toEqual(W3C_FIELDS.filter((f) => names.includes(f)));
    expect(names.slice(known.length)).toEqual(['aa-extra', 'zz-extra']);
    expect(context).toBe(referenceCompactContext({ ...extra, 'cs-method': '' }, LABEL_FIELD, DROP));
  });

  it('full: keeps every non-excluded field, "-" included, in the record order', () => {
    const context = toContext(extra, { labelField: LABEL_FIELD, dropFields: DROP, format: 'full' });
    const fields = JSON.parse(context) as Record<string, string>;
    expect(Object.keys(fields)).toEqual(Object.keys(extra).filter((k) => k !== LABEL_FIELD && !DROP.includes(k)));
    expect(fields['x-custom']).toBe('-');
  });

  it('compact: the same text whatever order the fields come in', () => {
    const r = prng(77);
    const entries = Object.entries(extra);
    const orders = [
      entries,
      [...entries].reverse(),
      [...entries].sort(() => r() - 0.5),
      [...entries].sort(([a], [b]) => (a < b ? -1 : 1)),
    ];
    const texts = orders.map((o) =>
      toContext(Object.fromEntries(o), { labelField: LABEL_FIELD, dropFields: DROP, format: 'compact' }),
    );
    expect(new Set(texts).size).toBe(1);
  });

  it.each(FORMATS)(
    'one options object reused across records of other columns gives each its own plan (%s)',
    (format) => {
      const options = { labelField: LABEL_FIELD, dropFields: DROP, format };
      const records: Record<string, string>[] = [
        extra,
        { 'a\nb': 'x', 'cs-uri-stem': '/one' },
        { a: 'x', b: 'y', 'cs-uri-stem': '/two' }, // its names joined by "\n" are the previous record's
        record,
        Object.fromEntries(Object.entries(extra).reverse()),
        ...Array.from({ length: 70 }, (_, i) => ({ [`f${i}`]: String(i), 'cs-method': 'GET' })), // past the cache's bound
        extra,
      ];
      for (const r of [...records, ...records]) {
        const columns = Object.keys(r);
        const uncached = renderContext(
          columns.map((c) => r[c]!),
          contextPlan(columns, options),
        );
        expect(toContext(r, options)).toBe(uncached);
      }
    },
  );

  it('compact: CSV column order and JSON-lines key order give the same contexts', () => {
    const rows = syntheticRows('2024-04-03', 40, 17);
    const r = prng(4);
    // JSON lines with keys in a different, per-row shuffled order.
    const jsonl = rows
      .map((row) => JSON.stringify(Object.fromEntries(Object.entries(row).sort(() => r() - 0.5))))
      .join('\n');
    const fromCsv = parseLogFile(new TextEncoder().encode(toCsv(rows)), { labelField: LABEL_FIELD });
    const fromJsonl = parseLogFile(new TextEncoder().encode(jsonl), { labelField: LABEL_FIELD });
    expect(fromJsonl.columns).not.toEqual(fromCsv.columns);
    const contexts = (parsed: typeof fromCsv) =>
      parsed.rows.map((row) => renderContext(row, planFor(parsed.columns, 'compact')));
    expect(contexts(fromJsonl)).toEqual(contexts(fromCsv));
    expect(contexts(fromCsv)).toEqual(rows.map((row) => referenceCompactContext(row, LABEL_FIELD, DROP)));
  });
});
