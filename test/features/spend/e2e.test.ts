import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sageMakerClient } from '../../../src/aws/clients.ts';
import { sageMakerRegion, trainingJobs } from '../../../src/aws/sagemakerTraining.ts';
import { APPROVE_ACTION_ID as DEPLOY_APPROVE } from '../../../src/features/deploy/blocks/request.ts';
import { requestKey as deployKey } from '../../../src/features/deploy/context.ts';
import { APPROVE_ACTION_ID } from '../../../src/features/training/blocks/request.ts';
import { requestKey } from '../../../src/features/training/context.ts';
import type { TrainingAws } from '../../../src/features/training/aws.ts';
import { startFakeSageMaker, type FakeSageMaker } from '../../aws/fakeSageMaker.ts';
import type { BotHarness } from '../../helpers/botHarness.ts';
import { startTrainingHarness, tickTrackers } from '../../helpers/trainingHarness.ts';
import type { StoredMessage } from '../../helpers/fakeSlack.ts';
import { FakeDeployAws } from '../../helpers/fakeHosting.ts';
import { FakeTrainingAws } from '../../helpers/fakeTrainingAws.ts';
import { waitFor } from '../../slack/support.ts';

/**
 * The spend lifecycle against what a hostile probe did to it, end to end (signed HTTP, fake Slack, s3rver, manual
 * clock): a CreateTrainingJob that never answers, through the real SDK client with logtune's request timeout against
 * a loopback SageMaker; and the database lost while a job and an endpoint run (SageMaker in memory).
 */
const BUCKET = 'logtune-spend-e2e';
const POLL_MS = 60_000;
const REQUEST_TIMEOUT_MS = 300;
let h: BotHarness;
let sagemaker: FakeSageMaker;
let rangeText: string;

const replies = (root: StoredMessage) => h.threadOf(root).map((m) => String(m.text));
const logged = (msg: string) => h.logEntries().filter((e) => e.msg === msg);

async function ask(text: string, userId = 'U0ALICE'): Promise<{ id: string; message: StoredMessage }> {
  const answer = await h.command(text, userId);
  const id = /`((?:tr|dep)-[^`]+)`/.exec(answer.text)![1]!;
  const key = id.startsWith('tr-') ? requestKey(id) : deployKey(id);
  // The first request builds its dataset first: bounded, but with room for a loaded machine.
  return { id, message: await waitFor(() => h.posted(key)[0], { what: `the message of ${id}`, timeoutMs: 45_000 }) };
}

const tick = (ms = POLL_MS) => tickTrackers(h, ms);

beforeAll(async () => {
  ({ h, rangeText } = await startTrainingHarness({
    bucket: BUCKET,
    approvers: 'U0CAROL,U0DAVE',
    rowsPerFile: 60,
    env: { LOGTUNE_POLL_SECONDS: String(POLL_MS / 1000) },
  }));
  sagemaker = await startFakeSageMaker();
  sagemaker.runJobs('training-completed.json');
}, 30_000);

afterAll(async () => {
  await h?.close();
  await sagemaker?.close();
});

describe('a CreateTrainingJob that never answers', () => {
  // The SDK's own settings point the client the bot's code builds at the loopback SageMaker; one SDK attempt per
  // call, so each timeout reaches logtune's own retry.
  let aws: TrainingAws;

  beforeAll(async () => {
    Object.assign(process.env, { AWS_ENDPOINT_URL_SAGEMAKER: sagemaker.endpoint, AWS_MAX_ATTEMPTS: '1' });
    const client = sageMakerClient({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
    // Prices and JumpStart's content bucket from the fake; the jobs through the real client.
    const pricing = new FakeTrainingAws();
    aws = {
      jobs: trainingJobs(client),
      region: () => sageMakerRegion(client),
      fetchPrice: pricing.fetchPrice,
      jumpstart: pricing.jumpstart,
    };
    await h.start({ aws: { training: aws, sagemaker: client } });
  });

  it('times out, retries once the minute is up, meets the job it created, and follows that one job', async () => {
    const { message } = await ask(`train ${rangeText} epochs=2`);
    sagemaker.hang('CreateTrainingJob');
    await h.click(message, APPROVE_ACTION_ID, 'U0CAROL', 500);
    const failed = await waitFor(() => logged('training launch failed; retrying')[0], { what: 'the timed-out create' });
    expect(JSON.stringify(failed.error)).toContain('TimeoutError');
    const jobName = String(sagemaker.requests.find((r) => r.operation === 'CreateTrainingJob')!.body.TrainingJobName);
    expect(sagemaker.count('CreateTrainingJob', jobName)).toBe(1);
    // Not stuck behind a guard: the retry runs when its minute is up, and SageMaker's "already exists" settles it.
    await tick();
    await waitFor(() => replies(message).some((t) => t.includes('already existed (an earlier attempt created it)')), {
      what: 'the retried launch',
    });
    expect(sagemaker.count('CreateTrainingJob', jobName)).toBe(2);
    for (let i = 0; i < 8; i++) await tick();
    expect(replies(message).at(-1)).toContain('Completed in');
    expect(sagemaker.count('CreateTrainingJob')).toBe(2);
  }, 90_000);

  it('settles by DescribeTrainingJob on the derived name when every attempt times out: launched, not failed', async () => {
    const { id, message } = await ask(`train ${rangeText} epochs=3`);
    sagemaker.hang('CreateTrainingJob', 5);
    const before = logged('training launch failed; retrying').length;
    await h.click(message, APPROVE_ACTION_ID, 'U0DAVE', 500);
    for (let attempt = 1; attempt <= 4; attempt++) {
      await waitFor(() => logged('training launch failed; retrying').length === before + attempt, {
        what: `timed-out attempt ${attempt}`,
      });
      h.clock.advance(POLL_MS * attempt);
    }
    await waitFor(() => replies(message).some((t) => t.includes('already existed (an earlier attempt created it)')), {
      what: 'the launch settled by Describe',
    });
    const jobName = String(sagemaker.requests.at(-1)!.body.TrainingJobName);
    expect(jobName).toContain(id.replace(/[^a-zA-Z0-9]+/g, '-'));
    expect(sagemaker.count('CreateTrainingJob', jobName)).toBe(5);
    expect(sagemaker.count('DescribeTrainingJob', jobName)).toBeGreaterThanOrEqual(1);
    expect(logged('training launch failed').length).toBe(0);
    expect(h.textOf(message)).not.toContain('did not start');
  }, 90_000);
});

describe('the database lost while a job and an endpoint run', () => {
  const training = new FakeTrainingAws();
  let hosting: FakeDeployAws;

  async function restart(): Promise<void> {
    await h.stop();
    await h.start({ aws: { training, deploy: hosting }, afterInService: async () => undefined });
  }

  beforeAll(async () => {
    training.prices['ml.g5.2xlarge'] = 1.515;
    hosting = new FakeDeployAws(() => new Date(h.clock.now()));
    await restart();
  });

  it('adopts the running job and the endpoint from their tags: shown in status, stoppable and removable from chat, created once', async () => {
    // A completed job, deployed; then a second job that keeps running.
    const first = await ask(`train ${rangeText} epochs=4`);
    training.willRun('training-completed.json');
    await h.click(first.message, APPROVE_ACTION_ID, 'U0CAROL', 500);
    await waitFor(() => replies(first.message).some((t) => t.includes('Training job')), { what: 'the first launch' });
    for (let i = 0; i < 8 && !replies(first.message).some((t) => t.includes('Completed in')); i++) await tick();
    const completedJob = training.creates.at(-1)!.TrainingJobName!;
    const deploy = await ask(`deploy ${completedJob}`);
    await h.click(deploy.message, DEPLOY_APPROVE, 'U0CAROL', 500);
    await waitFor(() => replies(deploy.message).some((t) => t.includes('created; SageMaker is starting it')), {
      what: 'the creates',
    });
    for (let i = 0; i < 4 && !replies(deploy.message).some((t) => t.includes('InService')); i++) await tick();
    const endpoint = `logtune-${deploy.id}`;
    expect(hosting.exists('endpoint', endpoint)).toBe(true);
    const running = await ask(`train ${rangeText} epochs=5`);
    training.willRun('training-capacity-retry.json');
    await h.click(running.message, APPROVE_ACTION_ID, 'U0DAVE', 500);
    await waitFor(() => replies(running.message).some((t) => t.includes('Training job')), { what: 'the launch' });
    const runningJob = training.creates.at(-1)!.TrainingJobName!;
    const creates = { jobs: training.creates.length, endpoints: hosting.count('CreateEndpoint') };

    // The database goes; the bot starts on an empty one.
    await h.stop();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${h.env.LOGTUNE_DB}${suffix}`, { force: true });
    await restart();
    // Adopted resources belong to no conversation: status shows them to approvers (and to a job's tagged requester).
    const adopted = async () => JSON.stringify((await h.command('status', 'U0CAROL')).blocks);
    await waitFor(async () => (await adopted()).includes(endpoint), { what: 'the adopted endpoint in status' });
    const status = await adopted();
    expect(status).toContain(`adopted* · \`${runningJob}\``);
    expect(status).toContain(`adopted* · \`${endpoint}\``);
    expect(status).toContain(`/logtune cancel ${runningJob}`);
    expect(status).toContain(`/logtune undeploy ${endpoint}`);
    expect(status).not.toContain(completedJob); // it ended: nothing bills, nothing to adopt
    const mallory = JSON.stringify((await h.command('status', 'U0MALLORY')).blocks);
    expect(mallory).not.toContain(endpoint);
    expect(logged('adopted training jobs this database did not know').at(-1)?.jobs).toEqual([runningJob]);
    expect({ jobs: training.creates.length, endpoints: hosting.count('CreateEndpoint') }).toEqual(creates);

    // Stoppable from chat by whom its tags name (or an approver), not by anyone.
    expect((await h.command(`cancel ${runningJob}`, 'U0MALLORY')).text).toContain(
      'only the person who asked for it or an approver',
    );
    expect(training.stops).not.toContain(runningJob);
    expect((await h.command(`cancel ${runningJob}`, 'U0ALICE')).text).toContain(`Stopping \`${runningJob}\``);
    expect(training.stops).toEqual([runningJob]);

    // The endpoint: removable by an approver, with its config and model.
    expect((await h.command(`undeploy ${endpoint}`, 'U0ALICE')).text).toContain('is known here');
    expect((await h.command(`undeploy ${endpoint}`, 'U0CAROL')).text).toContain(`endpoint \`${endpoint}\` deleted`);
    expect(hosting.exists('endpoint', endpoint)).toBe(false);
    expect(hosting.exists('model', endpoint)).toBe(false);
    const after = await adopted();
    expect(after).not.toContain(runningJob);
    expect(after).not.toContain(endpoint);
  }, 90_000);
});
