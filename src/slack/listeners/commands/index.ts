import type { App } from '@slack/bolt';
import { COMMAND } from '../../commands/catalog.ts';
import type { SlackDeps } from '../../deps.ts';
import { logtuneCommand } from './logtune.ts';

export function register(app: App, deps: SlackDeps): void {
  app.command(COMMAND, logtuneCommand(deps));
}
