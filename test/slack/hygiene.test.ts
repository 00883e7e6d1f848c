import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/slack/hygiene.ts';

const self = { botId: 'B0BOT', botUserId: 'U0BOT' };
const human = {
  type: 'message',
  channel: 'C1',
  channel_type: 'channel',
  user: 'U0ALICE',
  text: 'GET /wp-admin 404',
  ts: '1.000100',
};

describe('checkMessage', () => {
  it("accepts a person's new message and replies in its thread (or starts one)", () => {
    expect(checkMessage(human, self)).toEqual({
      accept: true,
      channel: 'C1',
      channelType: 'channel',
      ts: '1.000100',
      user: 'U0ALICE',
      text: 'GET /wp-admin 404',
      threadTs: '1.000100',
      files: [],
    });
    expect(checkMessage({ ...human, thread_ts: '0.5' }, self)).toMatchObject({ accept: true, threadTs: '0.5' });
    // A reply also sent to the channel is a new message too; it is answered in its thread.
    expect(checkMessage({ ...human, subtype: 'thread_broadcast', thread_ts: '0.5' }, self)).toMatchObject({
      accept: true,
      threadTs: '0.5',
    });
    const file = { id: 'F1', name: 'access.log', mimetype: 'text/plain', size: 10 };
    expect(checkMessage({ ...human, subtype: 'file_share', text: '', files: [file] }, self)).toMatchObject({
      accept: true,
      files: [file],
    });
  });

  it.each([
    ['our own bot_id', { ...human, bot_id: 'B0BOT' }, 'self'],
    ['our own user', { ...human, user: 'U0BOT' }, 'self'],
    ['another bot without subtype', { ...human, bot_id: 'B0OTHER' }, 'bot'],
    ['a bot_profile only', { ...human, bot_profile: { id: 'B0OTHER' } }, 'bot'],
    ['bot_message subtype', { ...human, subtype: 'bot_message', bot_id: 'B0OTHER' }, 'bot'],
    ['an edit', { ...human, subtype: 'message_changed', hidden: true }, 'subtype'],
    ['a delete', { ...human, subtype: 'message_deleted', hidden: true }, 'subtype'],
    ['a join', { ...human, subtype: 'channel_join' }, 'subtype'],
    ['a hidden message', { ...human, hidden: true }, 'hidden'],
    ['no user', { ...human, user: undefined }, 'incomplete'],
    ['empty text', { ...human, text: '   ' }, 'empty'],
    ['a payload of the wrong shape', { ...human, text: 42 }, 'malformed'],
    ['no payload at all', null, 'malformed'],
  ])('ignores %s', (_name, message, reason) => {
    expect(checkMessage(message, self)).toEqual({ accept: false, reason });
  });
});
