import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeSlack, type FakeSlack } from '../test/helpers/fakeSlack.ts';
import { commandRequest } from '../test/helpers/signing.ts';
import { jobCommand } from './built.ts';
import { writeLocal, type BenchShape } from './dataset.ts';

/**
 * How long a slash command waits for its ack while the bot builds: the bot (bench/ackBot.ts, built as it ships) in
 * a process of its own, signed `/logtune help` requests sent one at a time from this process (its event loop is
 * not the one measured), first idle, then while two ~200 k-row builds run (from `/logtune dataset`, until both
 * summaries are posted, the baseline after each included). Builds on job threads (the product) and on the bot's
 * own thread (before), in interleaved rounds. Target: p99 under load < 100 ms.
 */
const SECRET = 'bench-signing-secret-0123456789abcdef';
const TOKEN = 'xoxb-1-1-benchTokenValue0123456789';
const SHAPE: BenchShape = { days: ['2024-04-01', '2024-04-02', '2024-04-03'], filesPerDay: 330, rowsPerFile: 200 };
const RANGE = '2024-04-01..2024-04-03';
const GAP_MS = 20;
const IDLE_SAMPLES = 150;
const LOAD_TIMEOUT_MS = 600_000;
const MODES = ['job thread', 'in process'] as const;
type Mode = (typeof MODES)[number];

interface AckRun {
  readonly idle: number[];
  readonly load: number[];
  /** From the two dataset commands to the second summary in its thread. */
  readonly buildsSeconds: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const middle = (values: number[]) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!;
const ms = (n: number) => n.toFixed(0);

async function startBotProcess(mode: Mode, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const command = await jobCommand('ackBot');
  const child = spawn(process.execPath, [...command, ...(mode === 'in process' ? ['in-process'] : [])], {
    env: { ...env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench bot did not start within 60 s')), 60_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, port: (JSON.parse(line) as { port: number }).port });
    });
    child.once('exit', (code) => reject(new Error(`the bench bot exited with ${code}`)));
  });
}

async function stopBotProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
}

/** One slash command: milliseconds until Bolt's HTTP answer (the ack) has arrived whole. */
async function ack(port: number, fake: FakeSlack, text: string, id: string): Promise<number> {
  const request = commandRequest(SECRET, { text, responseUrl: fake.responseUrl(id) });
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    body: request.body,
    headers: request.headers,
  });
  await res.text();
  if (res.status !== 200) throw new Error(`/logtune ${text} answered HTTP ${res.status}`);
  return performance.now() - started;
}

async function oneRun(mode: Mode, logs: string, work: string, round: number): Promise<AckRun> {
  const fake = await startFakeSlack({ token: TOKEN });
  const state = join(work, `state-${round}-${mode.replace(' ', '-')}`);
  const { child, port } = await startBotProcess(mode, {
    ...process.env,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    LOGTUNE_DB: join(state, 'logtune.db'),
    LOGTUNE_BUILD_CONCURRENCY: '2',
    LOGTUNE_LOGS_URI: logs,
    LOGTUNE_ARTIFACTS_URI: join(state, 'artifacts'),
    LOGTUNE_APPROVERS: 'U0CAROL',
  });
  let n = 0;
  try {
    const idle: number[] = [];
    for (let i = 0; i < IDLE_SAMPLES; i++) {
      idle.push(await ack(port, fake, 'help', `idle-${n++}`));
      await sleep(GAP_MS);
    }
    const summaries = () => fake.messages.filter((m) => /^build:.*:summary$/.test(keyOf(m) ?? '')).length;
    const started = performance.now();
    await ack(port, fake, `dataset ${RANGE} --seed 1`, `build-${n++}`);
    await ack(port, fake, `dataset ${RANGE} --seed 2`, `build-${n++}`);
    const load: number[] = [];
    while (summaries() < 2) {
      if (performance.now() - started > LOAD_TIMEOUT_MS) throw new Error('the two builds did not finish in 10 min');
      load.push(await ack(port, fake, 'help', `load-${n++}`));
      await sleep(GAP_MS);
    }
    const failed = fake.messages.find((m) => /:summary$/.test(keyOf(m) ?? '') && /Build failed/.test(String(m.text)));
    if (failed) throw new Error(`a bench build failed: ${String(failed.text)}`);
    return { idle, load, buildsSeconds: (performance.now() - started) / 1000 };
  } finally {
    await stopBotProcess(child);
    await fake.close();
    await rm(state, { recursive: true, force: true });
  }
}

const keyOf = (m: { metadata?: unknown }) =>
  (m.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key;

export async function ackBench(options: { quick: boolean }): Promise<string[]> {
  const rounds = options.quick ? 1 : 3;
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  const work = await mkdtemp(join(tmpdir(), 'logtune-bench-ack-'));
  try {
    const logs = join(work, 'logs');
    await writeLocal(logs, SHAPE);
    const runs: Record<Mode, AckRun[]> = { 'job thread': [], 'in process': [] };
    for (let round = 1; round <= rounds; round++) {
      for (const mode of MODES) {
        log(`ack latency, builds ${mode} (round ${round} of ${rounds})…`);
        runs[mode].push(await oneRun(mode, logs, work, round));
      }
    }
    const rows = SHAPE.days.length * SHAPE.filesPerDay * SHAPE.rowsPerFile;
    const line = (mode: Mode) => {
      const r = runs[mode];
      const each = (f: (run: AckRun) => number) => middle(r.map(f));
      const all = (f: (run: AckRun) => number) => (r.length > 1 ? ` (${r.map((x) => ms(f(x))).join(', ')})` : '');
      const p99Load = (x: AckRun) => percentile(x.load, 99);
      return (
        `| builds ${mode} | ${ms(each((x) => percentile(x.idle, 50)))} | ${ms(each((x) => percentile(x.idle, 99)))} | ` +
        `${ms(each((x) => percentile(x.load, 50)))} | ${ms(each(p99Load))}${all(p99Load)} | ${each((x) => x.load.length)} | ` +
        `${each((x) => x.buildsSeconds).toFixed(1)}${r.length > 1 ? ` (${r.map((x) => x.buildsSeconds.toFixed(1)).join(', ')})` : ''} |`
      );
    };
    return [
      '',
      `Slash-command ack latency (ms), idle and while two ${rows.toLocaleString('en-US')}-row builds run (LOGTUNE_BUILD_CONCURRENCY=2, default parse workers, baseline after each)${rounds > 1 ? `; the median of ${rounds} interleaved rounds` : ''}:`,
      '',
      '| run | idle p50 | idle p99 | under load p50 | under load p99 | samples under load | both builds, s |',
      '|---|---|---|---|---|---|---|',
      line('job thread'),
      line('in process'),
      '',
      `- target: p99 under load < 100 ms`,
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
