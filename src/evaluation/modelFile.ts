import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { featureSpecSchema } from './features.ts';
import type { LinearModel } from './linearModel.ts';

/**
 * `baseline/model`: one gzipped file — a magic line, a JSON header (labels, features, biases, how it was trained),
 * then the weights as little-endian IEEE half floats: half the size of float32, and three significant digits are
 * more than a linear model's weights carry. The evaluation scores the model as decoded from these bytes, so the
 * report describes exactly the model that classifies.
 */
const MAGIC_PREFIX = 'logtune-baseline ';
const MAGIC = `${MAGIC_PREFIX}1 f16\n`;

const headerSchema = z.object({
  labels: z.array(z.string()).min(1),
  features: featureSpecSchema,
  biases: z.array(z.number()),
  datasetId: z.string(),
  trainedAt: z.string(),
  seed: z.number().int(),
  lambda: z.number(),
  epochs: z.number().int(),
});

export type ModelHeader = z.infer<typeof headerSchema>;

export interface StoredModel {
  readonly header: ModelHeader;
  readonly model: LinearModel;
}

export function encodeModel(model: LinearModel, header: Omit<ModelHeader, 'features' | 'biases'>): Uint8Array {
  const head = Buffer.from(JSON.stringify({ ...header, features: model.spec, biases: [...model.biases] }));
  const out = Buffer.alloc(MAGIC.length + 4 + head.length + 2 * model.weights.length);
  let at = out.write(MAGIC, 0, 'latin1');
  at = out.writeUInt32LE(head.length, at);
  at += head.copy(out, at);
  for (let i = 0; i < model.weights.length; i++) at = out.writeUInt16LE(toHalf(model.weights[i]!), at);
  return gzipSync(out, { level: 6 });
}

export function decodeModel(bytes: Uint8Array, where: string): StoredModel {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes);
  } catch {
    throw new Error(`${where} is not a logtune baseline model (not gzip)`);
  }
  const first = raw.toString('latin1', 0, Math.min(raw.length, 64)).split('\n')[0]!;
  if (`${first}\n` !== MAGIC) {
    // Another format of this file (a later logtune's): refused with what to do, never misread.
    if (first.startsWith(MAGIC_PREFIX))
      throw new Error(
        `${where} is a baseline model in format "${first.slice(MAGIC_PREFIX.length)}"; this logtune reads "${MAGIC.slice(MAGIC_PREFIX.length, -1)}": run logtune baseline on the dataset again`,
      );
    throw new Error(`${where} is not a logtune baseline model`);
  }
  const headLength = raw.readUInt32LE(MAGIC.length);
  const headStart = MAGIC.length + 4;
  let header: ModelHeader;
  try {
    header = headerSchema.parse(JSON.parse(raw.toString('utf8', headStart, headStart + headLength)));
  } catch (error) {
    throw new Error(`${where} has a bad header: ${(error as Error).message}`, { cause: error });
  }
  const classes = header.labels.length;
  const count = (1 << header.features.bits) * classes;
  const start = headStart + headLength;
  if (raw.length !== start + 2 * count || header.biases.length !== classes)
    throw new Error(`${where} is truncated or does not match its header`);
  const weights = new Float32Array(count);
  const halves = halfTable();
  for (let i = 0; i < count; i++) weights[i] = halves[raw.readUInt16LE(start + 2 * i)]!;
  return { header, model: { spec: header.features, classes, weights, biases: Float64Array.from(header.biases) } };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const MAX_HALF = 65504;

/** float → IEEE 754 binary16 bits, rounded to nearest; beyond the half range (never for these weights) clamped. */
export function toHalf(value: number): number {
  f32[0] = Math.max(-MAX_HALF, Math.min(MAX_HALF, value));
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 112;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) {
    // Subnormal or zero in half precision.
    if (exponent < -10) return sign;
    const shift = 14 - exponent;
    const full = mantissa | 0x800000;
    return sign | ((full >> shift) + ((full >> (shift - 1)) & 1));
  }
  // A carry out of the mantissa correctly bumps the exponent.
  return (sign | (exponent << 10) | (mantissa >> 13)) + ((mantissa >> 12) & 1);
}

let halfValues: Float32Array | undefined;

/** Every half float's value, computed once: a model has millions of weights and only 65,536 distinct bit patterns. */
function halfTable(): Float32Array {
  if (halfValues === undefined) {
    halfValues = new Float32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) halfValues[h] = fromHalf(h);
  }
  return halfValues;
}

export function fromHalf(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
