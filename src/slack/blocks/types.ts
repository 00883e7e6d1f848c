import type { types } from '@slack/bolt';

export type KnownBlock = types.KnownBlock;
export type Button = types.Button;

/** What a message builder returns: blocks plus the plain `text` Slack shows in notifications and screen readers. */
export interface MessageContent {
  readonly text: string;
  readonly blocks: readonly KnownBlock[];
}
