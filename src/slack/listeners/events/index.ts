import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import { dedupeEvents } from './dedupe.ts';
import { messageReceived } from './message.ts';

export function register(app: App, deps: SlackDeps): void {
  app.use(dedupeEvents(deps));
  app.message(messageReceived(deps));
}
