import { describe, expect, it } from 'vitest';
import type { ApprovalQuote } from '../../../src/features/training/approvalQuote.ts';
import { trainingMessage, type TrainingView } from '../../../src/features/training/blocks/request.ts';

const quote: ApprovalQuote = {
  datasetId: 'ds-1',
  datasetUri: 's3://b/artifacts/datasets/ds-1',
  region: 'us-east-1',
  tokens: 400_000,
  epochs: 3,
  instanceType: 'ml.g5.12xlarge',
  instanceCount: 1,
  hours: { low: 0.5, likely: 0.8, high: 1.2 },
  usd: { low: 3.5, likely: 5.7, high: 8.5 },
  basis: 'reference',
  usdPerHour: 7.09,
  priceNote: 'AWS Pricing API',
  capUsd: 10.2,
  capSource: 'estimate',
  capBelowEstimate: false,
  maxRuntimeSeconds: 5179,
  runtimeLimitedBy: 'cap',
  rows: [],
  examples: { benign: { train: 700, validation: 80 } },
};

const view = (q: ApprovalQuote): TrainingView => ({
  id: 'tr-1',
  requestedBy: 'U0ALICE',
  rangeLabel: 'April',
  state: 'pending_approval',
  approvers: ['U0CAROL'],
  quote: q,
});
const text = (q: ApprovalQuote) => JSON.stringify(trainingMessage(view(q)).blocks);

describe('the training approval', () => {
  it('says that a job stopped at the cap leaves nothing to deploy, and the margin the cap leaves', () => {
    expect(text(quote)).toContain('a job SageMaker stops at the cap leaves nothing to deploy');
    expect(text(quote)).toContain("The cap leaves 20% over the estimate's high end ($8.50)");
    const below = text({ ...quote, capUsd: 6, capSource: 'budget', capBelowEstimate: true });
    expect(below).toContain(':warning: The cap is below the estimate');
    expect(below).toContain('leaves nothing to deploy');
  });

  it('says what budget= cut, and where the subset the job trains on is', () => {
    const sized = text({
      ...quote,
      epochs: 2,
      capSource: 'budget',
      sizedToBudget: {
        uri: 's3://b/artifacts/datasets/ds-1/subsets/tr-1/',
        channels: { training: 'x', validation: 'y' },
        train: 700,
        validation: 80,
        of: { train: 9000, validation: 1000 },
        requestedEpochs: 3,
      },
    });
    expect(sized).toContain('*Sized to the budget:* trains on 780 of 10,000 examples');
    expect(sized).toContain('(train 700 of 9,000, validation 80 of 1,000) and 2 epochs instead of 3');
    expect(sized).toContain('`s3://b/artifacts/datasets/ds-1/subsets/tr-1/` before this approval');
    expect(text(quote)).not.toContain('Sized to the budget');
  });
});
