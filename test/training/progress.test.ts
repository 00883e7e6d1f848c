import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTrainingJob, type TrainingJobSnapshot } from '../../src/aws/sagemakerTraining.ts';
import { observationOf, trainingProgress, type TrainingProgress } from '../../src/training/progress.ts';
import { loadFixture, startFakeSageMaker, type FakeSageMaker } from '../aws/fakeSageMaker.ts';

let fake: FakeSageMaker;

beforeAll(async () => {
  fake = await startFakeSageMaker();
});

afterAll(async () => {
  await fake.close();
});

/** Every recorded poll of a fixture, through the real SDK client and the adapter. */
async function pollAll(fixture: string): Promise<TrainingJobSnapshot[]> {
  const name = fake.loadSequence(fixture);
  const snapshots = [];
  for (let i = 0; i < loadFixture(fixture).polls.length; i++)
    snapshots.push(await describeTrainingJob(fake.client, name));
  return snapshots;
}

const PRICE = 7.09;

/** What a tracker that records keys before posting would post over the polls: each status once, in order. */
function posted(progresses: readonly TrainingProgress[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of progresses) {
    for (const c of p.changes) {
      if (seen.has(c.key)) continue;
      seen.add(c.key);
      out.push(c.status);
    }
  }
  return out;
}

describe('training progress', () => {
  it('reports each secondary status once, with keys that do not change between polls, then the completed result', async () => {
    const snapshots = await pollAll('training-completed.json');
    const now = new Date('2025-12-01T03:00:00Z');
    const progresses = snapshots.map((s) => trainingProgress(s, PRICE, now));
    expect(posted(progresses)).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    // A key seen once means the same status and start on every later poll.
    for (let i = 1; i < progresses.length; i++) {
      const before = progresses[i - 1]!.changes;
      expect(progresses[i]!.changes.slice(0, before.length).map((c) => c.key)).toEqual(before.map((c) => c.key));
    }
    expect(progresses.slice(0, -1).every((p) => !p.terminal && p.result === undefined)).toBe(true);

    // In progress, before training starts, nothing is billed; once it has, dollars so far follow the clock.
    expect(progresses[0]!.usdSoFar).toBe(0);
    const training = progresses[3]!;
    const start = snapshots[3]!.TrainingStartTime!;
    const expectedSeconds = Math.round((now.getTime() - start.getTime()) / 1000);
    expect(training.billableSeconds).toBe(expectedSeconds);
    expect(training.billableIsFinal).toBe(false);
    expect(training.usdSoFar).toBeCloseTo((expectedSeconds * PRICE) / 3600, 10);

    const done = progresses.at(-1)!;
    expect(done.terminal).toBe(true);
    expect(done.billableIsFinal).toBe(true);
    expect(done.billableSeconds).toBe(5850);
    expect(done.usdSoFar).toBeCloseTo((5850 * 7.09) / 3600, 10);
    expect(done.result).toEqual({
      kind: 'completed',
      artifactUri: 's3://logtune-artifacts/models/logtune-ft-req-0001-3f9a1c2b7d4e/output/model/',
      metrics: {
        'huggingface-textgeneration:eval-loss': 0.0412,
        'huggingface-textgeneration:eval-ppl': 1.0421,
        'huggingface-textgeneration:train-loss': 0.0375,
      },
    });
    // Elapsed is creation → end of training, whatever the clock says later.
    expect(done.elapsedSeconds).toBe(
      Math.round((snapshots.at(-1)!.TrainingEndTime!.getTime() - snapshots[0]!.CreationTime.getTime()) / 1000),
    );
    expect(observationOf(snapshots.at(-1)!, 9_000_000)).toEqual({
      instanceType: 'ml.g5.12xlarge',
      instanceCount: 1,
      workTokens: 9_000_000,
      billableSeconds: 5850,
    });
    expect(observationOf(snapshots[3]!, 9_000_000)).toBeUndefined();
  });

  it('a bot that was down reports every status it missed from the last snapshot alone', async () => {
    const snapshots = await pollAll('training-completed.json');
    const last = trainingProgress(snapshots.at(-1)!, PRICE, new Date());
    expect(last.changes.map((c) => c.status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    expect(last.changes[2]!.message).toBe('Training image download completed. Training in progress.');
    const firstPollKeys = trainingProgress(snapshots[0]!, PRICE, new Date()).changes.map((c) => c.key);
    expect(last.changes[0]!.key).toBe(firstPollKeys[0]);
  });

  it('a failed job reports its reason', async () => {
    const snapshots = await pollAll('training-failed.json');
    const end = trainingProgress(snapshots.at(-1)!, PRICE, new Date());
    expect(end.terminal).toBe(true);
    expect(end.changes.map((c) => c.status)).toEqual(['Starting', 'Downloading', 'Training', 'Failed']);
    expect(end.result).toMatchObject({ kind: 'failed', capacityError: false });
    expect(end.result?.kind === 'failed' && end.result.reason).toContain('CUDA out of memory');
    expect(observationOf(snapshots.at(-1)!, 1000)).toBeUndefined();
  });

  it('a job SageMaker stopped at the cap says so', async () => {
    const snapshots = await pollAll('training-stopped.json');
    const end = trainingProgress(snapshots.at(-1)!, PRICE, new Date());
    expect(end.result).toEqual({
      kind: 'stopped',
      by: 'cap',
      artifactUri: 's3://logtune-artifacts/models/logtune-ft-req-0003-5c2d9e70b1aa/output/model/',
    });
    expect(end.changes.map((c) => c.status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Stopping',
      'MaxRuntimeExceeded',
    ]);
    const byHand = trainingProgress({ ...snapshots.at(-1)!, SecondaryStatus: 'Stopped' }, PRICE, new Date());
    expect(byHand.result).toMatchObject({ kind: 'stopped', by: 'request' });
  });

  it('a capacity retry rewrites the message within Starting: same status key, new message key', async () => {
    const snapshots = await pollAll('training-capacity-retry.json');
    const starting = snapshots.map((s) => trainingProgress(s, 20.36, new Date()).changes[0]!);
    expect(new Set(starting.map((c) => c.key)).size).toBe(1);
    expect(new Set(starting.map((c) => c.messageKey)).size).toBe(3);
    expect(starting[1]!.message).toBe('Insufficient capacity error from EC2 while launching instances, retrying!');
    expect(posted(snapshots.map((s) => trainingProgress(s, 20.36, new Date())))).toEqual(['Starting', 'Downloading']);
    const failed = trainingProgress(
      {
        ...snapshots[0]!,
        TrainingJobStatus: 'Failed',
        FailureReason:
          'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.',
      },
      20.36,
      new Date(),
    );
    expect(failed.result).toMatchObject({ kind: 'failed', capacityError: true });
  });
});
