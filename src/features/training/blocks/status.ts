import { formatUsd } from '../../../slack/blocks/money.ts';
import { escapeMrkdwn, formatAge, inlineCode, link, mention } from '../../../slack/blocks/text.ts';
import type { TrainingRecord } from '../trainingRequestsRepo.ts';

export interface TrainingStatusEntry {
  readonly record: TrainingRecord;
  /** The job's SageMaker status and cost so far, once there is a job. */
  readonly job: { readonly status: string; readonly usdSoFar: number } | undefined;
  readonly url: string | undefined;
}

const ICONS: Record<string, string> = {
  awaiting_dataset: ':hourglass_flowing_sand:',
  pending_approval: ':raised_hand:',
  approved: ':white_check_mark:',
  cancelled: ':no_entry_sign:',
  expired: ':hourglass:',
  failed: ':x:',
  InProgress: ':gear:',
  Stopping: ':octagonal_sign:',
  Completed: ':white_check_mark:',
  Failed: ':x:',
  Stopped: ':no_entry_sign:',
};

/** One training request in `/logtune status`: its state (the job's, once launched), dollars so far, link. */
export function trainingStatusLine(entry: TrainingStatusEntry, now: Date): string {
  const { record, job } = entry;
  const state = job?.status ?? record.state.replace('_', ' ');
  const name = record.jobName && record.state === 'launched' ? record.jobName : record.id;
  const money = job
    ? ` · ${formatUsd(job.usdSoFar)} so far`
    : record.capUsd !== undefined
      ? ` · cap ${formatUsd(record.capUsd)}`
      : '';
  const thread = entry.url ? ` · ${link(entry.url, 'thread')}` : '';
  return (
    `${ICONS[job?.status ?? record.state] ?? ':grey_question:'} *${escapeMrkdwn(state)}* · ${inlineCode(name)} · ${escapeMrkdwn(record.ask.rangeLabel)}${money} · ` +
    `${formatAge(record.createdAt, now)} · ${mention(record.requestedBy)}${thread}`
  );
}
