import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { resolveBuildRequest, summaryHeader } from '../../src/dataset/request/request.ts';
import type { BuildProgress, BuildRequest, BuildSummary } from '../../src/dataset/types.ts';
import { createLogger, type Level, type Log } from '../../src/log.ts';
import type { MessageContent } from '../../src/slack/blocks/types.ts';
import type { SlackApi } from '../../src/slack/slackApi.ts';
import type { Clock } from '../../src/shared/clock.ts';

/** Shared fakes for the bot's unit tests. */

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'logtune-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface CapturedLog extends Log {
  readonly lines: string[];
  readonly entries: () => Record<string, unknown>[];
}

export function captureLog(level: Level = 'debug', secrets: string[] = []): CapturedLog {
  const lines: string[] = [];
  const log = createLogger({ level, secrets, write: (line) => lines.push(line) });
  return Object.assign(log, { lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) });
}

/** A clock tests move by hand; timers fire synchronously inside `advance`. */
export class ManualClock implements Clock {
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 0;

  constructor(public current = Date.UTC(2024, 5, 1, 12)) {}

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.nextId;
    this.timers.push({ at: this.current + ms, callback, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = due.at;
      due.callback();
    }
    this.current = target;
  }
}

export interface RecordedPost {
  readonly channel: string;
  readonly threadTs: string | undefined;
  readonly content: MessageContent;
  readonly key: string;
  readonly ts: string;
}

/** An in-memory SlackApi: records posts and updates; failures are injected per call. */
export class MemorySlack implements SlackApi {
  readonly posts: RecordedPost[] = [];
  readonly updates: { channel: string; ts: string; content: MessageContent }[] = [];
  failPost: (() => Error) | undefined;
  failUpdate: (() => Error) | undefined;
  failLookup: (() => Error) | undefined;
  private counter = 0;

  async postMessage(args: {
    channel: string;
    threadTs?: string;
    content: MessageContent;
    key: string;
  }): Promise<{ ts: string }> {
    const failure = this.failPost;
    this.failPost = undefined;
    if (failure) throw failure();
    const ts = `1717243200.${String(++this.counter).padStart(6, '0')}`;
    this.posts.push({ channel: args.channel, threadTs: args.threadTs, content: args.content, key: args.key, ts });
    return { ts };
  }

  async update(args: { channel: string; ts: string; content: MessageContent }): Promise<void> {
    const failure = this.failUpdate;
    this.failUpdate = undefined;
    if (failure) throw failure();
    this.updates.push(args);
  }

  async findByKey(args: { channel: string; threadTs?: string; key: string }): Promise<string | undefined> {
    const failure = this.failLookup;
    this.failLookup = undefined;
    if (failure) throw failure();
    return this.posts.find((p) => p.key === args.key && p.channel === args.channel)?.ts;
  }

  readonly reactions: { channel: string; ts: string; name: string }[] = [];
  /** users.conversations: the channels each user is in; a user not listed is in none. */
  readonly memberships = new Map<string, string[]>();
  membershipCalls = 0;

  async userChannels(userId: string): Promise<readonly string[]> {
    this.membershipCalls++;
    return this.memberships.get(userId) ?? [];
  }

  async addReaction(args: { channel: string; ts: string; name: string }): Promise<void> {
    this.reactions.push(args);
  }

  readonly uploads: { channel: string; threadTs?: string; filename: string; content: string }[] = [];

  async uploadFile(args: {
    channel: string;
    threadTs?: string;
    filename: string;
    title: string;
    content: string;
  }): Promise<{ fileId: string }> {
    this.uploads.push(args);
    return { fileId: `F${this.uploads.length}` };
  }

  async readFile(): Promise<never> {
    throw new Error('MemorySlack serves no files; use the fake Slack (test/helpers/fakeSlack.ts)');
  }

  postsWithKey(key: string): RecordedPost[] {
    return this.posts.filter((p) => p.key === key);
  }

  updatesOf(ts: string): MessageContent[] {
    return this.updates.filter((u) => u.ts === ts).map((u) => u.content);
  }
}

export const dataConfig = loadDataSettings({
  LOGTUNE_LOGS_URI: 's3://logs-bucket/logs',
  LOGTUNE_ARTIFACTS_URI: 's3://logs-bucket/artifacts',
});

export function sampleRequest(rangeText = '2024-04-01..2024-05-31', seed?: number): BuildRequest {
  return resolveBuildRequest(
    dataConfig,
    { rangeText, ...(seed !== undefined && { seed }) },
    new Date(Date.UTC(2024, 5, 1, 12)),
  );
}

export function progress(overrides: Partial<BuildProgress> = {}): BuildProgress {
  return {
    phase: 'reading',
    filesDone: 3,
    filesTotal: 10,
    filesSkipped: 0,
    rowsScanned: 3000,
    bytesRead: 3_000_000,
    elapsedSeconds: 3,
    bytesPerSecond: 1_000_000,
    etaSeconds: 7,
    ...overrides,
  };
}

export function sampleSummary(request: BuildRequest, overrides: Partial<BuildSummary> = {}): BuildSummary {
  return {
    ...summaryHeader(request),
    layout: { setting: request.layout, used: '{yyyy}/{MM}/{dd}/', detected: request.layout === 'auto' },
    files: {
      listed: 10,
      read: 9,
      skipped: 1,
      skippedFiles: [{ key: '2024/04/02/bad.csv', reason: 'no header row' }],
      bytes: 9_000_000,
    },
    rows: {
      scanned: 9000,
      inRange: 9000,
      unlabelled: 10,
      duplicates: 90,
      unique: 8900,
      train: 8010,
      validation: 890,
      groups: 8900,
      groupedExamples: 0,
    },
    labels: {
      benign: { scanned: 7000, unique: 6950, train: 6255, validation: 695 },
      suspicious: { scanned: 1500, unique: 1480, train: 1332, validation: 148 },
      malicious: { scanned: 490, unique: 470, train: 423, validation: 47 },
    },
    examples: { maxInputLength: request.maxInputLength, contextTruncated: 0, droppedAnswerTooLong: 0 },
    tokens: {
      tokenizer: 'llama-2',
      method: 'exact',
      examplesCounted: 8900,
      totalTokens: 1_234_567,
      meanTokens: 138.7,
      maxTokens: 412,
      maxInputLength: 1024,
      overLengthExamples: 0,
      flagged: [],
      savingSampleSize: 500,
      fullContextTokensPerExample: 220,
      compactContextTokensPerExample: 138.7,
      compactSavingPercent: 37,
    },
    seconds: 63.2,
    rowsPerSecond: 142,
    megabytesPerSecond: 0.14,
    fetchConcurrency: 16,
    parseWorkers: 2,
    sourceColumns: ['date', 'time', 'c-ip', 'cs-uri-stem', 'ThreatLevel'],
    sourceFormat: 'csv',
    channels: { training: `${request.outUri}/train/`, validation: `${request.outUri}/validation/` },
    outputs: {
      train: `${request.outUri}/train/train.jsonl`,
      validation: `${request.outUri}/validation/validation.jsonl`,
      template: `${request.outUri}/train/template.json`,
      stats: `${request.outUri}/stats.json`,
    },
    ...overrides,
  };
}

/** Resolves when `check` returns truthy (polling), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 20, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export { deferred } from '../helpers/deferred.ts';

/** All mrkdwn/plain text inside a message's blocks, joined, for "contains" assertions. */
export function blockText(content: { blocks?: unknown }): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') out.push(value);
        else walk(value);
      }
    }
  };
  walk(content.blocks);
  return out.join('\n');
}
