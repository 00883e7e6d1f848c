import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_BOT_SCOPES } from '../../../src/doctor/manifestScopes.ts';
import { startBotHarness, type BotHarness } from '../../helpers/botHarness.ts';
import { readyDoctorAws } from '../../helpers/fakeDoctorAws.ts';
import { FakeTrainingAws } from '../../helpers/fakeTrainingAws.ts';

/** `/logtune doctor` over signed HTTP: acked at once with an empty body, answered privately through response_url. */
const BUCKET = 'logtune-doctor-e2e';
let h: BotHarness;
const doctor = readyDoctorAws();

beforeAll(async () => {
  h = await startBotHarness({
    buckets: [BUCKET],
    env: {
      LOGTUNE_APPROVERS: 'U0CAROL,U0DAVE',
      LOGTUNE_APPROVALS_CHANNEL: 'C0APPROVALS',
      LOGTUNE_TRIAGE_CHANNELS: 'C0TRIAGE',
      LOGTUNE_LOGS_URI: `s3://${BUCKET}/logs/`,
      LOGTUNE_ARTIFACTS_URI: `s3://${BUCKET}/artifacts/`,
      LOGTUNE_SAGEMAKER_ROLE_ARN: 'arn:aws:iam::111122223333:role/logtune-training',
    },
  });
  h.fake.setScopes(MANIFEST_BOT_SCOPES);
  h.fake.addUser('U0CAROL');
  await h.start({ aws: { training: new FakeTrainingAws(), doctor: doctor.aws } });
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('/logtune doctor', () => {
  it('answers only the asker, one line per check with the fix, the Slack ones included', async () => {
    h.fake.setChannel('C0TRIAGE', 'not_in_channel');
    const answer = await h.command('doctor');
    const response = h.fake.responses.at(-1)!.body;
    expect(response.response_type).toBe('ephemeral');
    const text = JSON.stringify(answer.blocks);
    for (const name of ['AWS identity', 'execution role', 'iam:PassRole', 'training quota', 'Slack scopes'])
      expect(text).toContain(`✓ ${name}`);
    // An empty logs folder, the bot missing from the triage channel, an approver who is no user: each a ✗ with its fix.
    expect(text).toContain('✗ logs location');
    expect(text).toContain('✗ Slack channels: C0TRIAGE (LOGTUNE_TRIAGE_CHANNELS): the bot is not a member');
    expect(text).toContain('✗ approvers: U0DAVE is no user of this workspace');
    expect(answer.text).toMatch(/^logtune doctor: \d ✗ to fix/);
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('takes no arguments', async () => {
    expect((await h.command('doctor now')).text).toContain('`doctor` takes no arguments');
  });
});
