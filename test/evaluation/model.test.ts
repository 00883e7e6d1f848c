import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { toContext } from '../../src/dataset/examples/example.ts';
import { BaselineClassifier } from '../../src/evaluation/baselineClassifier.ts';
import { cachedRows, liveRows } from '../../src/evaluation/featureRows.ts';
import { DEFAULT_FEATURES, featureCapacity, featurizer } from '../../src/evaluation/features.ts';
import { decodeModel, encodeModel, fromHalf, toHalf } from '../../src/evaluation/modelFile.ts';
import { chooseLambda, trainBaseline } from '../../src/evaluation/training.ts';
import { syntheticRows } from '../helpers/syntheticLogs.ts';
import { CONTEXT_OPTIONS, examplesFromRows } from '../helpers/storedDataset.ts';

const small = { ...DEFAULT_FEATURES, bits: 12 };

function features(context: string, spec = small): number[] {
  const out = new Int32Array(featureCapacity(spec));
  return [...out.subarray(0, featurizer(spec)(context, out))];
}

describe('features', () => {
  it('reads each field: its whole value and its word and symbol runs, keyed by the field', () => {
    // "q": whole value, "UNION", "%20"→"%", "SELECT", "'--": 5 features; "s": whole value, "403": 2.
    expect(
      features(toContext({ q: "UNION%SELECT'--", s: '403' }, { labelField: 'x', dropFields: [], format: 'full' })),
    ).toHaveLength(7);
    const a = features('{"sc-status":"403"}');
    const b = features('{"cs-uri-query":"403"}');
    expect(a).toHaveLength(2);
    expect(a.filter((x) => b.includes(x))).toEqual([]);
    expect(features('{"sc-status":"403"}')).toEqual(a);
  });

  it('reads only the listed fields when told to', () => {
    const context = '{"c-ip":"1.2.3.4","Autoblock":"yes"}';
    expect(features(context, { ...small, fields: ['c-ip'] })).toEqual(features('{"c-ip":"1.2.3.4"}'));
  });

  it('stays within its buffer and never throws on text that is not a context', () => {
    const spec = { ...small, maxChars: 64 };
    for (const text of [
      '',
      '"',
      '"""',
      '{"a":"\\',
      `{"a":"${'x'.repeat(500)}"}`,
      '\\'.repeat(100),
      '"a"'.repeat(100),
      '{"a":"b c d e f g h i j k l m n o p"}',
    ]) {
      const out = new Int32Array(featureCapacity(spec));
      const n = featurizer(spec)(text, out);
      expect(n).toBeLessThanOrEqual(out.length);
      expect([...out.subarray(0, n)].every((x) => x >= 0 && x < 1 << spec.bits)).toBe(true);
    }
  });

  it('gives the same rows cached (repeated features summed into one entry) or live', () => {
    const examples = examplesFromRows(syntheticRows('2024-04-01', 20, 1)).map((e) => ({
      context: e.context,
      target: 0,
    }));
    // One very long value: counts above what one packed cache entry holds.
    examples.push({ context: `{"cs-uri-query":"${'a'.repeat(1000)}"}`, target: 0 });
    const live = liveRows(examples, small);
    const cached = cachedRows(examples, small);
    const capacity = featureCapacity(small);
    const [ia, ib] = [new Int32Array(capacity), new Int32Array(capacity)];
    const [va, vb] = [new Float32Array(capacity), new Float32Array(capacity)];
    const sums = (index: Int32Array, value: Float32Array, n: number) => {
      const map = new Map<number, number>();
      for (let j = 0; j < n; j++) map.set(index[j]!, (map.get(index[j]!) ?? 0) + value[j]!);
      return map;
    };
    // Each occurrence weighs 1/√(its block's occurrences) × √½ when both blocks are there.
    const expected = (context: string) => {
      const out = new Int32Array(capacity);
      const split = new Int32Array(1);
      const n = featurizer(small)(context, out, split);
      const [tokens, grams] = [split[0]!, n - split[0]!];
      const half = tokens > 0 && grams > 0 ? Math.SQRT1_2 : 1;
      const map = new Map<number, number>();
      for (let j = 0; j < n; j++)
        map.set(out[j]!, (map.get(out[j]!) ?? 0) + half / Math.sqrt(j < tokens ? tokens : grams));
      return { map, n };
    };
    for (let i = 0; i < examples.length; i++) {
      const want = expected(examples[i]!.context);
      expect(live.read(i, ia, va)).toBe(want.n);
      const n = cached.read(i, ib, vb);
      expect(n).toBeLessThan(want.n);
      for (const rows of [sums(ia, va, want.n), sums(ib, vb, n)]) {
        expect(rows.size).toBe(want.map.size);
        for (const [bucket, v] of want.map) expect(rows.get(bucket)).toBeCloseTo(v, 5);
      }
    }
  });
});

describe('the baseline model', () => {
  const labels = ['benign', 'malicious', 'suspicious'];
  const train = examplesFromRows(syntheticRows('2024-04-01', 600, 2));
  const validation = examplesFromRows(syntheticRows('2024-04-02', 200, 3));

  it('separates perfectly separable traffic', async () => {
    const trained = await trainBaseline(train, { labels, spec: small, seed: 1 });
    const classifier = new BaselineClassifier('baseline:test', labels, trained.model);
    const verdicts = await classifier.classify(validation.map((e) => e.context));
    expect(verdicts.map((v) => v.label)).toEqual(validation.map((e) => e.label));
    for (const v of verdicts) {
      const total = Object.values(v.scores!).reduce((s, p) => s + p, 0);
      expect(total).toBeCloseTo(1, 3);
      expect(v.scores![v.label!]).toBe(Math.max(...Object.values(v.scores!)));
    }
    // The L2 strength was chosen on a held-out tenth of train: every candidate has its score.
    expect(trained.heldOut).toBe(60);
    expect(trained.selection.map((s) => s.lambda)).toEqual([1e-5, 1e-6, 1e-7]);
  });

  it('chooses the best held-out L2 strength; among tied bests the default (1e-6), else the stronger', () => {
    const at = (f1s: number[]) => chooseLambda([1e-5, 1e-6, 1e-7].map((lambda, i) => ({ lambda, macroF1: f1s[i]! })));
    expect(at([0.9, 0.95, 0.93])).toBe(1e-6);
    expect(at([0.96, 0.95, 0.93])).toBe(1e-5);
    expect(at([0.9, 0.93, 0.95])).toBe(1e-7);
    expect(at([0.95, 0.95, 0.95])).toBe(1e-6); // the held-out slice cannot tell them apart: the default stays
    expect(at([0.95, 0.9, 0.95])).toBe(1e-5); // tied without the default: the stronger
    expect(at([0.9, 0.95, 0.95])).toBe(1e-6);
  });

  it('the same seed gives the same model file, byte for byte, and the same scores', async () => {
    const header = { labels, datasetId: 'ds-x', trainedAt: '2024-06-01T00:00:00.000Z', seed: 5, lambda: 0, epochs: 0 };
    const a = await trainBaseline(train, { labels, spec: small, seed: 5 });
    const b = await trainBaseline(train, { labels, spec: small, seed: 5 });
    const c = await trainBaseline(train, { labels, spec: small, seed: 6 });
    expect(Buffer.from(encodeModel(a.model, header)).equals(Buffer.from(encodeModel(b.model, header)))).toBe(true);
    expect(Buffer.from(a.model.weights.buffer).equals(Buffer.from(c.model.weights.buffer))).toBe(false);
    const scores = async (m: typeof a.model) =>
      (await new BaselineClassifier('b', labels, m).classify(validation.map((e) => e.context))).map((v) => v.scores);
    expect(await scores(a.model)).toEqual(await scores(b.model));
  });

  it('reads back what it wrote, and refuses a file that is not a model', async () => {
    const trained = await trainBaseline(train, { labels, spec: small, seed: 1 });
    const header = {
      labels,
      datasetId: 'ds-x',
      trainedAt: '2024-06-01T00:00:00.000Z',
      seed: 1,
      lambda: trained.lambda,
      epochs: trained.epochs,
    };
    const bytes = encodeModel(trained.model, header);
    const { header: read, model } = decodeModel(bytes, 'baseline/model');
    expect(read).toMatchObject(header);
    expect([...model.weights]).toEqual([...trained.model.weights].map((w) => fromHalf(toHalf(w))));
    expect(model.weights.some((w) => w !== 0)).toBe(true);
    expect([...model.biases]).toEqual([...trained.model.biases]);
    expect(() => decodeModel(new TextEncoder().encode('not a model'), 'x')).toThrow('not a logtune baseline model');
    expect(() => decodeModel(bytes.subarray(0, bytes.length - 10), 'x')).toThrow();
    const later = gzipSync(Buffer.concat([Buffer.from('logtune-baseline 2 f16\n'), gunzipSync(bytes).subarray(23)]));
    expect(() => decodeModel(later, 'baseline/model')).toThrow(
      'baseline/model is a baseline model in format "2 f16"; this logtune reads "1 f16": run logtune baseline on the dataset again',
    );
  });

  it('stores weights as half floats: three significant digits, zero exact, never infinite', () => {
    for (const x of [0, 1, -2.5, 1 / 3, -0.001234, 3e-6, 1e-9, 65504, 1e6, -1e6]) {
      const back = fromHalf(toHalf(x));
      if (Math.abs(x) < 6e-8) expect(Math.abs(back)).toBeLessThan(6e-8);
      else if (Math.abs(x) < 6.2e-5) expect(Math.abs(back - x)).toBeLessThanOrEqual(2 ** -25);
      else expect(Math.abs(back - Math.max(-65504, Math.min(65504, x)))).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11);
    }
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(0.5 + 2 ** -12)).toBe(0x3800 + 1); // rounds the halfway bit up
  });

  it('lets timers run while it trains (the bot stays responsive), and stops when cancelled', async () => {
    const controller = new AbortController();
    let ran = false;
    setImmediate(() => {
      ran = true;
      controller.abort();
    });
    await expect(trainBaseline(train, { labels, spec: small, seed: 1, signal: controller.signal })).rejects.toThrow(
      'cancelled',
    );
    expect(ran).toBe(true);
  });

  it('a single-label dataset gives that label with probability 1', async () => {
    const only = train.map((e) => ({ ...e, label: 'benign' }));
    const trained = await trainBaseline(only, { labels: ['benign'], spec: small, seed: 1 });
    const [verdict] = await new BaselineClassifier('b', ['benign'], trained.model).classify([validation[0]!.context]);
    expect(verdict).toEqual({ label: 'benign', scores: { benign: 1 } });
    expect(trained.selection).toEqual([]);
  });

  it('class weights keep a rare label from being drowned', async () => {
    // 1 in 50 is "rare", told apart only by its user agent.
    const rows = syntheticRows('2024-04-01', 1000, 9).map((r, i) => ({
      ...r,
      ThreatLevel: i % 50 === 0 ? 'rare' : 'common',
      'cs(User-Agent)': i % 50 === 0 ? 'odd-agent/1.0' : r['cs(User-Agent)']!,
    }));
    const examples = rows.map((r) => ({ context: toContext(r, CONTEXT_OPTIONS), label: r.ThreatLevel }));
    const trained = await trainBaseline(examples, { labels: ['common', 'rare'], spec: small, seed: 1 });
    const verdict = new BaselineClassifier('b', ['common', 'rare'], trained.model).classifyOne(
      toContext({ ...rows[1]!, 'cs(User-Agent)': 'odd-agent/1.0' }, CONTEXT_OPTIONS),
    );
    expect(verdict.label).toBe('rare');
  });
});
