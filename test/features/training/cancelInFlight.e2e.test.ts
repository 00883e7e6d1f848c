import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
  ResourceNotFound,
  SageMakerClient,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingJobs } from '../../../src/aws/sagemakerTraining.ts';
import { requestKey } from '../../../src/features/training/context.ts';
import { APPROVE_ACTION_ID, CANCEL_REQUEST_ACTION_ID } from '../../../src/features/training/blocks/request.ts';
import type { TrainingAws, TrainingFeature } from '../../../src/features/training/index.ts';
import { loadFixture } from '../../aws/fakeSageMaker.ts';
import type { BotHarness } from '../../helpers/botHarness.ts';
import { startTrainingHarness, tickTrackers } from '../../helpers/trainingHarness.ts';
import { deferred, type Deferred } from '../../helpers/deferred.ts';
import { FakeTrainingAws, snapshotFrom } from '../../helpers/fakeTrainingAws.ts';
import type { StoredMessage } from '../../helpers/fakeSlack.ts';
import { waitFor } from '../../slack/support.ts';

/**
 * Cancel pressed after Approve, while CreateTrainingJob is still being called or retried. SageMaker is the real SDK
 * client under aws-sdk-client-mock: CreateTrainingJob answers when the test says (slowly), DescribeTrainingJob
 * answers ResourceNotFound (the SDK's own exception, as SageMaker names a missing job) until the create went through,
 * then the recorded polls of test/fixtures/sagemaker/training-stopped.json.
 */
const BUCKET = 'logtune-cancel-e2e';
const POLL_MS = 60_000;
let h: BotHarness;
let rangeText: string;
const sagemaker = new SageMakerClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' },
});
const sm = mockClient(sagemaker);
const fake = new FakeTrainingAws();
const aws: TrainingAws = {
  jobs: trainingJobs(sagemaker),
  region: () => fake.region(),
  fetchPrice: fake.fetchPrice,
  jumpstart: fake.jumpstart,
};
/** Jobs SageMaker holds (created, even when the answer never reached the bot), and which were asked to stop. */
const created = new Set<string>();
const stopped = new Set<string>();
let slowCreate: Deferred<void> | undefined;
/** The next create fails so: `made` says whether SageMaker had made the job all the same (a lost answer). */
let createFailure: { error: Error; made: boolean } | undefined;

const notFound = () => new ResourceNotFound({ message: 'Requested resource not found.', $metadata: {} });

function mockSageMaker(): void {
  sm.reset();
  sm.on(CreateTrainingJobCommand).callsFake(async (input: { TrainingJobName: string }) => {
    const wait = slowCreate;
    if (wait) await wait.promise;
    const failure = createFailure;
    createFailure = undefined;
    if (failure === undefined || failure.made) created.add(input.TrainingJobName);
    if (failure) throw failure.error;
    return { TrainingJobArn: `arn:aws:sagemaker:us-east-1:111122223333:training-job/${input.TrainingJobName}` };
  });
  sm.on(DescribeTrainingJobCommand).callsFake(async (input: { TrainingJobName: string }) => {
    if (!created.has(input.TrainingJobName)) throw notFound();
    const polls = loadFixture('training-stopped.json').polls;
    const poll = stopped.has(input.TrainingJobName) ? polls.at(-1)! : polls[0]!;
    return snapshotFrom(poll, input.TrainingJobName) as unknown as DescribeTrainingJobCommandOutput;
  });
  sm.on(StopTrainingJobCommand).callsFake(async (input: { TrainingJobName: string }) => {
    if (!created.has(input.TrainingJobName)) throw notFound();
    stopped.add(input.TrainingJobName);
    return {};
  });
}

const calls = (command: unknown) => sm.commandCalls(command as typeof CreateTrainingJobCommand);
const idFrom = (text: string) => /`(tr-[^`]+)`/.exec(text)![1]!;
const replies = (root: StoredMessage) => h.threadOf(root).map((m) => String(m.text));
const training = () => h.bot!.features.find((f) => f.name === 'training') as TrainingFeature;

async function estimate(text: string): Promise<{ id: string; message: StoredMessage }> {
  const id = idFrom((await h.command(text)).text);
  const message = await waitFor(() => h.posted(requestKey(id))[0], { what: `the message of ${id}` });
  return { id, message };
}

const tick = (ms = POLL_MS) => tickTrackers(h, ms);

beforeAll(async () => {
  ({ h, rangeText } = await startTrainingHarness({
    bucket: BUCKET,
    approvers: 'U0CAROL,U0DAVE',
    rowsPerFile: 60,
    env: { LOGTUNE_POLL_SECONDS: String(POLL_MS / 1000) },
  }));
  mockSageMaker();
  await h.start({ aws: { training: aws } });
}, 30_000);

afterAll(async () => {
  await h?.close();
  sm.restore();
});

describe('Cancel while a training launch is in flight', () => {
  it('is recorded before CreateTrainingJob answers; the job it creates is stopped at once and the thread says so', async () => {
    const { id, message } = await estimate(`train ${rangeText} epochs=2`);
    slowCreate = deferred();
    await h.click(message, APPROVE_ACTION_ID, 'U0CAROL', 500);
    await waitFor(() => calls(CreateTrainingJobCommand).length === 1, { what: 'CreateTrainingJob sent' });
    // The message offers Cancel while the launch runs; the requester presses it before SageMaker answers.
    await waitFor(() => JSON.stringify(message.blocks).includes('Cancel launch'), { what: 'the Cancel launch button' });
    expect(await h.click(message, CANCEL_REQUEST_ACTION_ID, 'U0ALICE', 500)).toBeUndefined();
    const record = training().requests.get(id)!;
    expect(record.state).toBe('cancelled');
    expect(record.decidedBy).toBe('U0ALICE');
    expect(
      training()
        .requests.decisions(id)
        .map((d) => [d.action, d.outcome]),
    ).toContainEqual(['cancel', 'allowed']);
    expect(replies(message).at(-1)).toContain('while the job was being launched');
    expect(calls(StopTrainingJobCommand)).toHaveLength(0);

    // SageMaker answers now: the job it made is stopped at once, and nothing is launched again.
    slowCreate.resolve();
    slowCreate = undefined;
    const jobName = String(calls(CreateTrainingJobCommand)[0]!.args[0].input.TrainingJobName);
    await waitFor(() => replies(message).some((t) => t.includes('asked it to stop at once')), {
      what: 'the stop note',
    });
    expect(calls(StopTrainingJobCommand).map((c) => c.args[0].input.TrainingJobName)).toEqual([jobName]);
    expect(training().requests.get(id)!.state).toBe('cancelled');
    for (let i = 0; i < 4; i++) await tick();
    expect(replies(message).at(-1)).toMatch(/Stopped/);
    expect(h.textOf(message)).toContain('during the launch');
    expect(JSON.stringify(message.blocks)).not.toContain(CANCEL_REQUEST_ACTION_ID);
    expect(calls(CreateTrainingJobCommand)).toHaveLength(1);
    await waitFor(() => h.logEntries().some((e) => e.msg === 'tracked resource ended' && e.id === jobName), {
      what: 'the end of tracking',
    });
  }, 40_000);

  it('cancelled while waiting to retry: no further CreateTrainingJob, nothing is stopped because nothing exists', async () => {
    const { id, message } = await estimate(`train ${rangeText} epochs=3`);
    const creates = calls(CreateTrainingJobCommand).length;
    // Throttled: refused before anything exists.
    createFailure = {
      error: Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }),
      made: false,
    };
    await h.click(message, APPROVE_ACTION_ID, 'U0DAVE', 500);
    await waitFor(
      () => h.logEntries().some((e) => e.msg === 'training launch failed; retrying' && e.requestId === id),
      {
        what: 'the throttled launch',
      },
    );
    await h.click(message, CANCEL_REQUEST_ACTION_ID, 'U0ALICE', 500);
    expect(training().requests.get(id)!.state).toBe('cancelled');
    h.clock.advance(60_000);
    await waitFor(() => h.logEntries().some((e) => e.msg === 'training launch withdrawn' && e.requestId === id), {
      what: 'the attempt after the wait',
    });
    // Withdrawn, not failed: nothing is logged as an error.
    expect(h.logEntries().some((e) => e.msg === 'training launch failed' && e.requestId === id)).toBe(false);
    expect(calls(CreateTrainingJobCommand).length).toBe(creates + 1);
    expect(calls(StopTrainingJobCommand).map((c) => c.args[0].input.TrainingJobName)).not.toContain(
      training().requests.get(id)!.jobName,
    );
    expect(replies(message).some((t) => t.includes('SageMaker did not start the job'))).toBe(false);
  }, 40_000);

  it('after a restart: a job created by the attempt in flight at the cancel, whose answer was lost, is found and stopped', async () => {
    const { id, message } = await estimate(`train ${rangeText} epochs=4`);
    // SageMaker makes the job, but its answer is lost on the way back (transient: the launch waits to retry).
    createFailure = { error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), made: true };
    await h.click(message, APPROVE_ACTION_ID, 'U0CAROL', 500);
    await waitFor(
      () => h.logEntries().some((e) => e.msg === 'training launch failed; retrying' && e.requestId === id),
      {
        what: 'the lost answer',
      },
    );
    const jobName = training().requests.get(id)!.jobName!;
    expect(created.has(jobName)).toBe(true);
    await h.click(message, CANCEL_REQUEST_ACTION_ID, 'U0ALICE', 500);
    expect(training().requests.get(id)!.state).toBe('cancelled');
    // The bot stops before the retry; the next start is what finds the job.
    await h.stop();
    const creates = calls(CreateTrainingJobCommand).length;
    await h.start({ aws: { training: aws } });
    await waitFor(() => replies(message).some((t) => t.includes('asked it to stop at once')), {
      what: 'the stop after the restart',
    });
    expect(calls(StopTrainingJobCommand).map((c) => c.args[0].input.TrainingJobName)).toContain(jobName);
    expect(calls(CreateTrainingJobCommand).length).toBe(creates);
    for (let i = 0; i < 3; i++) await tick();
    expect(replies(message).at(-1)).toMatch(/Stopped/);
    // A further restart asks nothing more of it: it is tracked (to its end), not settled again.
    const stops = calls(StopTrainingJobCommand).length;
    await h.stop();
    await h.start({ aws: { training: aws } });
    await tick(0);
    expect(calls(StopTrainingJobCommand).length).toBe(stops);
  }, 60_000);
});
