import { z } from 'zod';
import type { BuildRequest, BuildSummary } from '../../dataset/types.ts';
import { storedStatsSchema } from '../../dataset/output/stored.ts';

/**
 * A build request as kept in SQLite, checked on the way out: a restart resumes only what it fully understands.
 * Settings added after a request was stored take the defaults that applied before they existed.
 */
const buildRequestSchema = z.object({
  datasetId: z.string().min(1),
  range: z.object({ start: z.string(), end: z.string(), days: z.number().int().positive(), label: z.string() }),
  logsUri: z.string().min(1),
  layout: z.string().min(1),
  outUri: z.string().min(1),
  labelField: z.string().min(1),
  dropFields: z.array(z.string()),
  maxExamples: z.union([z.number().int().positive(), z.literal('all')]),
  balance: z.enum(['proportional', 'balanced']),
  seed: z.number().int().nonnegative(),
  validationRatio: z.number().min(0).lt(1),
  contextFormat: z.enum(['compact', 'full']),
  maxInputLength: z.number().int().positive(),
  fetchConcurrency: z.number().int().positive(),
  parseWorkers: z.number().int().nonnegative(),
  s3ForcePathStyle: z.boolean(),
  s3FastGet: z.boolean().default(true),
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  engine: z.enum(['local', 'athena', 'auto']).default('local'),
  athena: z
    .object({
      workgroup: z.string().optional(),
      database: z.string().optional(),
      artifactsUri: z.string().optional(),
      minBytes: z.number().nonnegative(),
      approvalUsd: z.number().nonnegative(),
      maxRetries: z.number().int().nonnegative(),
      ledgerPath: z.string().min(1),
    })
    .optional(),
});

export function parseStoredRequest(json: string, buildId: string): BuildRequest {
  const parsed = buildRequestSchema.safeParse(parseJson(json));
  if (!parsed.success)
    throw new Error(
      `the stored request is not understood (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
    );
  if (parsed.data.datasetId !== buildId) throw new Error('the stored request belongs to another build');
  return Object.freeze(parsed.data);
}

/** A finished build's summary as stored; undefined when it is not one (it is only ever shown, never acted on). */
export function parseStoredSummary(json: string): BuildSummary | undefined {
  const parsed = storedStatsSchema.safeParse(parseJson(json));
  return parsed.success ? (parsed.data as unknown as BuildSummary) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
