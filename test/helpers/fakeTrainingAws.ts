import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker';
import type { ListedPrice, PriceQuery } from '../../src/aws/pricing.ts';
import {
  TRAINING_REQUEST_TAG,
  TrainingJobNotFoundError,
  type TaggedResource,
  trainingJobSnapshotSchema,
  type StopOutcome,
  type TrainingJobSnapshot,
} from '../../src/aws/sagemakerTraining.ts';
import type { TrainingAws } from '../../src/features/training/aws.ts';
import { loadFixture } from '../aws/fakeSageMaker.ts';
import { MemoryContent } from './fakeJumpStart.ts';

/** A recorded DescribeTrainingJob poll (wire form: epoch seconds) as the SDK hands it over (Dates), renamed to `jobName`. */
export function snapshotFrom(poll: Record<string, unknown>, jobName: string): TrainingJobSnapshot {
  const revive = (value: unknown, key: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => revive(v, ''));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v, k)]));
    if (typeof value === 'number' && /Time$|Timestamp$/.test(key)) return new Date(value * 1000);
    return value;
  };
  const renamed = JSON.parse(JSON.stringify(poll).replaceAll(String(poll.TrainingJobName), jobName)) as Record<
    string,
    unknown
  >;
  return trainingJobSnapshotSchema.parse(revive(renamed, ''));
}

/**
 * SageMaker and Pricing as the training feature sees them (TrainingAws), in memory: a created job answers the polls
 * of the fixture queued for it, one per describe (the last repeats); a name can be created once.
 */
export class FakeTrainingAws implements TrainingAws {
  readonly creates: CreateTrainingJobCommandInput[] = [];
  readonly stops: string[] = [];
  readonly priceQueries: PriceQuery[] = [];
  regionName: string | undefined = 'us-east-1';
  /** Prices the "Pricing API" answers; a missing one fails like an unreachable endpoint. */
  prices: Record<string, number> = { 'ml.g5.12xlarge': 7.09, 'ml.g5.24xlarge': 10.18, 'ml.g5.48xlarge': 20.36 };
  pricingDown = false;
  /** JumpStart's content bucket, with the fixture specs (test/fixtures/jumpstart/specs.ts). */
  readonly jumpstart = new MemoryContent(['us-east-1', 'eu-west-1']);
  failCreate: Error[] = [];
  /** The next create makes the job but its answer is lost on the way back (a timeout, a crash of ours). */
  loseCreateAnswer = false;
  failDescribe: Error[] = [];
  private readonly fixtures: string[] = [];
  private readonly running = new Map<string, { polls: Record<string, unknown>[]; next: number }>();

  /** The next job created follows this fixture (test/fixtures/sagemaker/…). */
  willRun(fixture: string): this {
    this.fixtures.push(fixture);
    return this;
  }

  /** A job that has already run to its end (a model to deploy, by default): describe answers the fixture's last poll. */
  completedJob(jobName: string, fixture = 'training-completed.json'): this {
    const polls = loadFixture(fixture).polls;
    this.running.set(jobName, { polls, next: polls.length - 1 });
    return this;
  }

  /** How many polls of its fixture a job has answered. */
  pollsOf(jobName: string): number {
    return this.running.get(jobName)?.next ?? 0;
  }

  readonly jobs: TrainingAws['jobs'] = {
    create: async (input: CreateTrainingJobCommandInput): Promise<'created' | 'exists'> => {
      const failure = this.failCreate.shift();
      if (failure) throw failure;
      this.creates.push(input);
      const name = input.TrainingJobName!;
      if (this.running.has(name)) return 'exists';
      const fixture = this.fixtures.shift() ?? 'training-completed.json';
      this.running.set(name, { polls: loadFixture(fixture).polls, next: 0 });
      if (this.loseCreateAnswer) {
        this.loseCreateAnswer = false;
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return 'created';
    },
    describe: async (jobName: string): Promise<TrainingJobSnapshot> => {
      const failure = this.failDescribe.shift();
      if (failure) throw failure;
      const job = this.running.get(jobName);
      if (!job) throw new TrainingJobNotFoundError(jobName);
      const poll = job.polls[Math.min(job.next, job.polls.length - 1)]!;
      job.next++;
      return snapshotFrom(poll, jobName);
    },
    stop: async (jobName: string): Promise<StopOutcome> => {
      this.stops.push(jobName);
      if (!this.running.has(jobName)) throw new TrainingJobNotFoundError(jobName);
      return { outcome: 'stopping' };
    },
    // ListTrainingJobs(StatusEquals=InProgress) + ListTags, as src/aws/taggedResources.ts asks them.
    listRunning: async (): Promise<TaggedResource[]> =>
      [...this.running.entries()].flatMap(([name, job]) => {
        const poll = snapshotFrom(job.polls[Math.min(job.next, job.polls.length - 1)]!, name);
        const tags = Object.fromEntries(
          (this.creates.find((c) => c.TrainingJobName === name)?.Tags ?? []).map((t) => [t.Key!, t.Value ?? '']),
        );
        if (poll.TrainingJobStatus !== 'InProgress' || tags[TRAINING_REQUEST_TAG] === undefined) return [];
        return [{ name, arn: poll.TrainingJobArn, status: poll.TrainingJobStatus, createdAt: poll.CreationTime, tags }];
      }),
  };

  async region(): Promise<string | undefined> {
    return this.regionName;
  }

  readonly fetchPrice = async (query: PriceQuery): Promise<ListedPrice> => {
    this.priceQueries.push(query);
    const usdPerHour = this.prices[query.instanceType];
    if (this.pricingDown || usdPerHour === undefined)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    return { usdPerHour, asOf: '2026-11-01T00:00:00Z' };
  };
}
