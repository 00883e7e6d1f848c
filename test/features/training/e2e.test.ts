import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requestKey } from '../../../src/features/training/context.ts';
import {
  APPROVE_ACTION_ID,
  CANCEL_REQUEST_ACTION_ID,
  STOP_JOB_ACTION_ID,
} from '../../../src/features/training/blocks/request.ts';
import type { TrainingFeature } from '../../../src/features/training/index.ts';
import type { BotHarness } from '../../helpers/botHarness.ts';
import { startTrainingHarness, tickTrackers } from '../../helpers/trainingHarness.ts';
import { FakeTrainingAws } from '../../helpers/fakeTrainingAws.ts';
import type { StoredMessage } from '../../helpers/fakeSlack.ts';
import { waitFor } from '../../slack/support.ts';

/**
 * `/logtune train` end to end: the bot over signed HTTP, a local fake Slack, the logs and datasets in s3rver, SageMaker
 * and Pricing faked in memory (FakeTrainingAws, recorded DescribeTrainingJob sequences), time on a manual clock.
 */
const BUCKET = 'logtune-train-e2e';
const POLL_MS = 60_000;
let h: BotHarness;
let aws: FakeTrainingAws;
let rangeText: string;

const idFrom = (text: string) => /`(tr-[^`]+)`/.exec(text)![1]!;
const requestMessage = (id: string) => waitFor(() => h.posted(requestKey(id))[0], { what: `the message of ${id}` });
const replies = (root: StoredMessage) => h.threadOf(root).map((m) => String(m.text));

async function requestAndWaitForEstimate(
  text: string,
  userId = 'U0ALICE',
): Promise<{ id: string; message: StoredMessage }> {
  const answer = await h.command(text, userId);
  const id = idFrom(answer.text);
  const message = await requestMessage(id);
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
  aws = new FakeTrainingAws();
  await h.start({ aws: { training: aws } });
}, 30_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  aws.pricingDown = false;
});

describe('/logtune train', () => {
  it('answers bad input privately with the usage and starts nothing', async () => {
    const before = { posts: h.fake.callsOf('chat.postMessage').length, requests: aws.creates.length };
    for (const [text, problem] of [
      ['train', 'a date range is required'],
      ['train feb-30', '"feb-30" is not a date'],
      ['train 2999-01-01..2999-01-03', 'in the future'],
      [`train ${rangeText} gpus=8`, 'unknown option "gpus="'],
      [`train ${rangeText} budget=0`, 'budget= takes a positive dollar amount'],
      [`train ${rangeText} budget=-5`, 'budget= takes a positive dollar amount'],
      [`train ${rangeText} instance=ml.t3.micro`, 'not a supported training instance type'],
    ] as const) {
      const answer = await h.command(text);
      expect(answer.text, text).toContain(problem);
      expect(answer.text, text).toContain(
        'Usage: `/logtune train &lt;range&gt; [instance=TYPE] [epochs=N] [budget=USD]`',
      );
    }
    expect(h.fake.callsOf('chat.postMessage').length).toBe(before.posts);
    expect(aws.creates.length).toBe(before.requests);
    expect((await h.command('status')).text).toContain('Training: No training requests yet');
  });

  it('builds the dataset, posts the estimate for approval, refuses the wrong people, launches once, and follows the job to the end', async () => {
    const answer = await h.command(`train ${rangeText} epochs=2`);
    expect(answer.text).toMatch(/Training request `tr-[^`]+`: building dataset `ds-[^`]+` first/);
    const id = idFrom(answer.text);
    const message = await requestMessage(id);
    expect(message.thread_ts).toBeUndefined();
    const shown = h.textOf(message);
    for (const fact of [
      'Fine-tune Llama 2 7B on',
      'asked by <@U0ALICE>',
      'examples per label',
      'Llama 2 tokens × 2 epochs',
      '`ml.g5.12xlarge`',
      '*Estimate:*',
      '*Cap:*',
      'SageMaker stops the job after',
      // The cap's promise in words: a stopped job saves nothing, so the cap leaves room over the high end.
      'a job SageMaker stops at the cap leaves nothing to deploy',
      "The cap leaves 20% over the estimate's high end",
      'AWS Pricing API',
      'cheapest',
      'Waiting for approval* by <@U0CAROL>, <@U0DAVE>',
      '*Bar to clear:* the free baseline scores macro-F1',
      // The workspace's first approval: the licence that approving accepts, with its link.
      "accepts Meta's Llama 2 Community License on the AWS account's behalf",
      '<https://ai.meta.com/llama/license/|Llama 2 Community License>',
    ]) {
      expect(shown).toContain(fact);
    }
    const capText = /Approve (\$[\d,.]+)/.exec(JSON.stringify(message.blocks))![1]!;
    const cap = Number(capText.replace(/[$,]/g, ''));

    // Not an approver: refused privately, the message keeps its buttons, nothing is created.
    const updates = h.updatesOf(message).length;
    expect((await h.click(message, APPROVE_ACTION_ID, 'U0MALLORY'))?.text).toContain(
      'only the approvers named in LOGTUNE_APPROVERS may approve spending',
    );
    expect((await h.click(message, APPROVE_ACTION_ID, 'U0ALICE'))?.text).toContain(
      'only the approvers named in LOGTUNE_APPROVERS',
    );
    expect(h.updatesOf(message).length).toBe(updates);
    expect(aws.creates).toHaveLength(0);

    // Two approvers click at the same moment: one job.
    aws.willRun('training-completed.json');
    const [carol, dave] = await Promise.all([
      h.click(message, APPROVE_ACTION_ID, 'U0CAROL', 1500),
      h.click(message, APPROVE_ACTION_ID, 'U0DAVE', 1500),
    ]);
    const refusal = [carol, dave].find((a) => a !== undefined);
    expect(refusal?.text).toMatch(/already approved by <@U0(CAROL|DAVE)>/);
    await waitFor(
      () => aws.creates.length === 1 && h.bot!.trackers.snapshotOf('training-job', aws.creates[0]!.TrainingJobName!),
      { what: 'the launch' },
    );
    await tick(0);
    expect(aws.creates).toHaveLength(1);
    const input = aws.creates[0]!;
    expect(input.TrainingJobName).toMatch(/^logtune-ft-tr-/);
    // The cap check: what SageMaker can bill before it stops the job is within the dollars shown.
    expect((7.09 * 1 * input.StoppingCondition!.MaxRuntimeInSeconds!) / 3600).toBeLessThanOrEqual(cap);
    expect(input.HyperParameters?.epoch).toBe('"2"');
    expect(input.InputDataConfig?.map((c) => c.DataSource?.S3DataSource?.S3Uri)).toEqual([
      expect.stringMatching(new RegExp(`^s3://${BUCKET}/artifacts/datasets/ds-[^/]+/train/$`)),
      expect.stringMatching(/\/validation\/$/),
      expect.stringMatching(/sourcedir\.tar\.gz$/),
    ]);
    expect(input.Tags).toEqual(expect.arrayContaining([{ Key: 'logtune:requested-by', Value: 'U0ALICE' }]));

    // The job's life, one poll per interval: each status once, in order, then the result.
    for (let i = 0; i < 8; i++) await tick();
    const thread = replies(message);
    expect(thread[0]).toMatch(/Approved by <@U0(CAROL|DAVE)> at .* UTC: up to \$/);
    expect(thread[1]).toContain('Training job `logtune-ft-tr-');
    const statuses = thread
      .filter((t) => t.startsWith(':arrow_forward:'))
      .map((t) => /\*?(\w+)\*?/.exec(t.replace(':arrow_forward: ', ''))![1]);
    expect(statuses).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    const result = thread.at(-1)!;
    expect(result).toContain('Completed in');
    expect(result).toMatch(/billed × 1, \$[\d.]+ \(estimate \$[\d.]+, cap \$[\d.]+\)/);
    expect(result).toContain('s3://logtune-artifacts/models/');
    expect(result).toContain('eval-loss');
    const final = h.textOf(message);
    expect(final).toContain('*Completed* (Completed)');
    expect(final).toMatch(/elapsed · \$[\d.]+ so far of the \$[\d.,]+ cap/);
    expect(JSON.stringify(message.blocks)).not.toContain(APPROVE_ACTION_ID);
    expect(JSON.stringify(message.blocks)).not.toContain(STOP_JOB_ACTION_ID);
    const status = await h.command('status');
    expect(JSON.stringify(status.blocks)).toMatch(
      /:white_check_mark: \*Completed\* · `logtune-ft-tr-[^`]+` · .* · \$[\d.]+ so far/,
    );
    expect(h.posted(requestKey(id))).toHaveLength(1);
  }, 40_000);

  it('refuses self-approval, expired requests and approvals over the monthly budget; Cancel closes a request for good', async () => {
    // An approver asking for themselves needs another approver.
    const asked = await h.command(`train ${rangeText}`, 'U0CAROL');
    expect(asked.text).toMatch(/reusing dataset `ds-/);
    const own = { message: await requestMessage(idFrom(asked.text)) };
    // Once a fine-tune was approved here, later approvals no longer repeat the licence.
    expect(h.textOf(own.message)).not.toContain('Llama 2 Community License');
    expect((await h.click(own.message, APPROVE_ACTION_ID, 'U0CAROL'))?.text).toContain(
      'another approver has to approve it',
    );

    // Cancel by someone else is refused; by the requester it closes the request, and a later Approve starts nothing.
    expect((await h.click(own.message, CANCEL_REQUEST_ACTION_ID, 'U0MALLORY'))?.text).toContain(
      'only the person who asked for it or an approver',
    );
    await h.click(own.message, CANCEL_REQUEST_ACTION_ID, 'U0CAROL', 500);
    await waitFor(() => h.textOf(own.message).includes('*Cancelled* by <@U0CAROL>'), { what: 'the cancelled message' });
    expect(replies(own.message).at(-1)).toContain('Cancelled by <@U0CAROL>');
    expect(JSON.stringify(own.message.blocks)).not.toContain(APPROVE_ACTION_ID);
    const creates = aws.creates.length;

    // Past its time to live a request cannot be approved; the sweep also marks it.
    const stale = await requestAndWaitForEstimate(`train ${rangeText} epochs=1`);
    h.clock.advance(25 * 3600_000);
    expect((await h.click(stale.message, APPROVE_ACTION_ID, 'U0DAVE'))?.text).toContain('it has expired');
    await waitFor(() => h.textOf(stale.message).includes('*Expired*'), { what: 'the expired message' });
    expect(aws.creates.length).toBe(creates);
  }, 40_000);

  it('keeps a month within LOGTUNE_MONTHLY_BUDGET_USD', async () => {
    await h.stop();
    await h.start({ aws: { training: aws } }, { LOGTUNE_MONTHLY_BUDGET_USD: '1' });
    const { message } = await requestAndWaitForEstimate(`train ${rangeText} epochs=3`);
    expect((await h.click(message, APPROVE_ACTION_ID, 'U0DAVE'))?.text).toMatch(
      /would take this month's approved caps to \$[\d,.]+, over LOGTUNE_MONTHLY_BUDGET_USD \(\$1\.00; \$[\d,.]+ approved so far\)/,
    );
    expect(JSON.stringify(message.blocks)).toContain(APPROVE_ACTION_ID);
    await h.stop();
    await h.start({ aws: { training: aws } });
  }, 40_000);

  it('quotes from the dated snapshot when the Pricing API cannot be reached and nothing is cached', async () => {
    // A fresh database: no price cached (an older cached answer would be preferred to the snapshot).
    await h.stop();
    await h.start({ aws: { training: aws } }, { LOGTUNE_DB: `${h.env.LOGTUNE_DB}.fresh` });
    aws.pricingDown = true;
    const { message } = await requestAndWaitForEstimate(`train ${rangeText} instance=ml.g5.24xlarge`);
    expect(h.textOf(message)).toMatch(
      /\*Price:\* \$10\.18\/h per instance — bundled price snapshot dated 2023-2026 \(the Pricing API did not answer: connect ECONNREFUSED/,
    );
    await h.stop();
    await h.start({ aws: { training: aws } });
  }, 40_000);

  it('after a restart in the middle of a job, posts the statuses it missed once, and reports a failure with its reason', async () => {
    const { message } = await requestAndWaitForEstimate(`train ${rangeText} epochs=4`);
    aws.willRun('training-failed.json');
    await h.click(message, APPROVE_ACTION_ID, 'U0CAROL', 500);
    await waitFor(() => replies(message).some((t) => t.includes(':arrow_forward:')), { what: 'the first status' });
    const seenBefore = replies(message).filter((t) => t.startsWith(':arrow_forward:'));
    await h.stop();
    // While the bot is down the job moves on (the fixture advances on every describe: two polls happen "meanwhile").
    const jobName = aws.creates.at(-1)!.TrainingJobName!;
    await aws.jobs.describe(jobName);
    await aws.jobs.describe(jobName);
    await h.start({ aws: { training: aws } });
    for (let i = 0; i < 6; i++) await tick();
    const thread = replies(message);
    const statuses = thread.filter((t) => t.startsWith(':arrow_forward:'));
    expect(statuses.slice(0, seenBefore.length)).toEqual(seenBefore);
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(statuses.map((s) => /^:arrow_forward: (\w+)/.exec(s)![1])).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Failed',
    ]);
    expect(thread.at(-1)).toContain('Failed');
    expect(thread.at(-1)).toContain('CUDA out of memory');
    expect(h.fake.messages.filter((m) => m.ts === message.ts)).toHaveLength(1);
  }, 40_000);

  it('starts one job however the launch is interrupted: a lost answer, a stop between approval and creation', async () => {
    const { message } = await requestAndWaitForEstimate(`train ${rangeText} epochs=6`);
    // SageMaker creates the job but its answer never arrives: the retry finds the job instead of making another.
    aws.loseCreateAnswer = true;
    const creates = aws.creates.length;
    await h.click(message, APPROVE_ACTION_ID, 'U0DAVE', 500);
    await waitFor(() => aws.creates.length === creates + 1, { what: 'the first create' });
    expect(replies(message).some((t) => t.includes('Training job'))).toBe(false);
    h.clock.advance(60_000);
    await waitFor(() => replies(message).some((t) => t.includes('already existed (an earlier attempt created it)')), {
      what: 'the retried launch',
    });
    const name = aws.creates.at(-1)!.TrainingJobName!;
    expect(aws.creates.slice(creates).map((c) => c.TrainingJobName)).toEqual([name, name]);

    // Approved, then the bot stops before SageMaker answers: the next start launches it, once.
    const second = await requestAndWaitForEstimate(`train ${rangeText} epochs=7`);
    aws.failCreate.push(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }));
    await h.click(second.message, APPROVE_ACTION_ID, 'U0CAROL', 500);
    await waitFor(() => h.logEntries().some((e) => e.msg === 'training launch failed; retrying'), {
      what: 'the failed launch',
    });
    const before = aws.creates.length;
    await h.stop();
    await h.start({ aws: { training: aws } });
    await waitFor(() => replies(second.message).some((t) => t.includes('Training job')), {
      what: 'the launch after the restart',
    });
    expect(aws.creates.length).toBe(before + 1);
    expect(replies(second.message).filter((t) => t.includes('Training job'))).toHaveLength(1);
  }, 40_000);

  it('stops a running job from its Cancel button or /logtune cancel, for the requester or an approver only', async () => {
    const { message } = await requestAndWaitForEstimate(`train ${rangeText} epochs=5`);
    aws.willRun('training-stopped.json');
    await h.click(message, APPROVE_ACTION_ID, 'U0DAVE', 500);
    await waitFor(() => JSON.stringify(message.blocks).includes(STOP_JOB_ACTION_ID), {
      what: 'the Cancel training button',
    });
    const jobName = aws.creates.at(-1)!.TrainingJobName!;
    expect((await h.command(`cancel ${jobName}`, 'U0MALLORY')).text).toContain(
      'only the person who asked for it or an approver',
    );
    expect(aws.stops).not.toContain(jobName);
    expect((await h.click(message, STOP_JOB_ACTION_ID, 'U0ALICE'))?.text).toContain(`Stopping \`${jobName}\``);
    expect(aws.stops).toContain(jobName);
    await waitFor(() => replies(message).some((t) => t.includes('asked SageMaker to stop the job')), {
      what: 'the stop note',
    });
    for (let i = 0; i < 6; i++) await tick();
    expect(replies(message).at(-1)).toMatch(/Stopped (on request|by SageMaker at the approved cap): .* billed × 1/);
  }, 40_000);

  it('a thread reply Slack refuses for good is given up: later statuses are still reported and polling ends', async () => {
    const { message } = await requestAndWaitForEstimate(`train ${rangeText} epochs=8`);
    aws.willRun('training-completed.json');
    const downloading = (a: Record<string, unknown>) =>
      a.thread_ts === message.ts && String(a.text).startsWith(':arrow_forward: Downloading');
    const allow = h.fake.refuseMatching('chat.postMessage', 'msg_too_long', downloading);
    try {
      await h.click(message, APPROVE_ACTION_ID, 'U0CAROL', 500);
      await waitFor(() => replies(message).some((t) => t.includes('Training job')), { what: 'the launch' });
      const jobName = aws.creates.at(-1)!.TrainingJobName!;
      for (let i = 0; i < 20 && !replies(message).some((t) => t.includes('Completed in')); i++) await tick();
      const statuses = replies(message)
        .filter((t) => t.startsWith(':arrow_forward:'))
        .map((t) => /^:arrow_forward: \*?(\w+)/.exec(t)![1]);
      expect(statuses).toEqual(['Starting', 'Training', 'Uploading', 'Completed']);
      expect(h.logEntries().find((e) => e.msg === 'gave up reporting a change; tracking goes on')).toMatchObject({
        id: jobName,
        attempts: 5,
      });
      // Bounded: five refusals, not one a poll for ever.
      expect(h.fake.callsOf('chat.postMessage').filter((c) => downloading(c.args))).toHaveLength(5);
      await waitFor(() => h.logEntries().some((e) => e.msg === 'tracked resource ended' && e.id === jobName), {
        what: 'the end of tracking',
      });
      const polls = aws.pollsOf(jobName);
      for (let i = 0; i < 3; i++) await tick();
      expect(aws.pollsOf(jobName)).toBe(polls);
    } finally {
      allow();
    }
  }, 60_000);

  it('an approval message Slack refuses closes the request and tells the requester privately how to fix it', async () => {
    h.fake.setChannel('C0NOBOT', 'not_in_channel');
    const answer = await h.command(`train ${rangeText} epochs=9`, 'U0ALICE', 'C0NOBOT');
    const id = idFrom(answer.text);
    const note = await waitFor(
      () => h.fake.messages.find((m) => m.channel === 'U0ALICE' && String(m.text).includes(id)),
      { what: 'the private note' },
    );
    expect(String(note.text)).toContain('was not posted for approval: logtune is not a member of <#C0NOBOT>');
    expect(String(note.text)).toContain('`/invite @logtune`');
    const closed = (h.bot!.features.find((f) => f.name === 'training') as TrainingFeature).requests.get(id)!;
    expect(closed.state).toBe('failed');
    expect(h.posted(requestKey(id))).toHaveLength(0);
    h.fake.setChannel('C0NOBOT', 'member');
    const again = await h.command(`train ${rangeText} epochs=9`, 'U0ALICE', 'C0NOBOT');
    expect((await requestMessage(idFrom(again.text))).channel).toBe('C0NOBOT');
  }, 40_000);
});
