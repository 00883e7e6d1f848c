import type { DeployQuote } from '../../../src/features/deploy/quote.ts';

/** A frozen deploy plan as `/logtune deploy` makes one. */
export const sampleQuote: DeployQuote = {
  trainingJobName: 'logtune-ft-tr-1',
  trainedBy: 'U0BOB',
  datasetId: 'ds-1',
  modelArtifacts: 's3://b/models/logtune-ft-tr-1/output/model/',
  roleArn: 'arn:aws:iam::111122223333:role/sm',
  region: 'us-east-1',
  jumpstartVersion: '3.0.0',
  hosting: {
    image:
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.0.1-tgi1.1.0-gpu-py39-cu118-ubuntu20.04',
    environment: { SM_NUM_GPUS: '1' },
    instanceType: 'ml.g5.2xlarge',
    startupTimeoutSeconds: 1200,
  },
  instanceCount: 1,
  usdPerHour: 1.515,
  priceNote: 'AWS Pricing API (price list of 2026-11-01)',
};
