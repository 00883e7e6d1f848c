import { describe, expect, it } from 'vitest';
import { createLogger, toBoltLogger, type Level } from '../../src/log.ts';

const SECRET = '8f14e45fceea167a5a36dedd4bea2543';
const BOT_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';
const APP_TOKEN = 'xapp-1-A0APP-1234567890-abcdef0123456789';

function capture(level: Level = 'debug') {
  const out: { line: string; level: Level }[] = [];
  const log = createLogger({
    level,
    secrets: [SECRET, BOT_TOKEN, undefined, ''],
    write: (line, lvl) => out.push({ line, level: lvl }),
    now: () => new Date('2024-06-01T12:00:00.000Z'),
  });
  return { log, out, parsed: () => out.map((o) => JSON.parse(o.line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, msg and fields; child fields are added', () => {
    const { log, out, parsed } = capture();
    log.child({ buildId: 'ds-1' }).info('build started', { files: 3 });
    expect(out).toHaveLength(1);
    expect(out[0]!.line).not.toContain('\n');
    expect(parsed()[0]).toEqual({
      time: '2024-06-01T12:00:00.000Z',
      level: 'info',
      msg: 'build started',
      buildId: 'ds-1',
      files: 3,
    });
  });

  it('drops lines below the level, and setLevel changes it for children too', () => {
    const { log, parsed } = capture('warn');
    const child = log.child({ a: 1 });
    child.info('hidden');
    child.warn('shown');
    log.setLevel('debug');
    child.debug('now shown');
    expect(parsed().map((p) => p.msg)).toEqual(['shown', 'now shown']);
  });

  it('serializes errors with name, message, code and stack, and survives cycles and bigints', () => {
    const { log, parsed } = capture();
    const error = Object.assign(new Error('boom'), { code: 'E_BOOM' });
    const cyclic: Record<string, unknown> = { n: 10n };
    cyclic.self = cyclic;
    log.error('failed', { error, cyclic });
    const line = parsed()[0]!;
    expect(line.error).toMatchObject({ name: 'Error', message: 'boom', code: 'E_BOOM' });
    expect(String((line.error as { stack: string }).stack)).toContain('boom');
    expect(line.cyclic).toEqual({ n: '10', self: '[Circular]' });
  });

  it('never prints a token or the signing secret: in messages, fields, nested errors or keys', () => {
    const { log, out } = capture();
    log.info(`token is ${BOT_TOKEN}`);
    log.warn('calling Slack', {
      headers: { authorization: `Bearer ${BOT_TOKEN}` },
      appToken: APP_TOKEN,
      other: 'xoxp-9-9-9',
      [SECRET]: 1,
    });
    log.error('failed', { error: new Error(`bad signature with secret ${SECRET}`), list: [`xoxe.xoxb-1-ZZZ`] });
    const all = out.map((o) => o.line).join('\n');
    for (const secret of [SECRET, BOT_TOKEN, APP_TOKEN, 'xoxp-9-9-9', 'xoxb-1-ZZZ']) expect(all).not.toContain(secret);
    expect(all.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(7);
  });
});

describe('toBoltLogger', () => {
  it('adapts Bolt calls, keeps extra arguments as details, and maps level and name', () => {
    const { log, parsed, out } = capture('info');
    const bolt = toBoltLogger(log);
    bolt.debug('not shown');
    bolt.setName('web-api:WebClient:0');
    bolt.warn('http request result:', { token: BOT_TOKEN });
    bolt.error(new Error('listener failed'));
    expect(bolt.getLevel()).toBe('info');
    bolt.setLevel('error' as never);
    bolt.warn('now hidden');
    expect(log.getLevel()).toBe('error');
    const lines = parsed();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      msg: 'http request result:',
      component: 'web-api:WebClient:0',
      details: [{ token: '[REDACTED]' }],
    });
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'listener failed' });
    expect(out.map((o) => o.level)).toEqual(['warn', 'error']);
  });
});
