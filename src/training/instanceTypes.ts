/**
 * The training instance types logtune can estimate (throughput.ts has published figures for them). Which ones a job
 * may use is the JumpStart spec's to say (recipe.training.supportedInstanceTypes); a type is offered only when it is
 * in both lists.
 */
export const ESTIMATED_TRAINING_INSTANCE_TYPES = [
  'ml.g5.12xlarge',
  'ml.g5.24xlarge',
  'ml.g5.48xlarge',
  'ml.p3dn.24xlarge',
] as const;
export type TrainingInstanceType = (typeof ESTIMATED_TRAINING_INSTANCE_TYPES)[number];

export function isEstimatedInstanceType(value: string): value is TrainingInstanceType {
  return (ESTIMATED_TRAINING_INSTANCE_TYPES as readonly string[]).includes(value);
}
