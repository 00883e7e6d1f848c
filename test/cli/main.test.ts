import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliCommand } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import type { BuildSummary } from '../../src/dataset/types.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import { captureStream } from '../helpers/captureStream.ts';
import { writeSeedLayout } from '../helpers/syntheticLogs.ts';

let root: string;
let logs: string;
let labelCounts: Record<string, number>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-cli-'));
  logs = join(root, 'logs');
  labelCounts = await writeSeedLayout(new LocalStore(logs), {
    days: ['2024-04-01', '2024-04-02'],
    filesPerDay: 2,
    rowsPerFile: 40,
    seed: 3,
  });
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function run(argv: string[], env: Record<string, string> = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { LOGTUNE_PARSE_WORKERS: '0', ...env },
  });
  return { code, stdout, stderr };
}

describe('logtune dataset', () => {
  it('builds, reports progress on stderr and prints exactly one JSON summary line on stdout', async () => {
    const out = join(root, 'out-flags');
    const { code, stdout, stderr } = await run([
      'dataset',
      '2024-04-01..2024-04-02',
      '--logs',
      logs,
      '--out',
      out,
      '--seed',
      '5',
    ]);
    expect(stderr.text()).not.toMatch(/logtune: /);
    expect(code).toBe(0);
    expect(stdout.writes).toHaveLength(1);
    const text = stdout.text();
    expect(text.endsWith('\n')).toBe(true);
    expect(text.slice(0, -1)).not.toContain('\n');
    const summary = JSON.parse(text) as BuildSummary;
    expect(summary).toEqual(JSON.parse(await readFile(join(out, 'stats.json'), 'utf8')));
    expect(summary.settings.seed).toBe(5);
    expect(summary.rows.train + summary.rows.validation).toBe(summary.rows.unique);
    expect(Object.keys(summary.labels).sort()).toEqual(Object.keys(labelCounts).sort());
    for (const [label, n] of Object.entries(labelCounts)) expect(summary.labels[label]!.scanned).toBe(n);
    expect((await readdir(out)).sort()).toEqual(['stats.json', 'train', 'validation']);

    const err = stderr.text();
    expect(err).toContain('Building');
    expect(err).toMatch(/4\/4 files/); // the progress line when every file is read
    expect(err).toMatch(/Done in .*train.*validation/);
    expect(err).toContain(`training channel:   ${out}/train/\n`);
    expect(err).toContain(`validation channel: ${out}/validation/\n`);
    expect(err).not.toContain('\x1b['); // no terminal codes when stderr is not a TTY
  });

  it('writes under LOGTUNE_ARTIFACTS_URI/datasets/<id> when no --out is given', async () => {
    const artifacts = join(root, 'artifacts');
    const { code, stdout } = await run(['dataset', '2024-04-01'], {
      LOGTUNE_LOGS_URI: logs,
      LOGTUNE_ARTIFACTS_URI: artifacts,
    });
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.text()) as BuildSummary;
    expect(summary.outUri).toBe(join(artifacts, 'datasets', summary.datasetId));
    expect((await readdir(summary.outUri)).sort()).toEqual(['stats.json', 'train', 'validation']);
  });

  it('says when the validation channel is empty (--validation 0)', async () => {
    const out = join(root, 'out-no-validation');
    const { code, stderr } = await run(['dataset', '2024-04-01', '--logs', logs, '--out', out, '--validation', '0']);
    expect(code).toBe(0);
    expect(stderr.text()).toContain(`validation channel: ${out}/validation/ (empty: train without it)\n`);
  });

  it('refuses a bad range with exit 2 and a message with an example', async () => {
    const { code, stdout, stderr } = await run([
      'dataset',
      'sometime',
      'soon',
      '--logs',
      logs,
      '--out',
      join(root, 'x'),
    ]);
    expect(code).toBe(2);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toMatch(/^logtune: .*e\.g\./);
    expect(stderr.text().trim().split('\n')).toHaveLength(1);
  });

  it('names LOGTUNE_LOGS_URI when it is missing', async () => {
    const { code, stdout, stderr } = await run(['dataset', '2024-04-01'], { LOGTUNE_ARTIFACTS_URI: join(root, 'y') });
    expect(code).toBe(2);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toContain('LOGTUNE_LOGS_URI');
    expect(stderr.text().trim().split('\n')).toHaveLength(1);
  });

  it('names an invalid setting', async () => {
    const { code, stderr } = await run(['dataset', '2024-04-01', '--logs', logs, '--out', join(root, 'z')], {
      LOGTUNE_FETCH_CONCURRENCY: 'lots',
    });
    expect(code).toBe(2);
    expect(stderr.text()).toMatch(/^logtune: LOGTUNE_FETCH_CONCURRENCY: /);
  });

  it('refuses an unknown flag with the usage', async () => {
    const { code, stderr } = await run(['dataset', '2024-04-01', '--fast']);
    expect(code).toBe(2);
    expect(stderr.text()).toContain('Usage: logtune dataset <range>');
  });

  it('fails with exit 2 and a clear message when the range has no log files, writing nothing', async () => {
    const out = join(root, 'out-empty');
    const { code, stdout, stderr } = await run(['dataset', '2024-05-01..2024-05-03', '--logs', logs, '--out', out]);
    expect(code).toBe(2);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toMatch(/logtune: no log files under .*logs/);
    await expect(readdir(out)).rejects.toThrow();
  });
});

/** The last line on stderr: what logtune said when it stopped ("Building …" may come before it). */
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1)!;

describe('logtune dataset: mistakes a new user makes get logtune’s own one-line answer and exit 2', () => {
  it.each([
    [['--max-examples', '-5'], 'logtune: --max-examples expects a whole number of at least 1, got "-5"'],
    [['--seed', '-1'], 'logtune: --seed expects a whole number of at least 0, got "-1"'],
    [['--validation', '-0.1'], 'logtune: --validation must be a fraction at least 0 and below 1, got "-0.1"'],
  ])('%j', async (flags, message) => {
    const { code, stdout, stderr } = await run([
      'dataset',
      '2024-04-01',
      '--logs',
      logs,
      '--out',
      join(root, 'never'),
      ...flags,
    ]);
    expect(code).toBe(2);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toBe(`${message}\n`);
  });

  it('a flag left without its value', async () => {
    const { code, stderr } = await run(['dataset', '2024-04-01', '--max-examples', '--seed', '3']);
    expect(code).toBe(2);
    expect(stderr.text()).toMatch(/^logtune: --max-examples needs a value\. Usage: logtune dataset <range>/);
    expect(stderr.text().trimEnd().split('\n')).toHaveLength(1);
  });

  it('a logs folder that does not exist, or is a file', async () => {
    const missing = join(root, 'no-such-folder');
    const gone = await run(['dataset', '2024-04-01', '--logs', missing, '--out', join(root, 'never')]);
    expect(gone.code).toBe(2);
    expect(lastLine(gone.stderr.text())).toBe(`logtune: the logs folder ${missing} does not exist`);
    const file = join(root, 'one-log.csv');
    await writeFile(file, 'date,ThreatLevel\n2024-04-01,benign\n');
    const notFolder = await run(['dataset', '2024-04-01', '--logs', file, '--out', join(root, 'never')]);
    expect(notFolder.code).toBe(2);
    expect(lastLine(notFolder.stderr.text())).toBe(`logtune: the logs location ${file} is a file, not a folder`);
    await expect(readdir(join(root, 'never'))).rejects.toThrow();
  });

  it('an s3:// location with no AWS region set names AWS_REGION, before any request', async () => {
    const saved = { ...process.env };
    // The SDK reads its own settings from the process: no region variable, no profile files to find one in.
    delete process.env.AWS_REGION;
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = join(root, 'no-aws-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(root, 'no-aws-credentials');
    try {
      const { code, stdout, stderr } = await run([
        'dataset',
        '2024-04-01',
        '--logs',
        's3://some-logs-bucket/cdn/',
        '--out',
        join(root, 'never'),
      ]);
      expect(code).toBe(2);
      expect(stdout.text()).toBe('');
      expect(lastLine(stderr.text())).toMatch(
        /^logtune: AWS_REGION: is not set: s3:\/\/some-logs-bucket\/cdn\/ needs an AWS region/,
      );
      expect(stderr.text()).not.toContain('Region is missing');
    } finally {
      process.env = saved;
    }
  });

  it('the SDK’s "Region is missing" from any other AWS client is said the same way', async () => {
    const stdout = captureStream();
    const stderr = captureStream();
    const command: CliCommand = {
      name: 'train',
      usage: 'logtune train',
      summary: 'a command whose AWS client has no region',
      run: () => Promise.reject(new Error('Region is missing')),
    };
    const code = await main(['train'], { stdout: stdout.stream, stderr: stderr.stream, env: {} }, [command]);
    expect(code).toBe(2);
    expect(stderr.text()).toMatch(/^logtune: AWS_REGION: is not set: AWS requests need a region .*\n$/);
  });
});

describe('logtune help and unknown commands', () => {
  it('prints the help with exit 0', async () => {
    for (const word of ['help', '--help', '-h']) {
      const { code, stdout } = await run([word]);
      expect(code).toBe(0);
      expect(stdout.text()).toContain('Usage:');
      expect(stdout.text()).toContain('logtune dataset <range>');
      expect(stdout.text()).toContain('--max-examples');
    }
  });

  it('prints the help with exit 2 when no command is given', async () => {
    const { code, stdout } = await run([]);
    expect(code).toBe(2);
    expect(stdout.text()).toContain('Usage:');
  });

  it('refuses an unknown command with exit 2 and the known commands', async () => {
    const { code, stdout, stderr } = await run(['fly']);
    expect(code).toBe(2);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toMatch(/unknown command "fly"\. Commands: dataset/);
  });
});
