import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, startBotHarness, type BotHarness } from '../helpers/botHarness.ts';
import { commandRequest, FORM, signedHeaders } from '../helpers/signing.ts';
import { waitFor } from './support.ts';

/**
 * The HTTP front door against a hostile client, on loopback: what Bolt's receiver lets through (a timestamp in the
 * future, a replayed signed command, a signed `null`) and connections that never finish (src/slack/httpGuard.ts).
 */
let h: BotHarness;
const TIMEOUTS = { headersTimeout: 400, requestTimeout: 600, keepAliveTimeout: 300, connectionsCheckingInterval: 100 };

beforeAll(async () => {
  h = await startBotHarness({ buckets: ['logtune-guard'], env: {} });
  await h.start({ serverTimeouts: TIMEOUTS });
}, 30_000);

afterAll(async () => {
  await h?.close();
});

function commandAt(text: string, id: string, nowSec: number) {
  const { body } = commandRequest(SECRET, { text, responseUrl: h.fake.responseUrl(id) });
  return { body, headers: signedHeaders(SECRET, body, FORM, nowSec) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('signed requests', () => {
  it('refuses a request signed more than 5 minutes in the future, like a stale one', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await h.send(commandAt('help', 'future', now + 6 * 60))).status).toBe(401);
    expect((await h.send(commandAt('help', 'stale', now - 6 * 60))).status).toBe(401);
    expect((await h.send(commandAt('help', 'skewed', now + 4 * 60))).status).toBe(200);
    await waitFor(() => h.fake.responses.find((r) => r.id === 'skewed'), { what: 'the answer within the window' });
    await settle();
    expect(h.fake.responses.filter((r) => r.id === 'future' || r.id === 'stale')).toHaveLength(0);
    expect(
      h.logEntries().some((e) => e.msg === 'signed request refused' && e.reason === 'timestamp in the future'),
    ).toBe(true);
  });

  it('answers a replayed slash command (same signature and timestamp) once', async () => {
    const request = commandAt('help', 'replayed', Math.floor(Date.now() / 1000));
    expect(await h.send(request)).toEqual({ status: 200, body: '' });
    await waitFor(() => h.fake.responses.find((r) => r.id === 'replayed'), { what: 'the first answer' });
    expect(await h.send(request)).toEqual({ status: 200, body: '' });
    // After a restart too: the signatures seen are in SQLite.
    await h.stop();
    await h.start({ serverTimeouts: TIMEOUTS });
    expect((await h.send(request)).status).toBe(200);
    await settle();
    expect(h.fake.responses.filter((r) => r.id === 'replayed')).toHaveLength(1);
  });

  it('answers a signed JSON body of null (or a number) with 400', async () => {
    for (const body of ['null', '42', '[]']) {
      const res = await h.send({ body, headers: signedHeaders(SECRET, body, 'application/json') });
      expect(res.status, body).toBe(400);
    }
  });
});

describe('slow clients', () => {
  /** Opens a socket, writes `chunks` one every `everyMs`, and resolves with how long the server kept it open. */
  function openFor(chunks: string[], everyMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = connect(h.bot!.port, '127.0.0.1');
      let i = 0;
      const timer = setInterval(() => {
        if (i < chunks.length && !socket.destroyed) socket.write(chunks[i++]!);
      }, everyMs);
      const bound = setTimeout(() => {
        socket.destroy();
        reject(new Error('the server kept the slow socket open for 5 s'));
      }, 5_000);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        clearTimeout(bound);
        resolve(Date.now() - started);
      });
      socket.resume();
    });
  }

  it('closes a connection that sends nothing, one that dribbles its headers, and an idle keep-alive one', async () => {
    expect(await openFor([], 50)).toBeLessThan(3_000);
    const dribble = 'POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '.split('');
    expect(await openFor([...dribble, ...'a'.repeat(200).split('')], 20)).toBeLessThan(3_000);
    const idle = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n';
    expect(await openFor([idle], 10)).toBeLessThan(3_000);
  });
});

describe('LOGTUNE_COMMAND', () => {
  it('a second app answers its own command, and its help and usage name it', async () => {
    await h.stop();
    await h.start({ serverTimeouts: TIMEOUTS }, { LOGTUNE_COMMAND: '/logtune-dev' });
    try {
      const ask = async (text: string, id: string) => {
        const { body } = commandRequest(SECRET, { text, responseUrl: h.fake.responseUrl(id), command: '/logtune-dev' });
        expect((await h.send({ body, headers: signedHeaders(SECRET, body, FORM) })).status).toBe(200);
        return (await waitFor(() => h.fake.responses.find((r) => r.id === id), { what: id })).body;
      };
      const help = JSON.stringify(await ask('help', 'dev-help'));
      expect(help).toContain('/logtune-dev dataset');
      expect(help).toContain('/logtune-dev train');
      expect(help).not.toMatch(/\/logtune (dataset|train|help)/);
      expect(String((await ask('nonsense', 'dev-unknown')).text)).toContain('Try `/logtune-dev help`');
      expect(String((await ask('train', 'dev-usage')).text)).toContain('Usage: `/logtune-dev train');
    } finally {
      await h.stop();
      await h.start({ serverTimeouts: TIMEOUTS });
    }
  });
});
