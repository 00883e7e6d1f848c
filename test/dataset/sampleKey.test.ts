import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LINE_HEAD, contextPlan, renderContext, toContext } from '../../src/dataset/examples/example.ts';
import { encodeLine } from '../../src/dataset/examples/lineEncoder.ts';
import { contextGroupText, groupKeyPlan, groupText } from '../../src/dataset/sampling/groupKey.ts';
import { LabelBottomK } from '../../src/dataset/sampling/labelBottomK.ts';
import {
  PrefixedMd5,
  compareKeyThenLabel,
  contextText,
  hexKey52,
  isValidationGroup,
  key52,
  latin1Key52,
  sampleKeyHex,
  splitKey52,
  splitThreshold,
} from '../../src/dataset/sampling/sampleKey.ts';
import { prng } from '../helpers/syntheticLogs.ts';

/** The definitions restated with nothing but node:crypto, so the code is held to the text, not to itself. */
const md5 = (text: string) => createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex');
const referenceKey = (seed: number, context: string) => md5(`${seed}:${JSON.stringify(context).slice(1, -1)}`);
const TRICKY = ['"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u2028', 'é', '中文', '😀', '$&', '-', ''];

describe('the sample key', () => {
  it('is md5(seed ‖ ":" ‖ the context as it stands in the JSONL line), as 32 lowercase hex digits', () => {
    const context = toContext(
      { a: 'x"y', b: 'back\\slash', c: 'line\nbreak' },
      { labelField: 'l', dropFields: [], format: 'full' },
    );
    expect(contextText(context)).toBe(JSON.stringify(context).slice(1, -1));
    expect(sampleKeyHex(42, context)).toBe(referenceKey(42, context));
    expect(sampleKeyHex(42, context)).toMatch(/^[0-9a-f]{32}$/);
    expect(sampleKeyHex(43, context)).not.toBe(sampleKeyHex(42, context));
  });

  it('is what a file processor hashes in place: the context span of the encoded line, the head put back', () => {
    const columns = ['date', 'cs-uri-stem', 'cs-uri-query', 'label'];
    const plan = contextPlan(columns, { labelField: 'label', dropFields: [], format: 'compact' });
    const hasher = new PrefixedMd5('1234567:', LINE_HEAD);
    for (const value of [...TRICKY, 'plain']) {
      const row = ['2024-04-01', `/a${value}b`, value, 'sqli'];
      const line = encodeLine(row, plan, JSON.stringify('answer'));
      const bytes = Buffer.from(`${line}\n`);
      const tail = Buffer.byteLength(`","response":${JSON.stringify('answer')}}\n`);
      const before = Buffer.from(bytes);
      const digest = hasher.digest(bytes, LINE_HEAD.length, bytes.length - tail);
      expect(bytes.equals(before)).toBe(true);
      const context = renderContext(row, plan);
      expect(Buffer.from(digest, 'latin1').toString('hex'), JSON.stringify(value)).toBe(referenceKey(1234567, context));
    }
  });

  it('orders as its hex text when compared as 52-bit numbers with the hex breaking ties', () => {
    const r = prng(3);
    const digests = Array.from({ length: 2000 }, () =>
      Buffer.from(Array.from({ length: 16 }, () => Math.floor(r() * 256))),
    );
    // Force ties in the first 52 bits.
    digests.push(Buffer.concat([digests[0]!.subarray(0, 7), Buffer.alloc(9, 0xff)]));
    const hexes = digests.map((d) => d.toString('hex'));
    const byText = [...hexes].sort();
    const byNumber = [...digests]
      .map((d) => ({ key: key52(d), keyHex: d.toString('hex') }))
      .sort((a, b) => a.key - b.key || (a.keyHex < b.keyHex ? -1 : a.keyHex > b.keyHex ? 1 : 0))
      .map((x) => x.keyHex);
    expect(byNumber).toEqual(byText);
    for (const d of digests) {
      expect(latin1Key52(d.toString('latin1'))).toBe(key52(d));
      expect(hexKey52(d.toString('hex'))).toBe(key52(d));
      expect(key52(d)).toBeLessThan(2 ** 52);
    }
  });

  it('orders ties of the key by label, as UTF-8 bytes (SQL ORDER BY sample_key, label)', () => {
    const key = 'a'.repeat(32);
    // U+FF5E sorts before U+1F600 in UTF-8 but after it in UTF-16 code units.
    const items = [
      { keyHex: key, label: '😀' },
      { keyHex: key, label: '～' },
      { keyHex: '0'.repeat(32), label: 'z' },
    ];
    expect([...items].sort(compareKeyThenLabel).map((i) => i.label)).toEqual(['z', '～', '😀']);
  });
});

describe('the split key', () => {
  it('is md5(seed ‖ ":split:" ‖ group text) against floor(ratio · 2^52)', () => {
    expect(splitThreshold(0)).toEqual({ hex: '0000000000000', value: 0 });
    expect(splitThreshold(0.5)).toEqual({ hex: '8000000000000', value: 2 ** 51 });
    expect(splitThreshold(0.1).hex).toBe(
      Math.floor(0.1 * 2 ** 52)
        .toString(16)
        .padStart(13, '0'),
    );
    expect(() => splitThreshold(1)).toThrow(RangeError);
    for (const text of ['', 'cs-uri-stem\u001f/login\u001e', '中文\u001f😀\u001e']) {
      expect(splitKey52(7, text)).toBe(parseInt(md5(`7:split:${text}`).slice(0, 13), 16));
      expect(isValidationGroup(7, text, 0.3)).toBe(parseInt(md5(`7:split:${text}`).slice(0, 13), 16) < 0.3 * 2 ** 52);
    }
  });

  it('sends about the ratio of groups to validation', () => {
    let validation = 0;
    for (let i = 0; i < 20_000; i++) if (isValidationGroup(42, `g${i}`, 0.1)) validation++;
    // Binomial(20000, 0.1): sd ≈ 42, so ±250 is about 6 sd.
    expect(Math.abs(validation - 2000)).toBeLessThan(250);
  });

  it('hashes the same group text from a row as from its full or compact context, tricky values included', () => {
    const columns = ['date', 'time', 'c-ip', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'x-edge-request-id', 'label'];
    const options = { labelField: 'label', dropFields: ['x-edge-request-id'] };
    const plan = groupKeyPlan(columns, options);
    for (const value of TRICKY) {
      const row = ['2024-04-01', '10:00:00', '1.2.3.4', 'GET', `/x${value}`, value, 'id', 'sqli'];
      const text = groupText(row, plan);
      for (const format of ['full', 'compact'] as const) {
        const context = renderContext(row, contextPlan(columns, { ...options, format }));
        expect(contextGroupText(context), `${format} ${JSON.stringify(value)}`).toBe(text);
      }
      // Volatile fields (time, client, method) and the label are not part of it.
      expect(text).toBe(
        value === '' || value === '-'
          ? `cs-uri-stem\u001f/x${value}\u001e`
          : `cs-uri-query\u001f${value}\u001ecs-uri-stem\u001f/x${value}\u001e`,
      );
    }
  });
});

describe('LabelBottomK', () => {
  const example = (key: number) => ({ key, keyHex: key.toString(16).padStart(32, '0'), line: `line ${key}`, split: 0 });

  function fill(k: number, keysByLabel: Record<string, number[]>, order: () => number): LabelBottomK {
    const sample = new LabelBottomK(k);
    const offers = Object.entries(keysByLabel).flatMap(([label, keys]) => keys.map((key) => ({ label, key })));
    // Fisher–Yates with the given stream: the order offers arrive in.
    for (let i = offers.length - 1; i > 0; i--) {
      const j = Math.floor(order() * (i + 1));
      [offers[i], offers[j]] = [offers[j]!, offers[i]!];
    }
    for (const { label, key } of offers) {
      const e = example(key);
      if (sample.admits(label, key, () => e.keyHex)) sample.add(label, e);
    }
    return sample;
  }

  it('keeps each label’s k smallest keys whatever order they arrive in, and cuts them to the quotas', () => {
    const r = prng(11);
    const keys = {
      a: Array.from({ length: 3000 }, () => Math.floor(r() * 2 ** 52)),
      b: Array.from({ length: 500 }, () => Math.floor(r() * 2 ** 52)),
      c: Array.from({ length: 40 }, () => Math.floor(r() * 2 ** 52)),
    };
    const quotas = new Map([
      ['a', 70],
      ['b', 25],
      ['c', 5],
    ]);
    const results = [1, 2, 3].map((seed) => fill(100, keys, prng(seed)).select(quotas));
    for (const result of results) {
      for (const [label, quota] of quotas) {
        const expected = [...keys[label as keyof typeof keys]].sort((x, y) => x - y).slice(0, quota);
        expect(result.get(label)!.map((e) => e.key)).toEqual(expected);
      }
    }
  });

  it('tells file processors the largest key a full label keeps, and nothing for a label not yet full', () => {
    const sample = fill(3, { a: [50, 10, 40, 30, 20], b: [7] }, prng(1));
    expect(sample.thresholds()).toEqual({ a: 30 });
    expect(sample.admits('a', 31, () => '')).toBe(false);
    expect(sample.admits('a', 29, () => '')).toBe(true);
    expect(sample.admits('b', 2 ** 52 - 1, () => '')).toBe(true);
    expect(sample.admits('new', 0, () => '')).toBe(true);
  });

  it('breaks a tie of the 52-bit key on the whole digest', () => {
    const sample = new LabelBottomK(1);
    sample.add('a', { ...example(5), keyHex: '5'.repeat(32) });
    expect(sample.admits('a', 5, () => '6'.repeat(32))).toBe(false);
    expect(sample.admits('a', 5, () => '4'.repeat(32))).toBe(true);
  });
});
