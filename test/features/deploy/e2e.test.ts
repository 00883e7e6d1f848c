import {
  InvokeEndpointCommand,
  SageMakerRuntimeClient,
  type InvokeEndpointCommandInput,
} from '@aws-sdk/client-sagemaker-runtime';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseFor } from '../../../src/dataset/examples/example.ts';
import { KEEP_ACTION_ID } from '../../../src/features/deploy/blocks/idle.ts';
import { APPROVE_ACTION_ID, CANCEL_ACTION_ID } from '../../../src/features/deploy/blocks/request.ts';
import { requestKey } from '../../../src/features/deploy/context.ts';
import { S3Store } from '../../../src/objectStore/s3Store.ts';
import type { BotHarness } from '../../helpers/botHarness.ts';
import type { StoredMessage } from '../../helpers/fakeSlack.ts';
import type { FakeDeployAws } from '../../helpers/fakeHosting.ts';
import { writeDatasetFiles } from '../../helpers/storedDataset.ts';
import { blockText, waitFor } from '../../slack/support.ts';
import { BUCKET, DeployBot, HOUR_MS, POLL_MS, PRICE } from './deployBot.ts';

/**
 * `/logtune deploy` and `/logtune undeploy` end to end: the bot over signed HTTP, a local fake Slack, SageMaker
 * hosting in memory (FakeDeployAws), the completed training jobs in FakeTrainingAws, time on a manual clock.
 */
let d: DeployBot;
let h: BotHarness;
let hosting: FakeDeployAws;
const replies = (root: StoredMessage) => d.replies(root);

beforeAll(async () => {
  d = await DeployBot.start();
  ({ h, hosting } = d);
}, 30_000);

afterAll(async () => {
  await d?.h.close();
});

describe('/logtune deploy', () => {
  it('refuses privately a job it did not launch, one not completed, and bad arguments; posts nothing', async () => {
    const posts = h.fake.callsOf('chat.postMessage').length;
    expect((await h.command('deploy logtune-ft-unknown')).text).toContain(
      'no training job `logtune-ft-unknown` launched by logtune is known here',
    );
    const failed = d.completedJob();
    d.training.completedJob(failed, 'training-failed.json');
    expect((await h.command(`deploy ${failed}`)).text).toContain(`\`${failed}\` is Failed, not Completed`);
    expect((await h.command('deploy')).text).toContain('Usage: `/logtune deploy &lt;training job&gt;`');
    expect((await h.command('deploy a b')).text).toContain('name one training job');
    expect(h.fake.callsOf('chat.postMessage').length).toBe(posts);
    expect(hosting.calls).toHaveLength(0);
  });

  it("refuses before posting when the doctor's checks fail: the job's model is gone", async () => {
    const posts = h.fake.callsOf('chat.postMessage').length;
    const jobName = d.completedJob();
    d.doctor.s3.on(ListObjectsV2Command).resolvesOnce({ KeyCount: 0 });
    const answer = await h.command(`deploy ${jobName}`);
    expect(answer.text).toContain('Not posted for approval: the endpoint could not start');
    expect(answer.text).toMatch(/✗ model artifacts: no object under s3:\/\/\S+\/output\/model\/ — fix/);
    expect(h.fake.callsOf('chat.postMessage').length).toBe(posts);
    expect(hosting.calls).toHaveLength(0);
    // The model is back for the tests that follow (a once-answer replaces the ready one for that command).
    d.doctor.s3.on(ListObjectsV2Command).resolves({ KeyCount: 1, Contents: [{ Key: 'model/config.json' }] });
  });

  it('posts the hosting cost for approval, refuses the wrong people, creates the three once for two approvers, and follows the endpoint to InService', async () => {
    const jobName = d.completedJob();
    const { id, message } = await d.requestDeploy(jobName);
    expect(d.training.priceQueries.at(-1)).toEqual({
      instanceType: 'ml.g5.2xlarge',
      region: 'us-east-1',
      usage: 'hosting',
    });
    const shown = h.textOf(message);
    for (const fact of [
      `Deploy ${jobName} as an endpoint`,
      'asked by <@U0ALICE>',
      '`ml.g5.2xlarge` in us-east-1',
      '$1.52/hour · $36.36/day',
      'AWS Pricing API (price list of 2026-11-01)',
      'after 24 h without a classification',
      'Waiting for approval* by <@U0CAROL>, <@U0DAVE>',
      'fixture-tgi-inference:9.9-tgi',
      `s3://logtune-artifacts/models/${jobName}/output/model/`,
    ]) {
      expect(shown).toContain(fact);
    }
    expect(JSON.stringify(message.blocks)).toContain('Approve $36.36/day');

    // Not an approver, or the requester: refused privately, the message keeps its buttons, nothing is created.
    const updates = h.updatesOf(message).length;
    expect((await h.click(message, APPROVE_ACTION_ID, 'U0MALLORY'))?.text).toContain(
      'only the approvers named in LOGTUNE_APPROVERS may approve spending',
    );
    expect((await h.click(message, APPROVE_ACTION_ID, 'U0ALICE'))?.text).toContain(
      'only the approvers named in LOGTUNE_APPROVERS',
    );
    expect(h.updatesOf(message).length).toBe(updates);
    expect(hosting.calls).toHaveLength(0);

    // Two approvers at the same moment: one model, one endpoint config, one endpoint.
    const [carol, dave] = await Promise.all([
      h.click(message, APPROVE_ACTION_ID, 'U0CAROL', 800),
      h.click(message, APPROVE_ACTION_ID, 'U0DAVE', 800),
    ]);
    expect([carol, dave].find((a) => a !== undefined)?.text).toMatch(/already approved by <@U0(CAROL|DAVE)>/);
    await waitFor(() => replies(message).some((t) => t.includes('created; SageMaker is starting it')), {
      what: 'the creates',
    });
    await d.settle();
    expect(d.creates()).toEqual([1, 1, 1]);
    const name = `logtune-${id}`;
    const model = hosting.modelInputs.at(-1)!;
    expect(model.ModelName).toBe(name);
    expect(model.ExecutionRoleArn).toBe('arn:aws:iam::111122223333:role/logtune-training');
    expect(model.PrimaryContainer?.ModelDataSource?.S3DataSource?.S3Uri).toBe(
      `s3://logtune-artifacts/models/${jobName}/output/model/`,
    );
    expect(model.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'logtune:training-job', Value: jobName },
        { Key: 'logtune:dataset', Value: expect.stringMatching(/^ds-seed-/) },
      ]),
    );
    expect(hosting.configInputs.at(-1)!.ProductionVariants![0]).toMatchObject({
      InstanceType: 'ml.g5.2xlarge',
      InitialInstanceCount: 1,
    });

    // Creating, then InService, each once; the hook runs once and its answer is posted in the thread.
    for (let i = 0; i < 3; i++) await d.tick();
    const thread = replies(message);
    expect(thread[0]).toMatch(/Approved by <@U0(CAROL|DAVE)> at .* UTC: 1 × `ml.g5.2xlarge` at \$1\.52\/hour/);
    expect(thread.filter((t) => t.startsWith(':arrow_forward:'))).toEqual([':arrow_forward: Creating']);
    expect(thread.filter((t) => t.includes('InService'))).toHaveLength(1);
    await waitFor(() => replies(message).some((t) => t.includes(`Evaluation of ${name}`)), {
      what: 'the evaluation reply',
    });
    expect(d.evaluations.filter((e) => e.endpointName === name)).toEqual([
      { endpointName: name, datasetId: expect.stringMatching(/^ds-seed-/), deployId: id },
    ]);
    expect(h.textOf(message)).toContain(`*InService* · \`${name}\``);
    expect(JSON.stringify(message.blocks)).not.toContain(APPROVE_ACTION_ID);
    expect(d.feature().endpoints.current()).toEqual({
      endpointName: name,
      datasetId: expect.stringMatching(/^ds-seed-/),
    });
    expect(h.posted(requestKey(id))).toHaveLength(1);

    // A second deploy of the same job while it runs is refused.
    expect((await h.command(`deploy ${jobName}`)).text).toContain(`is already deployed as \`${name}\``);
  }, 40_000);

  it('reports a failed endpoint with its reason; Cancel closes a request for good', async () => {
    hosting.willRun([
      { status: 'Creating' },
      {
        status: 'Failed',
        failureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.',
      },
    ]);
    const { message } = await d.requestDeploy(d.completedJob());
    await h.click(message, APPROVE_ACTION_ID, 'U0DAVE', 300);
    await waitFor(() => replies(message).some((t) => t.includes('created;')), { what: 'the creates' });
    for (let i = 0; i < 2; i++) await d.tick();
    expect(replies(message).at(-1)).toContain(
      'Failed: The primary container for production variant AllTraffic did not pass the ping health check.',
    );
    expect(h.textOf(message)).toContain('*Failed*');

    const otherJob = d.completedJob();
    const other = await d.requestDeploy(otherJob);
    expect((await h.command(`deploy ${otherJob}`, 'U0BOB')).text).toContain(
      `deploy request \`${other.id}\` for \`${otherJob}\` is already waiting for approval`,
    );
    const stale = structuredClone(other.message); // as a client that has not refreshed it still shows it
    expect((await h.click(other.message, CANCEL_ACTION_ID, 'U0MALLORY'))?.text).toContain(
      'only the person who asked for it or an approver',
    );
    await h.click(other.message, CANCEL_ACTION_ID, 'U0ALICE', 300);
    await waitFor(() => h.textOf(other.message).includes('*Cancelled* by <@U0ALICE>'), {
      what: 'the cancelled message',
    });
    const before = hosting.calls.length;
    expect((await h.click(stale, APPROVE_ACTION_ID, 'U0CAROL'))?.text).toContain('it was cancelled by <@U0ALICE>');
    expect(hosting.calls.length).toBe(before);
  }, 40_000);

  it('creates once when the bot stops between approval and creation, and when an answer is lost', async () => {
    // SageMaker times out on CreateModel; the bot stops before the retry; the next start creates, once.
    const first = await d.requestDeploy(d.completedJob());
    hosting.failNext('CreateModel', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }));
    await h.click(first.message, APPROVE_ACTION_ID, 'U0CAROL', 300);
    await waitFor(() => h.logEntries().some((e) => e.msg === 'endpoint creation failed; retrying'), {
      what: 'the failed create',
    });
    const name = `logtune-${first.id}`;
    expect(hosting.exists('endpoint', name)).toBe(false);
    await d.restart();
    await waitFor(() => replies(first.message).some((t) => t.includes('created; SageMaker is starting it')), {
      what: 'the creates after the restart',
    });
    expect([
      hosting.count('CreateModel', name),
      hosting.count('CreateEndpointConfig', name),
      hosting.count('CreateEndpoint', name),
    ]).toEqual([2, 1, 1]);

    // CreateEndpoint succeeds but its answer is lost: the retry finds all three and follows the one endpoint.
    const second = await d.requestDeploy(d.completedJob());
    hosting.loseCreateEndpointAnswer = true;
    await h.click(second.message, APPROVE_ACTION_ID, 'U0DAVE', 300);
    await waitFor(() => h.logEntries().filter((e) => e.msg === 'endpoint creation failed; retrying').length === 2, {
      what: 'the lost answer',
    });
    h.clock.advance(POLL_MS);
    await waitFor(
      () => replies(second.message).some((t) => t.includes('already existed (an earlier attempt created them)')),
      { what: 'the retried create' },
    );
    const secondName = `logtune-${second.id}`;
    expect([hosting.count('CreateModel', secondName), hosting.count('CreateEndpoint', secondName)]).toEqual([2, 2]);
    for (let i = 0; i < 3; i++) await d.tick();
    expect(replies(second.message).filter((t) => t.includes('InService'))).toHaveLength(1);
    expect(replies(second.message).filter((t) => t.includes(':rocket:'))).toHaveLength(1);
  }, 40_000);

  it('warns about an unused endpoint with Keep, keeps it, withdraws a warning a use made moot, and removes it after the grace period', async () => {
    const { message, name } = await d.deployed();
    const keepButton = () => h.threadOf(message).find((m) => JSON.stringify(m.blocks).includes(KEEP_ACTION_ID));
    await d.tick(23 * HOUR_MS);
    expect(keepButton()).toBeUndefined();
    await d.tick(HOUR_MS);
    const warning = await waitFor(keepButton, { what: 'the idle warning' });
    expect(String(warning.text)).toContain(`\`${name}\` has had no classification for 24 h and costs $36.36/day`);
    expect(h.textOf(message)).toContain('unless someone clicks Keep');

    // Keep: a stranger is refused privately; the deployer keeps it, and the grace period passes without a removal.
    expect((await h.click(warning, KEEP_ACTION_ID, 'U0MALLORY'))?.text).toContain(
      'only the person who asked for it or an approver',
    );
    await h.click(warning, KEEP_ACTION_ID, 'U0ALICE', 300);
    await waitFor(() => replies(message).some((t) => t.includes('Kept by <@U0ALICE>')), { what: 'the kept reply' });
    expect(JSON.stringify(warning.blocks)).not.toContain(KEEP_ACTION_ID);
    await d.tick(3 * HOUR_MS);
    expect(d.deletes(name)).toEqual([0, 0, 0]);

    // Warned again a day later; a classification meanwhile withdraws the warning.
    await d.tick(21 * HOUR_MS);
    const second = await waitFor(
      () =>
        h
          .threadOf(message)
          .filter((m) => JSON.stringify(m.blocks).includes(KEEP_ACTION_ID))
          .at(-1),
      { what: 'the second warning' },
    );
    d.feature().endpoints.used(name, new Date(h.clock.now()));
    await d.tick(3 * HOUR_MS);
    expect(String(JSON.stringify(second.blocks))).toContain('Used again since');
    expect(d.deletes(name)).toEqual([0, 0, 0]);

    // Then unused for good: warned, and removed after the grace period (endpoint, config, model).
    await d.tick(24 * HOUR_MS);
    await waitFor(
      () => h.threadOf(message).filter((m) => JSON.stringify(m.blocks).includes(KEEP_ACTION_ID)).length === 1,
      { what: 'the third warning' },
    );
    await d.tick(2 * HOUR_MS);
    await waitFor(() => d.deletes(name).every((n) => n === 1), { what: 'the removal' });
    expect(replies(message).at(-1)).toMatch(
      /Removed after 26 h without a classification or a Keep: endpoint, endpoint config and model deleted\. It cost \$[\d.,]+ in all/,
    );
    expect(h.textOf(message)).toContain('*Removed* for being unused');
    expect(h.threadOf(message).some((m) => JSON.stringify(m.blocks).includes(KEEP_ACTION_ID))).toBe(false);
    expect(d.feature().endpoints.current()?.endpointName).not.toBe(name);
  }, 40_000);

  it('undeploys for the deployer, not for a stranger; status shows cost per day and so far', async () => {
    const { message, name, createdAt } = await d.deployed();
    await d.tick(10 * HOUR_MS);
    const status = JSON.stringify((await h.command('status')).blocks);
    const hours = (h.clock.now() - createdAt) / HOUR_MS;
    expect(status).toContain(
      `:large_green_circle: *in service* · \`${name}\` · \`ml.g5.2xlarge\` · $36.36/day · $${(PRICE * hours).toFixed(2)} so far`,
    );

    expect((await h.command(`undeploy ${name}`, 'U0MALLORY')).text).toContain(
      'only the person who asked for it or an approver',
    );
    expect(d.deletes(name)).toEqual([0, 0, 0]);
    expect((await h.command(`undeploy ${name}`, 'U0ALICE')).text).toContain(
      `Removed \`${name}\`: endpoint, endpoint config and model deleted`,
    );
    expect(d.deletes(name)).toEqual([1, 1, 1]);
    expect(replies(message).at(-1)).toMatch(
      /Removed by <@U0ALICE>: endpoint, endpoint config and model deleted\. It cost \$[\d.]+ in all/,
    );
    await waitFor(() => h.textOf(message).includes('*Removed* by <@U0ALICE>'), { what: 'the removed message' });
    expect((await h.command(`undeploy ${name}`, 'U0ALICE')).text).toContain('was already removed');
    expect(JSON.stringify((await h.command('status')).blocks)).toMatch(
      new RegExp(`\\*removed\\* · \`${name}\` · \`ml.g5.2xlarge\` · \\$[\\d.]+ so far`),
    );

    // Someone else's endpoint (no logtune tag) is refused even to an approver.
    hosting.addForeignEndpoint('logtune-not-ours');
    expect((await h.command('undeploy logtune-not-ours', 'U0CAROL')).text).toContain('logtune did not deploy it');
    expect(hosting.exists('endpoint', 'logtune-not-ours')).toBe(true);
  }, 40_000);

  it('with no hook injected, evaluates the endpoint once it is InService and posts the report in its thread', async () => {
    const datasetId = 'ds-deploy-eval';
    const example = (path: string, label: string) => ({
      context: JSON.stringify({ 'cs-method': 'GET', 'cs-uri-stem': path }),
      label,
    });
    const examples = [
      ...Array.from({ length: 6 }, (_, i) => example(`/page/${i}`, 'benign')),
      ...Array.from({ length: 4 }, (_, i) => example(`/wp-admin/${i}`, 'suspicious')),
    ];
    await writeDatasetFiles(new S3Store(h.s3.client, BUCKET, `artifacts/datasets/${datasetId}/`), {
      id: datasetId,
      train: examples,
      validation: examples,
    });
    const runtimeClient = new SageMakerRuntimeClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    });
    const runtime = mockClient(runtimeClient);
    runtime.on(InvokeEndpointCommand).callsFake((input: InvokeEndpointCommandInput) => {
      const prompt = (JSON.parse(new TextDecoder().decode(input.Body as Uint8Array)) as { inputs: string }).inputs;
      return {
        Body: new TextEncoder().encode(
          JSON.stringify([
            { generated_text: ` ${responseFor(prompt.includes('wp-admin') ? 'suspicious' : 'benign')}` },
          ]),
        ) as never,
      };
    });
    await d.restart(runtimeClient);
    try {
      const { message, name } = await d.deployed(d.completedJob(datasetId));
      const report = await waitFor(
        () => h.threadOf(message).find((m) => blockText(m).includes(`Evaluation of \`${name}\``)),
        { what: 'the evaluation report' },
      );
      expect(blockText(report)).toMatch(
        new RegExp(`on 10 of 10 validation examples of \`${datasetId}\`: macro-F1 1\\.00`),
      );
      expect(runtime.commandCalls(InvokeEndpointCommand).every((c) => c.args[0].input.EndpointName === name)).toBe(
        true,
      );
      await d.tick();
      expect(h.threadOf(message).filter((m) => blockText(m).includes('Evaluation of'))).toHaveLength(1);
    } finally {
      await d.restart();
    }
  }, 40_000);
});
