import type { TrainingInstanceType } from './instanceTypes.ts';

/** Training tokens per second for a whole job on one instance, as a planning range. */
export interface Throughput {
  readonly low: number;
  readonly likely: number;
  readonly high: number;
}

export type EstimateBasis = 'published figure' | `fitted from ${number} run${'' | 's'}`;

export interface ThroughputBasis {
  readonly tokensPerSecond: Throughput;
  readonly basis: EstimateBasis;
  /** Finished jobs the figure was fitted from; 0 for the published figure. */
  readonly runs: number;
}

/**
 * Seed figures, before any job of ours has finished. No wall time is published for JumpStart's Llama 2 7B fine-tune
 * itself (shared/reference/aws.md §6); these are derived from the closest public runs:
 * - philschmid, "instruction-tune-llama-2-int4" (github.com/philschmid/deep-learning-pytorch-huggingface, 2023):
 *   Llama 2 7B QLoRA on one A10G, Dolly 15k × 3 epochs in 3 h 08 min ≈ 750–880 tok/s (1,100–1,300 with Flash-Attention).
 * - philschmid, sagemaker-huggingface-llama-2-samples (2023-07): 13B QLoRA on ml.g5.4xlarge (one A10G) ≈ 265–310 tok/s.
 * JumpStart trains LoRA in bf16 with FSDP (no quantization): ≈500–1,000 tok/s per A10G.
 * - ml.g5.12xlarge and ml.g5.24xlarge: 4 × A10G (the 24xlarge adds CPU and memory, not GPUs) → 2,000–4,000.
 * - ml.g5.48xlarge: 8 × A10G; FSDP scales sub-linearly (assumed 80%) → 3,200–6,400.
 * - ml.p3dn.24xlarge: 8 × V100, which train in fp32 here (the AWS notebook: no bf16 on p3); V100 fp32 ≈ a quarter of an
 *   A10G in bf16 → ≈ two A10G → 1,000–2,000.
 * After each finished job its run is recorded and `fitThroughput` replaces these with what was measured.
 */
export const PUBLISHED_THROUGHPUT: Readonly<Record<TrainingInstanceType, Throughput>> = Object.freeze({
  'ml.g5.12xlarge': { low: 2000, likely: 3000, high: 4000 },
  'ml.g5.24xlarge': { low: 2000, likely: 3000, high: 4000 },
  'ml.g5.48xlarge': { low: 3200, likely: 4800, high: 6400 },
  'ml.p3dn.24xlarge': { low: 1000, likely: 1500, high: 2000 },
});

/** One finished job: what it trained and how long SageMaker billed it for (wall-clock seconds per instance). */
export interface TrainingObservation {
  readonly instanceType: string;
  readonly instanceCount: number;
  /** Dataset tokens × epochs. */
  readonly workTokens: number;
  readonly billableSeconds: number;
}

/** A run must train for at least this long past the overhead to say anything about throughput. */
const MIN_TRAINING_SECONDS = 60;
/** Run-to-run spread allowed beyond the fastest and slowest run seen. */
const FITTED_SPREAD = 0.1;

/**
 * The throughput for an instance type: fitted from finished runs of the same type and count when there are any,
 * else the published figure. Each run implies work ÷ (billable seconds − overhead); the likely figure is total work
 * over total training time (long runs weigh more), the range the slowest and fastest run widened by 10%.
 */
export function fitThroughput(
  instanceType: TrainingInstanceType,
  instanceCount: number,
  observations: readonly TrainingObservation[],
  overheadSeconds: number,
): ThroughputBasis {
  const runs = observations.filter(
    (o) =>
      o.instanceType === instanceType &&
      o.instanceCount === instanceCount &&
      o.workTokens > 0 &&
      o.billableSeconds - overheadSeconds >= MIN_TRAINING_SECONDS,
  );
  if (runs.length === 0)
    return { tokensPerSecond: PUBLISHED_THROUGHPUT[instanceType], basis: 'published figure', runs: 0 };
  const implied = runs.map((o) => o.workTokens / (o.billableSeconds - overheadSeconds));
  const totalWork = runs.reduce((sum, o) => sum + o.workTokens, 0);
  const totalSeconds = runs.reduce((sum, o) => sum + (o.billableSeconds - overheadSeconds), 0);
  return {
    tokensPerSecond: {
      low: Math.min(...implied) * (1 - FITTED_SPREAD),
      likely: totalWork / totalSeconds,
      high: Math.max(...implied) * (1 + FITTED_SPREAD),
    },
    basis: `fitted from ${runs.length} run${runs.length === 1 ? '' : 's'}` as EstimateBasis,
    runs: runs.length,
  };
}
