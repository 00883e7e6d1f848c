/**
 * What an Athena build will cost, from the listed bytes alone, before any query runs.
 *
 * Athena (SQL queries, Trino engine) bills $5.00 per TB of data scanned, rounded up to the nearest megabyte, with a
 * 10 MB minimum per query; DDL statements (CREATE TABLE) and failed queries are not charged, cancelled ones are
 * charged for what they scanned (https://aws.amazon.com/athena/pricing/). Compressed files are billed as stored, so
 * the listed object sizes are the bytes a pass scans. Regional prices differ little; the figure is the us-east-1 one.
 */
export const USD_PER_TB = 5;
const TB = 1e12;
const MB = 1e6;
/** Athena's per-query minimum bill (pricing page above). */
export const MIN_BILLED_BYTES = 10 * MB;
/**
 * The smallest BytesScannedCutoffPerQuery UpdateWorkGroup accepts: the service model's BytesScannedCutoffValue has
 * `smithy.api#range { min: 10000000 }` (aws-sdk-js-v3, codegen/sdk-codegen/aws-models/athena.json).
 */
export const MIN_CUTOFF_BYTES = 10_000_000;
/** The largest range one candidates query covers: a failed or cancelled chunk costs at most this much again. */
export const MAX_CHUNK_BYTES = TB;
/**
 * Passes over the range's bytes: the stats pass reads every row once, in one query (a label's distinct contexts,
 * what its quota is computed from, are counted over the whole range: per-chunk counts would count a context seen in
 * two chunks twice); the candidates pass (bottom-k, UNLOADed as JSON) once more, a query per chunk, whose bottom-k
 * sets merge exactly. Nothing else reads the logs.
 */
export const SCAN_PASSES = 2;

export interface ScanPlan {
  readonly listedBytes: number;
  /** Bytes the passes scan, at most (projection keeps each query to the range's days). */
  readonly scanBytes: number;
  readonly usd: number;
  readonly queries: number;
  /** Runs of whole days, each at most MAX_CHUNK_BYTES (or one day): a candidates query each. */
  readonly chunks: readonly DayChunk[];
  /** Above LOGTUNE_ATHENA_APPROVAL_USD: a spend request an approver decides on. */
  readonly needsApproval: boolean;
  /** The workgroup's BytesScannedCutoffPerQuery once approved: the largest query's (the stats pass) with room, never below Athena's floor. */
  readonly cutoffBytes: number;
}

/** Billed bytes of one query: whole megabytes, at least 10 MB. */
export function billedBytes(scanned: number): number {
  return Math.max(MIN_BILLED_BYTES, Math.ceil(scanned / MB) * MB);
}

/** Dollars for billed bytes, to a millionth of a dollar (a 10 MB minimum is $0.00005). */
export function usdFor(bytes: number): number {
  return Math.round((bytes / TB) * USD_PER_TB * 1e6) / 1e6;
}

export interface DayChunk {
  readonly start: string;
  readonly end: string;
  readonly bytes: number;
}

/** A day's bytes (listed), in range order: the chunks are runs of whole days of at most MAX_CHUNK_BYTES (or one day). */
export function chunkDays(
  days: readonly { readonly day: string; readonly bytes: number }[],
  maxBytes = MAX_CHUNK_BYTES,
): DayChunk[] {
  const chunks: { start: string; end: string; bytes: number }[] = [];
  for (const { day, bytes } of days) {
    const last = chunks.at(-1);
    if (last !== undefined && last.bytes + bytes <= maxBytes) {
      last.end = day;
      last.bytes += bytes;
    } else chunks.push({ start: day, end: day, bytes });
  }
  return chunks;
}

export function planScan(
  days: readonly { readonly day: string; readonly bytes: number }[],
  approvalUsd: number,
  maxChunkBytes = MAX_CHUNK_BYTES,
): ScanPlan {
  const listedBytes = days.reduce((sum, d) => sum + d.bytes, 0);
  const chunks = chunkDays(days, maxChunkBytes);
  const billed = billedBytes(listedBytes) + chunks.reduce((sum, c) => sum + billedBytes(c.bytes), 0);
  const usd = usdFor(billed);
  // The stats query reads the whole range: the largest query of the build.
  const largest = listedBytes;
  return {
    listedBytes,
    scanBytes: listedBytes * SCAN_PASSES,
    usd,
    queries: 1 + chunks.length,
    chunks,
    needsApproval: usd > approvalUsd,
    cutoffBytes: Math.max(MIN_CUTOFF_BYTES, cutoffFor(largest)),
  };
}

/**
 * The cutoff for a query expected to scan `bytes`: 10% above (objects grow between the listing and the query,
 * and Athena counts a little more than the object sizes on some formats), so Athena stops only a runaway.
 */
export function cutoffFor(bytes: number): number {
  return Math.ceil(bytes * 1.1);
}
