import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTrainingJob,
  describeTrainingJob,
  SageMakerThrottledError,
  stopTrainingJob,
  TrainingJobNotFoundError,
  trainingJobs,
} from '../../src/aws/sagemakerTraining.ts';
import { awsError, startFakeSageMaker, type FakeSageMaker } from './fakeSageMaker.ts';

let fake: FakeSageMaker;

beforeAll(async () => {
  fake = await startFakeSageMaker();
});

afterAll(async () => {
  await fake.close();
});

const input = { TrainingJobName: 'logtune-ft-abc-123', RoleArn: 'arn:aws:iam::111122223333:role/r' } as const;

describe('SageMaker training adapter', () => {
  it('creates a job, and reports a name already taken as existing (what SageMaker answers on a second create)', async () => {
    expect(await createTrainingJob(fake.client, input as never)).toBe('created');
    expect(fake.requests.at(-1)).toMatchObject({
      operation: 'CreateTrainingJob',
      body: { TrainingJobName: 'logtune-ft-abc-123' },
    });
    fake.answerNext(
      'CreateTrainingJob',
      awsError(
        'ResourceInUse',
        'Training job names must be unique within an AWS account and region, and a training job with this name already exists (arn:aws:sagemaker:us-east-1:111122223333:training-job/logtune-ft-abc-123)',
      ),
    );
    expect(await createTrainingJob(fake.client, input as never)).toBe('exists');
    fake.answerNext(
      'CreateTrainingJob',
      awsError('ValidationException', 'A training job with this name already exists'),
    );
    expect(await trainingJobs(fake.client).create(input as never)).toBe('exists');
  });

  it('passes other create errors through, and surfaces throttling recognisably', async () => {
    fake.answerNext(
      'CreateTrainingJob',
      awsError(
        'ResourceLimitExceeded',
        'The account-level service limit "ml.g5.12xlarge for training job usage" is 0 Instances',
      ),
    );
    await expect(createTrainingJob(fake.client, input as never)).rejects.toMatchObject({
      name: 'ResourceLimitExceeded',
      message: expect.stringContaining('service limit'),
    });
    fake.answerNext('CreateTrainingJob', awsError('ThrottlingException', 'Rate exceeded'));
    const error = await createTrainingJob(fake.client, input as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SageMakerThrottledError);
    expect((error as Error).cause).toMatchObject({ name: 'ThrottlingException' });
  });

  it('describes a job as a parsed snapshot with dates', async () => {
    const name = fake.loadSequence('training-completed.json');
    const first = await describeTrainingJob(fake.client, name);
    expect(first.TrainingJobStatus).toBe('InProgress');
    expect(first.CreationTime).toEqual(new Date('2025-12-01T00:00:00.123Z'));
    expect(first.SecondaryStatusTransitions).toHaveLength(1);
    expect(first.TrainingStartTime).toBeUndefined();
    await expect(describeTrainingJob(fake.client, 'no-such-job')).rejects.toBeInstanceOf(TrainingJobNotFoundError);
  });

  it('stops a running job; a job that already ended or does not exist is said so', async () => {
    expect(await stopTrainingJob(fake.client, 'logtune-ft-abc-123')).toEqual({ outcome: 'stopping' });
    fake.answerNext(
      'StopTrainingJob',
      awsError('ValidationException', 'The request was rejected because the training job is in status Completed.'),
    );
    expect(await stopTrainingJob(fake.client, 'logtune-ft-abc-123')).toEqual({
      outcome: 'already-ended',
      status: 'Completed',
    });
    fake.answerNext('StopTrainingJob', awsError('ResourceNotFound', 'Requested resource not found.'));
    await expect(stopTrainingJob(fake.client, 'gone')).rejects.toThrow('no training job named gone');
    fake.answerNext('StopTrainingJob', awsError('ValidationException', 'Something else is wrong'));
    await expect(stopTrainingJob(fake.client, 'x')).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
