import type { BuildProgress, BuildSummary } from '../../../dataset/types.ts';
import type { BuildState } from '../buildsRepo.ts';
import {
  escapeMrkdwn,
  formatBytes,
  formatCount,
  formatDuration,
  inlineCode,
  mention,
  truncate,
} from '../../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../../slack/blocks/types.ts';
import { button, confirmedButton, plainStatus } from '../../../slack/blocks/buttons.ts';

export const CANCEL_ACTION_ID = 'logtune_build_cancel';

/** What the root message of a build shows; `restarting` is transient (the bot is stopping and will resume it). */
export interface RootView {
  readonly buildId: string;
  readonly rangeLabel: string;
  readonly requestedBy: string;
  readonly state: BuildState | 'restarting';
  readonly progress?: BuildProgress;
  readonly summary?: BuildSummary;
  readonly error?: string;
  readonly cancelledBy?: string;
  /** The dataset is written; the free baseline is being trained and scored on it. */
  readonly scoringBaseline?: boolean;
}

export function progressLine(p: BuildProgress): string {
  if (p.athena !== undefined)
    return (
      `Athena: ${formatBytes(p.athena.bytesScanned)} scanned · ${formatCount(p.athena.running)} queries running · ` +
      `${formatCount(p.athena.done)} done · ${(p.bytesPerSecond / 1e6).toFixed(1)} MB/s`
    );
  if (p.filesTotal === undefined) return `listing files… ${formatCount(p.filesDone)} read so far`;
  const parts = [
    `${formatCount(p.filesDone)}/${formatCount(p.filesTotal)} files`,
    `${formatCount(p.rowsScanned)} rows`,
    `${(p.bytesPerSecond / 1e6).toFixed(1)} MB/s`,
    p.etaSeconds === undefined ? 'ETA –' : `ETA ${formatDuration(p.etaSeconds)}`,
  ];
  if (p.filesSkipped > 0) parts.push(`${formatCount(p.filesSkipped)} skipped`);
  const phase = p.phase === 'reading' || p.phase === 'listing' ? '' : ` (${p.phase.replace('_', ' ')})`;
  return parts.join(' · ') + phase;
}

function statusLine(view: RootView): string {
  switch (view.state) {
    case 'queued':
      return ':hourglass_flowing_sand: *Queued* — waiting for a free build slot';
    case 'running':
      if (view.scoringBaseline) return ':gear: *Running* — dataset written; training and scoring the free baseline';
      return `:gear: *Running* — ${view.progress ? progressLine(view.progress) : 'starting…'}`;
    case 'restarting':
      return ':arrows_counterclockwise: *Paused* — logtune is restarting and will resume this build';
    case 'succeeded': {
      const s = view.summary;
      if (!s) return ':white_check_mark: *Succeeded*';
      const examples = `${formatCount(s.rows.train)} train / ${formatCount(s.rows.validation)} validation examples`;
      return `:white_check_mark: *Succeeded* — ${examples} in ${formatDuration(s.seconds)}, summary in the thread`;
    }
    case 'failed':
      return `:x: *Failed* — ${escapeMrkdwn(truncate(view.error ?? 'unknown error', 500))}`;
    case 'cancelled':
      return `:no_entry_sign: *Cancelled*${view.cancelledBy ? ` by ${mention(view.cancelledBy)}` : ''}`;
    case 'interrupted':
      return ':warning: *Interrupted* by a restart and not resumed; see the thread';
  }
}

export function rootMessage(view: RootView): MessageContent {
  const title = `Building dataset for ${escapeMrkdwn(view.rangeLabel)}, asked by ${mention(view.requestedBy)}`;
  const status = statusLine(view);
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: 'build_title', text: { type: 'mrkdwn', text: `*${title}*` } },
    { type: 'section', block_id: 'build_status', text: { type: 'mrkdwn', text: status } },
    {
      type: 'context',
      block_id: 'build_id',
      elements: [{ type: 'mrkdwn', text: `Dataset ${inlineCode(view.buildId)}` }],
    },
  ];
  if (view.state === 'queued' || view.state === 'running') {
    blocks.push({
      type: 'actions',
      block_id: 'build_actions',
      elements: [
        confirmedButton(button(CANCEL_ACTION_ID, 'Cancel', view.buildId, 'danger'), {
          title: 'Cancel this build?',
          text: 'The dataset will not be written. You can start it again later.',
          yes: 'Cancel build',
          no: 'Keep building',
        }),
      ],
    });
  }
  return { text: `${title} — ${plainStatus(status)}`, blocks };
}
