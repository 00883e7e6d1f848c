import { checkLine, type CheckResult } from '../../doctor/check.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { escapeMrkdwn, truncate } from '../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../slack/blocks/types.ts';

const SECTION_CHARS = 2900;

/** `/logtune doctor`'s answer: a count, then one ✓/✗/· line per check with its fix, as the CLI prints them. */
export function doctorMessage(results: readonly CheckResult[]): MessageContent {
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  const failing = count('fail');
  const tally = `${count('ok')} ✓, ${count('not_checked')} not checked`;
  const summary =
    failing === 0 ? `logtune doctor: ${tally}, nothing to fix` : `logtune doctor: ${failing} ✗ to fix (${tally})`;
  const icon = failing === 0 ? ':white_check_mark:' : ':x:';
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `${icon} *${summary}*` } }];
  for (const result of results)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(checkLine(result)), SECTION_CHARS) },
    });
  return { text: summary, blocks };
}

/** `train` or `deploy` refused before the approval is posted: the failing lines, and where to see every check. */
export function preflightRefusal(
  what: 'train' | 'deploy',
  failing: readonly CheckResult[],
  /** The slash command this app answers (LOGTUNE_COMMAND). */
  command: string,
): MessageContent {
  const lines = failing.map((r) => escapeMrkdwn(checkLine(r))).join('\n');
  return plainMessage(
    truncate(
      `:no_entry: Not posted for approval: the ${what === 'train' ? 'training job' : 'endpoint'} could not start.\n` +
        `${lines}\nNothing was started. \`${command} doctor\` shows every check.`,
      SECTION_CHARS,
    ),
  );
}
