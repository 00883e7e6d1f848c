import { describe, expect, it } from 'vitest';
import {
  CANCEL_ACTION_ID,
  progressLine,
  rootMessage,
  type RootView,
} from '../../../src/features/dataset/blocks/root.ts';
import { buildStatusLine } from '../../../src/features/dataset/blocks/status.ts';
import {
  failureMessage,
  labelTable,
  listedMessage,
  readMessage,
  summaryMessage,
} from '../../../src/features/dataset/blocks/thread.ts';
import type { BuildRecord } from '../../../src/features/dataset/buildsRepo.ts';
import { expectWithinLimits } from '../../helpers/blockLimits.ts';
import { blockText, progress, sampleRequest, sampleSummary } from '../../slack/support.ts';

const request = sampleRequest();
const view = (overrides: Partial<RootView> = {}): RootView => ({
  buildId: request.datasetId,
  rangeLabel: request.range.label,
  requestedBy: 'U0ALICE',
  state: 'running',
  ...overrides,
});

describe('rootMessage', () => {
  it('shows the range and requester, progress, and a Cancel button carrying the build id while running', () => {
    const message = rootMessage(view({ progress: progress() }));
    expectWithinLimits(message);
    expect(message.text).toContain(`Building dataset for ${request.range.label}, asked by <@U0ALICE>`);
    expect(blockText(message)).toContain('3/10 files · 3,000 rows · 1.0 MB/s · ETA 7s');
    const actions = message.blocks.find((b) => b.type === 'actions') as {
      elements: { action_id: string; value: string; style: string }[];
    };
    expect(actions.elements).toEqual([
      expect.objectContaining({ action_id: CANCEL_ACTION_ID, value: request.datasetId, style: 'danger' }),
    ]);
  });

  it('keeps the button while queued and drops it in every final state', () => {
    expect(rootMessage(view({ state: 'queued' })).blocks.some((b) => b.type === 'actions')).toBe(true);
    for (const state of ['succeeded', 'failed', 'cancelled', 'interrupted', 'restarting'] as const) {
      const message = rootMessage(view({ state, summary: sampleSummary(request), error: 'x', cancelledBy: 'U0BOB' }));
      expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
      expectWithinLimits(message);
    }
    expect(rootMessage(view({ state: 'cancelled', cancelledBy: 'U0BOB' })).text).toContain('Cancelled by <@U0BOB>');
  });

  it('escapes and truncates an error shown in the root', () => {
    const message = rootMessage(view({ state: 'failed', error: `<!channel> ${'e'.repeat(5000)}` }));
    expectWithinLimits(message);
    expect(blockText(message)).toContain('&lt;!channel&gt;');
    expect(blockText(message)).not.toContain('<!channel>');
  });

  it('renders the queued state exactly', () => {
    expect(
      rootMessage({
        buildId: 'ds-1',
        rangeLabel: '1 Apr – 31 May 2024',
        requestedBy: 'U0ALICE',
        state: 'queued',
      }).blocks.slice(0, 3),
    ).toMatchInlineSnapshot(`
      [
        {
          "block_id": "build_title",
          "text": {
            "text": "*Building dataset for 1 Apr – 31 May 2024, asked by <@U0ALICE>*",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "block_id": "build_status",
          "text": {
            "text": ":hourglass_flowing_sand: *Queued* — waiting for a free build slot",
            "type": "mrkdwn",
          },
          "type": "section",
        },
        {
          "block_id": "build_id",
          "elements": [
            {
              "text": "Dataset \`ds-1\`",
              "type": "mrkdwn",
            },
          ],
          "type": "context",
        },
      ]
    `);
  });

  it('an Athena build shows what its queries scanned, not files and rows', () => {
    const athena = progress({ filesTotal: undefined, bytesPerSecond: 25e6 });
    expect(progressLine({ ...athena, athena: { bytesScanned: 3_200_000_000, running: 2, done: 1 } })).toBe(
      'Athena: 3.2 GB scanned · 2 queries running · 1 done · 25.0 MB/s',
    );
  });

  it('describes listing before the total is known', () => {
    expect(progressLine(progress({ phase: 'listing', filesTotal: undefined, filesDone: 0 }))).toBe(
      'listing files… 0 read so far',
    );
  });
});

describe('thread messages', () => {
  it('summary: per-label scanned and kept, duplicates, tokens, URI, elapsed, skipped files', () => {
    const summary = sampleSummary(request);
    const message = summaryMessage(summary);
    expectWithinLimits(message);
    const text = blockText(message);
    expect(text).toMatch(/benign\s+7,000\s+6,950/);
    expect(text).toMatch(/malicious\s+490\s+470/);
    expect(text).toContain('90 duplicates');
    expect(text).toContain('*Llama 2 tokens:* 1,234,567 (exact)');
    expect(text).toContain(summary.outUri);
    expect(text).toContain('*Elapsed:* 1m 3s');
    expect(text).toContain('`2024/04/02/bad.csv` — no header row');
    expect(text).toContain(
      `*Channels:* training \`${summary.channels.training}\` · validation \`${summary.channels.validation}\``,
    );
    expect(text).toContain('train/ (train.jsonl, template.json) · validation/ (validation.jsonl) · stats.json');
    expect(text).not.toContain('train without it');
    expect(blockText(summaryMessage(sampleSummary(request, { rows: { ...summary.rows, validation: 0 } })))).toContain(
      '(empty: train without it)',
    );
  });

  it('summary of an Athena build: bytes scanned over every attempt and the dollars beside the quote', () => {
    const local = blockText(summaryMessage(sampleSummary(request)));
    expect(local).not.toContain('*Athena:*');
    const athena = sampleSummary(request, {
      engine: 'athena',
      athena: {
        runId: 'ath-0123456789abcdef0123',
        bytesScanned: 2_500_000_000,
        dollars: 0.0125,
        quotedUsd: 0.025,
        queries: 3,
        attempts: 4,
        workgroup: 'logtune',
        tables: ['logtune_logs.logtune_csv_0123456789ab'],
      },
    });
    expect(blockText(summaryMessage(athena))).toContain(
      '*Athena:* 2.5 GB scanned over 4 query attempts · $0.0125 (quoted $0.0250)',
    );
  });

  it('summary stays within limits with many labels, long names and many skipped files', () => {
    const labels = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [
        `label-${i}-${'x'.repeat(200)}<@U1>`,
        { scanned: i, unique: i, train: i, validation: 0 },
      ]),
    );
    const skippedFiles = Array.from({ length: 500 }, (_, i) => ({
      key: `${'k'.repeat(400)}-${i}`,
      reason: 'r'.repeat(1000),
    }));
    const summary = sampleSummary(request, {
      labels,
      files: { listed: 600, read: 100, skipped: 500, skippedFiles, bytes: 1 },
    });
    const message = summaryMessage(summary);
    expectWithinLimits(message);
    const text = blockText(message);
    expect(text).toContain('… and 40 more labels');
    expect(text).toContain('… and 495 more');
    expect(text).not.toContain('<@U1>');
  });

  it('label table aligns columns', () => {
    expect(
      labelTable({
        a: { scanned: 10, unique: 9, train: 8, validation: 1 },
        bb: { scanned: 1000, unique: 5, train: 4, validation: 1 },
      }),
    ).toBe('```label  scanned  kept\nbb       1,000     5\na           10     9```');
  });

  it('milestones and failures', () => {
    expect(listedMessage(12).text).toBe(':mag: Listing done: 12 files to read');
    expect(readMessage(progress({ filesDone: 10, filesSkipped: 1 })).text).toContain(
      'Reading done: 10 files, 1 skipped, 3,000 rows',
    );
    expect(blockText(failureMessage('AccessDenied for <s3://x>'))).toContain('AccessDenied for &lt;s3://x&gt;');
  });
});

describe('status', () => {
  it('a status line shows state, id, range, age, requester and thread link', () => {
    const now = new Date('2024-06-01T12:00:00.000Z');
    const build = {
      id: 'ds-1',
      key: 'k',
      requestJson: '{}',
      state: 'succeeded',
      requestedBy: 'U0ALICE',
      channel: 'C1',
      rootTs: '1.000001',
      summary: undefined,
      error: undefined,
      cancelledBy: undefined,
      attempts: 1,
      createdAt: '2024-06-01T09:00:00.000Z',
      startedAt: undefined,
      finishedAt: undefined,
    } satisfies BuildRecord;
    expect(
      buildStatusLine({ build, rangeLabel: '1 – 2 Apr 2024', url: 'https://t.slack.com/archives/C1/p1000001' }, now),
    ).toBe(
      ':white_check_mark: *succeeded* · `ds-1` · 1 – 2 Apr 2024 · 3h ago · <@U0ALICE> · <https://t.slack.com/archives/C1/p1000001|thread>',
    );
  });
});
