import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  StopTrainingJobCommand,
  type CreateTrainingJobCommandInput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { listRunningTrainingJobs, type TaggedResource } from './taggedResources.ts';
import { isThrottling } from './throttling.ts';

/**
 * CreateTrainingJob, DescribeTrainingJob and StopTrainingJob, with the answers logtune acts on made explicit.
 * Retries are the SDK's (standard mode); a throttle that outlasts them surfaces as SageMakerThrottledError so a
 * poller can back off.
 */
export class SageMakerThrottledError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`SageMaker throttled ${operation}; try again later`, { cause });
    this.name = 'SageMakerThrottledError';
  }
}

/** The job does not exist in this account and region. */
export class TrainingJobNotFoundError extends Error {
  constructor(readonly jobName: string) {
    super(`no training job named ${jobName} in this account and region`);
    this.name = 'TrainingJobNotFoundError';
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function rethrow(operation: string, error: unknown): never {
  if (isThrottling(error)) throw new SageMakerThrottledError(operation, error);
  throw error;
}

/**
 * `exists` when the name is taken: SageMaker answers ResourceInUse "Training job names must be unique within an AWS
 * account and region, and a training job with this name already exists (arn:…)". A ValidationException with the
 * same words is treated alike, should the service ever answer that way.
 */
export async function createTrainingJob(
  client: SageMakerClient,
  input: CreateTrainingJobCommandInput,
  signal?: AbortSignal,
): Promise<'created' | 'exists'> {
  try {
    await client.send(new CreateTrainingJobCommand(input), { abortSignal: signal });
    return 'created';
  } catch (error) {
    const name = errorName(error);
    if (name === 'ResourceInUse') return 'exists';
    if (name === 'ValidationException' && /already exists/i.test((error as Error).message)) return 'exists';
    rethrow('CreateTrainingJob', error);
  }
}

const transition = z.object({
  Status: z.string(),
  StartTime: z.date(),
  EndTime: z.date().optional(),
  StatusMessage: z.string().optional(),
});

/** The DescribeTrainingJob fields progress reporting reads (aws.md §5.2); unknown status values pass through. */
export const trainingJobSnapshotSchema = z.object({
  TrainingJobName: z.string(),
  TrainingJobArn: z.string(),
  TrainingJobStatus: z.string(),
  SecondaryStatus: z.string(),
  CreationTime: z.date(),
  LastModifiedTime: z.date().optional(),
  TrainingStartTime: z.date().optional(),
  TrainingEndTime: z.date().optional(),
  TrainingTimeInSeconds: z.number().optional(),
  BillableTimeInSeconds: z.number().optional(),
  FailureReason: z.string().optional(),
  SecondaryStatusTransitions: z.array(transition).default([]),
  FinalMetricDataList: z
    .array(z.object({ MetricName: z.string(), Value: z.number(), Timestamp: z.date().optional() }))
    .default([]),
  ModelArtifacts: z.object({ S3ModelArtifacts: z.string() }).optional(),
  ResourceConfig: z
    .object({ InstanceType: z.string().optional(), InstanceCount: z.number().int().positive().optional() })
    .loose(),
  StoppingCondition: z.object({ MaxRuntimeInSeconds: z.number().optional() }).loose(),
});

export type TrainingJobSnapshot = z.infer<typeof trainingJobSnapshotSchema>;

export async function describeTrainingJob(
  client: SageMakerClient,
  jobName: string,
  signal?: AbortSignal,
): Promise<TrainingJobSnapshot> {
  let output;
  try {
    output = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }), { abortSignal: signal });
  } catch (error) {
    if (errorName(error) === 'ResourceNotFound') throw new TrainingJobNotFoundError(jobName);
    rethrow('DescribeTrainingJob', error);
  }
  const parsed = trainingJobSnapshotSchema.safeParse(output);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`DescribeTrainingJob ${jobName}: unexpected answer at ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

export type StopOutcome =
  | { readonly outcome: 'stopping' }
  /** It had already ended or was stopping: nothing more is billed because of it. */
  | { readonly outcome: 'already-ended'; readonly status: string };

/**
 * SIGTERM to the job (120 s to save artifacts, then Stopped). Stopping a job that is no longer running is answered
 * with ValidationException "The request was rejected because the training job is in status Completed".
 */
export async function stopTrainingJob(client: SageMakerClient, jobName: string): Promise<StopOutcome> {
  try {
    await client.send(new StopTrainingJobCommand({ TrainingJobName: jobName }));
    return { outcome: 'stopping' };
  } catch (error) {
    const name = errorName(error);
    if (name === 'ResourceNotFound') throw new TrainingJobNotFoundError(jobName);
    const status =
      name === 'ValidationException'
        ? /training job is in status (\w+)/i.exec((error as Error).message)?.[1]
        : undefined;
    if (status !== undefined) return { outcome: 'already-ended', status };
    rethrow('StopTrainingJob', error);
  }
}

/** What every job logtune launches is named and tagged with (src/training/request.ts). */
export const TRAINING_JOB_PREFIX = 'logtune-ft-';
export const TRAINING_REQUEST_TAG = 'logtune:request-id';
export const TRAINING_REQUESTED_BY_TAG = 'logtune:requested-by';

export type { TaggedResource };

/** The calls bound to one client: what the approval flow and the tracker are given. */
export interface TrainingJobs {
  create(input: CreateTrainingJobCommandInput, signal?: AbortSignal): Promise<'created' | 'exists'>;
  describe(jobName: string, signal?: AbortSignal): Promise<TrainingJobSnapshot>;
  stop(jobName: string): Promise<StopOutcome>;
  /** Every job logtune launched (it carries the request-id tag) that is still running: what reconciling adopts. */
  listRunning(signal?: AbortSignal): Promise<TaggedResource[]>;
}

export function trainingJobs(client: SageMakerClient): TrainingJobs {
  return {
    create: (input, signal) => createTrainingJob(client, input, signal),
    describe: (jobName, signal) => describeTrainingJob(client, jobName, signal),
    stop: (jobName) => stopTrainingJob(client, jobName),
    listRunning: (signal) => listRunningTrainingJobs(client, TRAINING_JOB_PREFIX, TRAINING_REQUEST_TAG, signal),
  };
}

/** The region jobs run in: the SageMaker client's own (AWS_REGION, the profile), never a logtune setting. */
export async function sageMakerRegion(client: SageMakerClient): Promise<string | undefined> {
  try {
    const region = await client.config.region();
    return region === '' ? undefined : region;
  } catch {
    return undefined; // the SDK throws "Region is missing" when nothing names one
  }
}
