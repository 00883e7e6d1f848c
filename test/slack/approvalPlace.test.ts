import { afterEach, describe, expect, it } from 'vitest';
import { approvalPlace } from '../../src/slack/approvalPlace.ts';
import { commandsOf, routeCommand } from '../../src/slack/router.ts';
import type { TrainingFeature } from '../../src/features/training/index.ts';
import { createHarness, settle, type Harness } from './harness.ts';

/** Approval requests go where approvers are: LOGTUNE_APPROVALS_CHANNEL, else the channel asked in, never a DM. */
let h: Harness | undefined;
afterEach(() => {
  h?.close();
});

async function ask(harness: Harness, text: string, channelId: string) {
  const reply = await routeCommand(
    { text, userId: 'U0ALICE', channelId, notify: async () => undefined },
    commandsOf(harness.features),
    harness.log,
  );
  await settle();
  return reply.text;
}

describe('approval place', () => {
  it('refuses a training or deploy request asked in a DM when there is no approvals channel, saying how to ask', async () => {
    h = createHarness();
    const train = await ask(h, 'train april-may', 'D0ALICE');
    expect(train).toContain('approvers cannot see a direct message');
    expect(train).toContain('/invite @logtune');
    expect(train).toContain('LOGTUNE_APPROVALS_CHANNEL');
    expect((h.training as TrainingFeature).requests.listRecent(5)).toHaveLength(0);
    expect(h.builder.calls).toHaveLength(0);
    expect(await ask(h, 'deploy logtune-ft-x', 'D0ALICE')).toContain('approvers cannot see a direct message');
  });

  it('posts every request in the approvals channel when it is set, from a DM or another channel, and says where', () => {
    expect(approvalPlace('D0ALICE', 'C0APPROVE', 'train')).toEqual({ channel: 'C0APPROVE', where: 'in <#C0APPROVE>' });
    expect(approvalPlace('C0OPS', 'C0APPROVE', 'deploy').channel).toBe('C0APPROVE');
    expect(approvalPlace('C0APPROVE', 'C0APPROVE', 'train').where).toBe('in this channel');
    expect(approvalPlace('C0OPS', undefined, 'train')).toEqual({ channel: 'C0OPS', where: 'in this channel' });
  });
});
