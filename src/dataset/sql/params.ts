import { z } from 'zod';
import type { BuildRequest } from '../types.ts';

/** A UTC day, as the builder's ranges are written. */
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');

/** What a dataset's SQL needs of its build request (types.ts BuildRequest), validated before anything is rendered. */
const buildFields = z.object({
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  range: z.object({ start: isoDay, end: isoDay }),
  labelField: z.string().min(1),
  dropFields: z.array(z.string()),
  contextFormat: z.enum(['compact', 'full']),
  validationRatio: z.number().min(0).lt(1),
});
const rangeInOrder = [
  (p: { range: { start: string; end: string } }) => p.range.start <= p.range.end,
  { message: 'range.start must not be after range.end' },
] as const;

export const sqlStatsParams = buildFields.refine(...rangeInOrder);
export type SqlStatsParams = z.infer<typeof sqlStatsParams>;

/** The stats query's parameters of a build request: what every engine's rendering of it reads. */
export function sqlParamsOf(request: BuildRequest): SqlStatsParams {
  return {
    seed: request.seed,
    range: { start: request.range.start, end: request.range.end },
    labelField: request.labelField,
    dropFields: [...request.dropFields],
    contextFormat: request.contextFormat,
    validationRatio: request.validationRatio,
  };
}

/**
 * The sample query's: per label, how many of its smallest sample keys to keep (`quotas`, from the stats query's
 * distinct counts through sampler.ts quotasFor); or one number for every label, for the candidates of a chunk of the
 * range, which merge exactly (the bottom-k of a union is the bottom-k of its parts' bottom-k: rows.ts
 * mergeCandidates).
 */
export const sqlSampleParams = buildFields
  .extend({
    quotas: z.union([z.record(z.string(), z.number().int().min(0)), z.number().int().min(1)]),
  })
  .refine(...rangeInOrder);
export type SqlSampleParams = z.infer<typeof sqlSampleParams>;
