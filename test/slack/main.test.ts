import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.ts';
import { tempDir, waitFor } from './support.ts';

/**
 * `npm start` as a process: configuration errors, start-up, /healthz and a graceful SIGTERM. Its command line is
 * the start script's own (without npm, whose prestart build the test run's globalSetup has done already).
 */
const ROOT = join(import.meta.dirname, '..', '..');
const START = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start.split(' ');

function startMain(env: Record<string, string>) {
  const [node, ...args] = START;
  if (node !== 'node') throw new Error(`npm start runs ${node}, not node: update this test`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
  void exited.then(() => clearTimeout(kill));
  return { child, out, exited };
}

let fake: FakeSlack;
let dir: ReturnType<typeof tempDir>;
beforeAll(async () => {
  fake = await startFakeSlack({ token: 'xoxb-1-2-main' });
  dir = tempDir();
});
afterAll(async () => {
  await fake.close();
  dir.remove();
});

describe('main', () => {
  it('prints one line naming the missing variable and exits 1', async () => {
    const { out, exited } = startMain({});
    expect(await exited).toBe(1);
    expect(out.stderr).toBe('logtune: SLACK_BOT_TOKEN: is required but not set\n');
  }, 20_000);

  it('starts, answers /healthz, and stops cleanly on SIGTERM', async () => {
    const { child, out, exited } = startMain({
      SLACK_BOT_TOKEN: 'xoxb-1-2-main',
      SLACK_SIGNING_SECRET: 'main-secret',
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      LOGTUNE_DB: join(dir.path, 'main.db'),
    });
    const started = await waitFor(() => out.stdout.split('\n').find((l) => l.includes('"logtune started"')), {
      what: 'start-up',
    });
    const { port } = JSON.parse(started) as { port: number };
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out.stdout).toContain('"logtune stopped"');
    expect(out.stdout + out.stderr).not.toContain('xoxb-1-2-main');
  }, 20_000);
});
