import type { ActionSpec } from '../feature.ts';
import type { Messenger } from '../messenger.ts';

export interface ClickOrigin {
  readonly value: string;
  readonly channelId: string | undefined;
  readonly messageTs: string | undefined;
  /** The workspace the click came from (`team.id`, or `user.team_id`). */
  readonly teamId: string | undefined;
}

/**
 * Whether a click came from a message that carries this button for this value: the message posted for one of the
 * action's keys, in the channel it was posted in, in the bot's own workspace. Slack sends the clicked message's
 * channel and ts with every block action (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload);
 * a value copied onto another message, channel or workspace does not match what logtune recorded when it posted.
 */
export function clickMatchesOrigin(
  spec: Pick<ActionSpec, 'postedOn'>,
  click: ClickOrigin,
  messages: Pick<Messenger, 'placeOf'>,
  botTeamId: string | undefined,
): boolean {
  if (botTeamId !== undefined && click.teamId !== botTeamId) return false;
  if (click.channelId === undefined || click.messageTs === undefined) return false;
  return spec
    .postedOn(click.value)
    .map((key) => messages.placeOf(key))
    .some((place) => place !== undefined && place.channel === click.channelId && place.ts === click.messageTs);
}
