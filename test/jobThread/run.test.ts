import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { buildDataset } from '../../src/dataset/build.ts';
import { openStoredDataset } from '../../src/dataset/output/stored.ts';
import { resolveBuildRequest } from '../../src/dataset/request/request.ts';
import type { BuildProgress, BuildRequest } from '../../src/dataset/types.ts';
import { CancelledError, UsageError } from '../../src/errors.ts';
import { runBaseline } from '../../src/evaluation/baseline.ts';
import { buildOnJobThread, runOnJobThread } from '../../src/jobThread/run.ts';
import { syntheticRows, toCsv } from '../helpers/syntheticLogs.ts';

const DAYS = ['2024-04-01', '2024-04-02'];
const NOW = new Date('2024-06-01T00:00:00Z');
let root: string;
let logs: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-job-thread-'));
  logs = join(root, 'logs');
  let seed = 1;
  for (const day of DAYS) {
    const dir = join(logs, day.replaceAll('-', '/'));
    await mkdir(dir, { recursive: true });
    for (let f = 0; f < 20; f++) await writeFile(join(dir, `part-${f}.csv`), toCsv(syntheticRows(day, 100, seed++)));
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function request(out: string, rangeText = `${DAYS[0]}..${DAYS[1]}`): BuildRequest {
  const config = loadDataSettings({ LOGTUNE_LOGS_URI: logs, LOGTUNE_PARSE_WORKERS: '1' });
  return resolveBuildRequest(config, { rangeText, outUri: join(root, out), seed: 7 }, NOW);
}

describe('a build on a job thread', () => {
  it('writes the dataset the same build writes in process, and reports its progress', async () => {
    const progress: BuildProgress[] = [];
    const onThread = await buildOnJobThread(request('thread'), { onProgress: (p) => progress.push(p) });
    const inProcess = await buildDataset(request('in-process'));
    expect(onThread.rows).toEqual(inProcess.rows);
    expect(onThread.labels).toEqual(inProcess.labels);
    expect(onThread.tokens).toEqual(inProcess.tokens);
    expect(onThread.files).toEqual(inProcess.files);
    expect(existsSync(join(root, 'thread', 'stats.json'))).toBe(true);
    expect(progress.map((p) => p.phase)).toContain('reading');
    expect(progress.at(-1)).toMatchObject({ phase: 'done', filesDone: 40, filesTotal: 40 });
  });

  it('is cancelled through the signal, and writes no stats.json', async () => {
    const controller = new AbortController();
    const build = buildOnJobThread(request('cancelled'), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.filesDone > 0) controller.abort();
      },
    });
    await expect(build).rejects.toBeInstanceOf(CancelledError);
    expect(existsSync(join(root, 'cancelled', 'stats.json'))).toBe(false);
  });

  it('does not start when the signal has already fired', async () => {
    await expect(buildOnJobThread(request('never'), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      CancelledError,
    );
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it("rethrows the task's error as the same kind of logtune error, with its message", async () => {
    const error = await buildOnJobThread(request('empty', '2024-04-05')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(/^no log files under .* for 5 Apr 2024/);
  });
});

describe('the baseline on a job thread', () => {
  it('trains and scores what runBaseline does in process, and writes it beside the dataset', async () => {
    const out = join(root, 'thread');
    const evaluation = await runOnJobThread('baseline', { outUri: out, s3ForcePathStyle: false });
    const inProcess = await runBaseline(await openStoredDataset(out, undefined));
    // Everything but when it ran and how long it took.
    const scores = ({ seconds: _s, createdAt: _c, ...rest }: typeof evaluation.report) => rest;
    expect(scores(evaluation.report)).toEqual(scores(inProcess.evaluation.report));
    expect(evaluation.report.macroF1).toBeGreaterThan(0);
    expect(existsSync(join(out, 'baseline', 'eval.json'))).toBe(true);
  });
});
