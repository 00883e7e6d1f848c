import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { CANCEL_ACTION_ID } from '../../blocks/buildRoot.ts';
import type { SlackDeps } from '../../deps.ts';
import { cancelBuild } from './cancelBuild.ts';

export function register(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(CANCEL_ACTION_ID, cancelBuild(deps));
}
