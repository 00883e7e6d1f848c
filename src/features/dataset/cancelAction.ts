import { plainMessage } from '../../slack/blocks/help.ts';
import { escapeMrkdwn, inlineCode } from '../../slack/blocks/text.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import type { ActionSpec } from '../../slack/feature.ts';
import type { Policy } from '../../slack/policy.ts';
import { CANCEL_ACTION_ID } from './blocks/root.ts';
import type { BuildRunner, CancelResult } from './runner.ts';
import { rootKey } from './job.ts';
import type { BuildsRepo } from './buildsRepo.ts';

function answer(result: CancelResult, buildId: string): MessageContent {
  switch (result.kind) {
    case 'cancelling':
      return plainMessage(`Cancelling ${inlineCode(buildId)}; the message above changes once it has stopped.`);
    case 'cancelled':
      return plainMessage(`Cancelled ${inlineCode(buildId)} before it started.`);
    case 'finished':
      return plainMessage(
        `${inlineCode(buildId)} has already ${result.build.state === 'succeeded' ? 'finished' : `ended (${result.build.state})`}; nothing to cancel.`,
      );
    case 'not_found':
      return plainMessage(`No build ${inlineCode(buildId)} is known here.`);
  }
}

/**
 * The Cancel button of a build's root message: its requester or an approver may press it; anyone else is told why
 * not, privately, and the message stays as it was. Repeated clicks are harmless: a build ends once.
 */
export function cancelBuildAction(deps: {
  readonly runner: BuildRunner;
  readonly builds: BuildsRepo;
  readonly policy: Policy;
}): ActionSpec {
  return {
    actionId: CANCEL_ACTION_ID,
    postedOn: (buildId) => [rootKey(buildId)],
    async run({ userId, value: buildId }) {
      const build = deps.builds.get(buildId);
      if (build) {
        const decision = deps.policy.may(userId, 'dataset.cancel', build);
        if (!decision.allowed)
          return plainMessage(`:no_entry: You cannot cancel ${inlineCode(buildId)}: ${escapeMrkdwn(decision.reason)}.`);
      }
      return answer(deps.runner.cancel(buildId, userId), buildId);
    },
  };
}
