import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.ts';
import type { Feature } from '../feature.ts';
import { commandsOf } from '../router.ts';
import { actionListener } from './action.ts';
import { commandListener } from './command.ts';
import { dedupeEvents } from './dedupe.ts';
import { mentionListener, messageListener } from './message.ts';

/** The one place Bolt's listeners are wired, all from the feature registry; de-duplication first (it is global). */
export function registerListeners(app: App, features: readonly Feature[], deps: SlackDeps): void {
  app.use(dedupeEvents(deps));
  app.command(deps.command, commandListener(commandsOf(features, deps.command), deps));
  const seen = new Set<string>();
  for (const action of features.flatMap((f) => f.actions)) {
    if (seen.has(action.actionId)) throw new Error(`two features register the button ${action.actionId}`);
    seen.add(action.actionId);
    app.action(action.actionId, actionListener(action, deps));
  }
  app.message(messageListener(features, deps));
  app.event('app_mention', mentionListener(features, deps));
}
