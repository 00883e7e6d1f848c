import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { CancelResult } from '../../buildRunner.ts';
import { inlineCode } from '../../blocks/text.ts';
import type { SlackDeps } from '../../deps.ts';
import { slackErrorReason } from '../../slackApi.ts';

function answer(result: CancelResult, buildId: string): string {
  switch (result.kind) {
    case 'cancelling':
      return `Cancelling ${inlineCode(buildId)}; the message above changes once it has stopped.`;
    case 'cancelled':
      return `Cancelled ${inlineCode(buildId)} before it started.`;
    case 'finished':
      return `${inlineCode(buildId)} has already ${result.build.state === 'succeeded' ? 'finished' : `ended (${result.build.state})`}; nothing to cancel.`;
    case 'not_found':
      return `No build ${inlineCode(buildId)} is known here.`;
  }
}

/**
 * The Cancel button of a build's root message. Anyone who can see the message may cancel (the requester's
 * colleagues stop runaway builds too); the thread records who did. Repeated clicks are harmless: the build's state
 * only moves from queued/running once.
 */
export function cancelBuild(deps: SlackDeps) {
  return async ({ ack, body, action, respond }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const buildId = action.value ?? '';
    const result = deps.runner.cancel(buildId, body.user.id);
    await respond({ response_type: 'ephemeral', replace_original: false, text: answer(result, buildId) }).catch((error: unknown) =>
      deps.log.warn('respond failed', { action: action.action_id, reason: slackErrorReason(error) }),
    );
  };
}
