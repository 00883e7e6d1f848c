import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { featureSpecSchema } from './features.ts';
import type { LinearModel } from './linearModel.ts';

/**
 * `baseline/model`: one gzipped file — a magic line, a JSON header (labels, features, biases, how it was trained),
 * then the weights as little-endian float32. Buckets no training example reached stay exactly 0, which is most
 * of what gzip saves.
 */
const MAGIC = 'logtune-baseline 1\n';

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
  const out = Buffer.alloc(MAGIC.length + 4 + head.length + model.weights.byteLength);
  let at = out.write(MAGIC, 0, 'latin1');
  at = out.writeUInt32LE(head.length, at);
  at += head.copy(out, at);
  const weights = Buffer.from(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength);
  if (isLittleEndian()) weights.copy(out, at);
  else for (let i = 0; i < model.weights.length; i++) out.writeFloatLE(model.weights[i]!, at + 4 * i);
  // Level 6: level 9 saved under 1% more and took twice as long.
  return gzipSync(out, { level: 6 });
}

export function decodeModel(bytes: Uint8Array, where: string): StoredModel {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes);
  } catch {
    throw new Error(`${where} is not a logtune baseline model (not gzip)`);
  }
  if (raw.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error(`${where} is not a logtune baseline model`);
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
  if (raw.length !== start + 4 * count || header.biases.length !== classes) throw new Error(`${where} is truncated or does not match its header`);
  const weights = new Float32Array(count);
  for (let i = 0; i < count; i++) weights[i] = raw.readFloatLE(start + 4 * i);
  return { header, model: { spec: header.features, classes, weights, biases: Float64Array.from(header.biases) } };
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
