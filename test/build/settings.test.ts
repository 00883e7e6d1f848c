import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Settings errors as a person meets them, through the built product (dist/, built by globalSetup): every missing or
 * invalid setting named in one run, each with what was expected and what was given, a secret's value never shown.
 */
const ROOT = join(import.meta.dirname, '..', '..');

function run(script: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, script, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
}

const start = (env: Record<string, string>) => run(['--enable-source-maps', join('dist', 'main.js')], env);
const cli = (args: string[], env: Record<string, string>) => run([join('bin', 'logtune.js'), ...args], env);

describe('settings errors', () => {
  it('npm start names every invalid setting of every section at once, with what was expected and given', () => {
    const secret = 'not-a-bot-token-7f3a9c';
    const result = start({
      SLACK_BOT_TOKEN: secret,
      SLACK_SIGNING_SECRET: 'signing-secret-2b7e',
      PORT: 'notaport',
      LOGTUNE_POLL_SECONDS: 'abc',
      LOGTUNE_TRAINING_EPOCHS: '0',
      LOGTUNE_ENDPOINT_IDLE_HOURS: 'soon',
      LOGTUNE_TRIAGE_CHANNELS: 'general',
      LOGTUNE_JUMPSTART_MODEL_VERSION: '4.x',
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('logtune: 7 settings are missing or invalid:');
    expect(lines.slice(1)).toEqual([
      '  SLACK_BOT_TOKEN: expected a bot token starting with xoxb-, got a value that is not shown (a secret)',
      '  PORT: expected a whole number from 0 to 65535, got "notaport"',
      '  LOGTUNE_POLL_SECONDS: expected a whole number from 5 to 3600, got "abc"',
      '  LOGTUNE_TRAINING_EPOCHS: expected a whole number from 1 to 1000, got "0"',
      '  LOGTUNE_JUMPSTART_MODEL_VERSION: expected a version or a pin such as 4.* or 4.13.0, got "4.x"',
      '  LOGTUNE_ENDPOINT_IDLE_HOURS: expected a number above 0, at most 8760, got "soon"',
      '  LOGTUNE_TRIAGE_CHANNELS: expected Slack channel ids such as C012ABCDEF, comma-separated, got "general"',
    ]);
    expect(result.stderr + result.stdout).not.toContain(secret);
    expect(result.stderr + result.stdout).not.toContain('signing-secret-2b7e');
  }, 30_000);

  it('npm start names a missing setting and an invalid one together', () => {
    const result = start({ PORT: 'notaport', SLACK_APP_TOKEN: 'xapp-1-secret-value' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'logtune: 2 settings are missing or invalid:\n' +
        '  SLACK_BOT_TOKEN: is required but not set\n' +
        '  PORT: expected a whole number from 0 to 65535, got "notaport"\n',
    );
  }, 30_000);

  it('npm start in HTTP mode without a signing secret says what to set, once the token is right', () => {
    const result = start({ SLACK_BOT_TOKEN: 'xoxb-1-2-token', LOGTUNE_POLL_SECONDS: '2' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'logtune: 2 settings are missing or invalid:\n' +
        '  LOGTUNE_POLL_SECONDS: expected a whole number from 5 to 3600, got "2"\n' +
        "  SLACK_SIGNING_SECRET: expected the app's signing secret in HTTP mode (or SLACK_APP_TOKEN for Socket Mode), got nothing (not set)\n",
    );
  }, 30_000);

  it('logtune dataset names every invalid data setting at once and exits 2', () => {
    const result = cli(['dataset', '2024-04-01', '--out', join(ROOT, 'never-written')], {
      LOGTUNE_MAX_RANGE_DAYS: 'abc',
      LOGTUNE_FETCH_CONCURRENCY: '0',
      LOGTUNE_S3_FORCE_PATH_STYLE: 'maybe',
      LOGTUNE_LOGS_URI: 'http://logs.example/cf/',
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'logtune: 4 settings are missing or invalid:',
      '  LOGTUNE_LOGS_URI: expected s3://bucket/prefix or a local folder ("http://logs.example/cf/": only s3:// URIs and local directories are supported), got "http://logs.example/cf/"',
      '  LOGTUNE_MAX_RANGE_DAYS: expected a whole number from 1 to 3660, got "abc"',
      '  LOGTUNE_FETCH_CONCURRENCY: expected a whole number from 1 to 256, got "0"',
      '  LOGTUNE_S3_FORCE_PATH_STYLE: expected true or false, got "maybe"',
    ]);
  }, 30_000);

  it('one invalid setting is one line, as before', () => {
    const result = cli(['dataset', '2024-04-01', '--out', join(ROOT, 'never-written')], {
      LOGTUNE_PARSE_WORKERS: '2.5',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('logtune: LOGTUNE_PARSE_WORKERS: expected a whole number from 0 to 32, got "2.5"\n');
  }, 30_000);
});
