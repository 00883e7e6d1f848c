import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingMessage } from '../src/features/training/blocks/request.ts';
import { triageReply } from '../src/features/triage/blocks/reply.ts';
import type { KnownBlock, MessageContent } from '../src/slack/blocks/types.ts';

/**
 * docs/slack-messages.png: a training approval and a triage reply as Slack shows them. The messages are built by the
 * bot's own Block Kit builders (the same functions the bot posts with) from example inputs; their mrkdwn is turned
 * into HTML here, in Slack's look, and headless Chromium takes the picture.
 * Run: npx tsx scripts/render-slack.ts   (needs chromium: apt-get install -y chromium)
 */
const out = new URL('../docs/slack-messages.png', import.meta.url).pathname;

// The sample's dataset, with an illustrative quote of the shape the bot freezes for approval (not a live price).
const datasetId = 'ds-20240401-20240403-20261203T162156-ded5';
const approval = trainingMessage({
  id: 'tr-20261203T163000-7f3a',
  requestedBy: 'U0ALICE',
  rangeLabel: '1 Apr – 3 Apr 2024',
  state: 'pending_approval',
  approvers: ['U0CAROL', 'U0DAVE'],
  expiresAt: '2026-12-04T16:30:00.000Z',
  firstApproval: true,
  quote: {
    datasetId,
    datasetUri: `s3://my-ml-artifacts/logtune/datasets/${datasetId}`,
    region: 'us-east-1',
    tokens: 576_807,
    epochs: 3,
    instanceType: 'ml.g5.12xlarge',
    instanceCount: 1,
    hours: { low: 0.27, likely: 0.37, high: 0.52 },
    usd: { low: 1.91, likely: 2.62, high: 3.69 },
    basis: 'published figures (2,000–4,000 tokens/s)',
    usdPerHour: 7.09,
    priceNote: 'AWS Pricing API, 2026-12-03',
    capUsd: 4.43,
    capSource: 'estimate',
    capBelowEstimate: false,
    maxRuntimeSeconds: 2249,
    runtimeLimitedBy: 'cap',
    rows: [
      {
        instanceType: 'ml.g5.12xlarge',
        hours: { low: 0.27, likely: 0.37, high: 0.52 },
        usd: { low: 1.91, likely: 2.62, high: 3.69 },
        cheapest: true,
      },
      {
        instanceType: 'ml.g5.24xlarge',
        hours: { low: 0.26, likely: 0.35, high: 0.49 },
        usd: { low: 2.66, likely: 3.58, high: 5.01 },
        cheapest: false,
      },
      {
        instanceType: 'ml.g5.48xlarge',
        hours: { low: 0.25, likely: 0.33, high: 0.45 },
        usd: { low: 5.08, likely: 6.71, high: 9.15 },
        cheapest: false,
      },
    ],
    examples: {
      benign: { train: 731, validation: 82 },
      suspicious: { train: 296, validation: 33 },
      malicious: { train: 53, validation: 5 },
    },
    baselineMacroF1: 0.946,
  },
});

const fields = (ip: string, method: string, stem: string, status: string) => ({
  date: '2024-04-01',
  time: '09:14:07',
  'c-ip': ip,
  'cs-method': method,
  'cs-uri-stem': stem,
  'sc-status': status,
});
const triage = triageReply({
  source: { kind: 'baseline', datasetId, macroF1: 0.946 },
  alertLabels: ['malicious'],
  maxLines: 50,
  notClassified: 0,
  command: '/logtune',
  results: [
    { line: 1, label: 'benign', fields: fields('203.0.113.24', 'GET', '/products', '200') },
    { line: 2, label: 'malicious', fields: fields('198.51.100.7', 'POST', '/login', '403') },
    { line: 3, label: 'suspicious', fields: fields('192.0.2.99', 'GET', '/.env', '404') },
    {
      line: 4,
      problem: { kind: 'unreadable', detail: "not a log line this model knows: none of the dataset's fields" },
    },
  ],
});

const EMOJI: Record<string, string> = {
  raised_hand: '✋',
  page_facing_up: '📄',
  mag: '🔍',
  rotating_light: '🚨',
  white_small_square: '▫️',
  heavy_minus_sign: '➖',
  warning: '⚠️',
  white_check_mark: '✅',
  x: '❌',
  grey_question: '❔',
};
const NAMES: Record<string, string> = { U0ALICE: 'alice', U0CAROL: 'carol', U0DAVE: 'dave' };

const escapeHtml = (s: string) =>
  s
    .replace(/&(?!amp;|lt;|gt;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');

/** Slack mrkdwn (as the builders escape it: &amp; &lt; &gt;) → HTML. */
function mrkdwn(text: string): string {
  const pre: string[] = [];
  let s = text.replace(/```([\s\S]*?)```/g, (_, body: string) => `\u0000${pre.push(body) - 1}\u0000`);
  const code: string[] = [];
  s = s.replace(/`([^`]*)`/g, (_, body: string) => `\u0001${code.push(body) - 1}\u0001`);
  s = s
    .replace(/<@(U\w+)>/g, (_, id: string) => `\u0002@${NAMES[id] ?? id}\u0003`)
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, (_, url: string, label: string) => `\u0004${url}\u0005${label}\u0006`);
  s = escapeHtml(s)
    .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
    .replace(/(^|\s)_([^_\n]+)_/g, '$1<i>$2</i>')
    .replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m)
    .replace(/\u0002([^\u0003]*)\u0003/g, '<span class="mention">$1</span>')
    .replace(/\u0004([^\u0005]*)\u0005([^\u0006]*)\u0006/g, '<a href="$1">$2</a>')
    .replace(/\u0001(\d+)\u0001/g, (_, i: string) => `<code>${escapeHtml(code[Number(i)]!)}</code>`)
    .replace(/\u0000(\d+)\u0000/g, (_, i: string) => `<pre>${escapeHtml(pre[Number(i)]!)}</pre>`)
    .replace(/\n/g, '<br>');
  return s;
}

function block(b: KnownBlock): string {
  const any = b as unknown as Record<string, unknown> & { type: string };
  if (any.type === 'section') return `<div class="section">${mrkdwn((any.text as { text: string }).text)}</div>`;
  if (any.type === 'context') {
    const elements = any.elements as { text: string }[];
    return `<div class="context">${elements.map((e) => mrkdwn(e.text)).join(' ')}</div>`;
  }
  if (any.type === 'actions') {
    const elements = any.elements as { text: { text: string }; style?: string }[];
    return `<div class="actions">${elements.map((e) => `<span class="button ${e.style ?? ''}">${escapeHtml(e.text.text)}</span>`).join('')}</div>`;
  }
  return '';
}

function message(content: MessageContent, who: string, time: string, thread?: string): string {
  return `<div class="message"><div class="avatar">lt</div><div class="body"><div class="who"><b>${who}</b> <span class="app">APP</span> <span class="time">${time}</span></div>${(content.blocks ?? []).map(block).join('')}${thread ?? ''}</div></div>`;
}

const html = `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; background: #fff; font: 15px/1.46668 -apple-system, "Segoe UI", Lato, "Noto Sans", Arial, sans-serif; color: #1d1c1d; width: 900px; }
.channel { padding: 10px 20px; border-bottom: 1px solid #ddd; font-weight: 900; font-size: 18px; }
.message { display: flex; padding: 8px 20px; }
.avatar { width: 36px; height: 36px; border-radius: 4px; background: #4a154b; color: #fff; font-weight: 700; display: flex; align-items: center; justify-content: center; margin-right: 8px; flex: none; }
.body { flex: 1; min-width: 0; }
.who .app { background: #ddd; color: #555; font-size: 10px; padding: 1px 3px; border-radius: 2px; font-weight: 700; }
.who .time { color: #616061; font-size: 12px; }
.section { margin: 4px 0; }
.context { color: #616061; font-size: 13px; margin: 4px 0; }
code { font: 12px Monaco, Menlo, Consolas, monospace; color: #e01e5a; background: #f8f8f8; border: 1px solid #e8e8e8; border-radius: 3px; padding: 1px 3px; }
pre { font: 12px/1.5 Monaco, Menlo, Consolas, monospace; background: #f8f8f8; border: 1px solid #e8e8e8; border-radius: 4px; padding: 8px; margin: 4px 0; white-space: pre; overflow: hidden; }
.mention { background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }
a { color: #1264a3; text-decoration: none; }
.actions { margin: 8px 0; }
.button { display: inline-block; border: 1px solid #bbb; border-radius: 4px; padding: 3px 12px; margin-right: 8px; font-weight: 700; font-size: 13px; }
.button.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
.button.danger { color: #e01e5a; border-color: #e01e5a; }
.thread { margin-top: 6px; border-left: 3px solid #ddd; padding-left: 8px; }
.label { color: #616061; font-size: 12px; padding: 8px 20px 0; }
</style></head><body>
<div class="channel"># ml-ops</div>
<div class="label">A training approval (the workspace's first: it states the licence approving accepts)</div>
${message(approval, 'logtune', '4:30 PM')}
<div class="channel"># triage</div>
<div class="label">Log lines pasted by a person, answered in the thread</div>
<div class="message"><div class="avatar" style="background:#2eb67d">a</div><div class="body"><div class="who"><b>alice</b> <span class="time">4:41 PM</span></div><pre>2024-04-01	09:14:07	IAD89-P2	5120	203.0.113.24	GET	d111111abcdef8.cloudfront.net	/products	200	…
… 3 more lines</pre>
<div class="thread">${message(triage, 'logtune', '4:41 PM')}</div></div></div>
</body></html>`;

const work = mkdtempSync(join(tmpdir(), 'logtune-render-'));
try {
  const page = join(work, 'messages.html');
  writeFileSync(page, html);
  execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--hide-scrollbars',
      `--user-data-dir=${join(work, 'profile')}`,
      '--window-size=900,930',
      `--screenshot=${out}`,
      `file://${page}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 },
  );
  process.stdout.write(`wrote ${out}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
