import { createHash } from 'node:crypto';
import type { TrainingJobSnapshot } from '../aws/sagemakerTraining.ts';
import type { TrainingObservation } from './throughput.ts';

/**
 * A DescribeTrainingJob snapshot → what a progress report says. Pure: the tracker polls, records and posts.
 * Every status the job has passed through is listed from SecondaryStatusTransitions, so a status passed while the
 * bot was down is still there; its key stays the same on every later poll, so a tracker that records keys before
 * posting posts each status once, across restarts.
 */
export interface StatusChange {
  /** `<status>@<start time>`: stable across polls. */
  readonly key: string;
  readonly status: string;
  readonly startTime: Date;
  readonly endTime: Date | undefined;
  /** SageMaker's latest message for this status; it may be rewritten while the status lasts (e.g. capacity retries). */
  readonly message: string | undefined;
  /** Changes when the message does: for a tracker that also reports message updates within a status. */
  readonly messageKey: string;
}

export type TrainingResult =
  | {
      readonly kind: 'completed';
      readonly artifactUri: string | undefined;
      readonly metrics: Readonly<Record<string, number>>;
    }
  | { readonly kind: 'failed'; readonly reason: string; readonly capacityError: boolean }
  /** `cap`: SageMaker stopped it at MaxRuntimeInSeconds, the approved amount; `request`: someone stopped it. */
  | { readonly kind: 'stopped'; readonly by: 'cap' | 'request'; readonly artifactUri: string | undefined };

export interface TrainingProgress {
  readonly jobName: string;
  readonly status: string;
  readonly secondaryStatus: string;
  readonly terminal: boolean;
  readonly changes: readonly StatusChange[];
  /** From creation to the end of training (or now). */
  readonly elapsedSeconds: number;
  /** Billed wall-clock seconds per instance: SageMaker's figure once it gives one, else training start → now. */
  readonly billableSeconds: number;
  readonly billableIsFinal: boolean;
  readonly instanceCount: number;
  /** Billable seconds × price × instances. */
  readonly usdSoFar: number;
  readonly result: TrainingResult | undefined;
}

const TERMINAL = new Set(['Completed', 'Failed', 'Stopped']);

const seconds = (from: Date, to: Date) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

export function trainingProgress(job: TrainingJobSnapshot, usdPerHour: number, now: Date): TrainingProgress {
  const terminal = TERMINAL.has(job.TrainingJobStatus);
  const changes = job.SecondaryStatusTransitions.map((t): StatusChange => {
    const key = `${t.Status}@${t.StartTime.toISOString()}`;
    return {
      key,
      status: t.Status,
      startTime: t.StartTime,
      endTime: t.EndTime,
      message: t.StatusMessage,
      messageKey: `${key}#${shortHash(t.StatusMessage ?? '')}`,
    };
  });
  const end = job.TrainingEndTime ?? (terminal ? (job.LastModifiedTime ?? now) : now);
  const billableIsFinal = job.BillableTimeInSeconds !== undefined;
  const billableSeconds =
    job.BillableTimeInSeconds ?? (job.TrainingStartTime === undefined ? 0 : seconds(job.TrainingStartTime, end));
  const instanceCount = job.ResourceConfig.InstanceCount ?? 1;
  return {
    jobName: job.TrainingJobName,
    status: job.TrainingJobStatus,
    secondaryStatus: job.SecondaryStatus,
    terminal,
    changes,
    elapsedSeconds: seconds(job.CreationTime, end),
    billableSeconds,
    billableIsFinal,
    instanceCount,
    usdSoFar: (billableSeconds * usdPerHour * instanceCount) / 3600,
    result: resultOf(job),
  };
}

function resultOf(job: TrainingJobSnapshot): TrainingResult | undefined {
  const artifactUri = job.ModelArtifacts?.S3ModelArtifacts;
  switch (job.TrainingJobStatus) {
    case 'Completed':
      return {
        kind: 'completed',
        artifactUri,
        metrics: Object.fromEntries(job.FinalMetricDataList.map((m) => [m.MetricName, m.Value])),
      };
    case 'Failed': {
      const reason = job.FailureReason ?? 'SageMaker gave no reason';
      // The Python SDK singles out this failure too: no instances were free, nothing was wrong with the job.
      return { kind: 'failed', reason, capacityError: /CapacityError|insufficient capacity/i.test(reason) };
    }
    case 'Stopped':
      return { kind: 'stopped', by: job.SecondaryStatus === 'MaxRuntimeExceeded' ? 'cap' : 'request', artifactUri };
    default:
      return undefined;
  }
}

/** What a completed job teaches the estimator; nothing from a job that did not finish its work. */
export function observationOf(job: TrainingJobSnapshot, workTokens: number): TrainingObservation | undefined {
  if (
    job.TrainingJobStatus !== 'Completed' ||
    job.BillableTimeInSeconds === undefined ||
    job.ResourceConfig.InstanceType === undefined
  )
    return undefined;
  return {
    instanceType: job.ResourceConfig.InstanceType,
    instanceCount: job.ResourceConfig.InstanceCount ?? 1,
    workTokens,
    billableSeconds: job.BillableTimeInSeconds,
  };
}
