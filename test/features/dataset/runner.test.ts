import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { rootKey } from '../../../src/features/dataset/job.ts';
import { parseStoredRequest } from '../../../src/features/dataset/storedRequest.ts';
import { createHarness, settle, type Harness } from '../../slack/harness.ts';
import { blockText, progress, sampleRequest, sampleSummary } from '../../slack/support.ts';

const harnesses: Harness[] = [];
function harness(options: Parameters<typeof createHarness>[0] = {}): Harness {
  const h = createHarness(options);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    await h.runner.shutdown(1000);
    h.close();
  }
});

function submit(h: Harness, seed?: number, onRootFailed?: () => Promise<void>) {
  const request = sampleRequest('2024-04-01..2024-05-31', seed);
  const result = h.runner.submit({
    request,
    requestedBy: 'U0ALICE',
    channel: 'C0CHAN',
    ...(onRootFailed && { onRootFailed }),
  });
  return { request, result };
}

const rootOf = (h: Harness, id: string) => h.slack.postsWithKey(rootKey(id))[0]!;
const lastRootUpdate = (h: Harness, id: string) => h.slack.updatesOf(rootOf(h, id).ts).at(-1)!;
const thread = (h: Harness, id: string) => h.slack.posts.filter((p) => p.threadTs === rootOf(h, id).ts);

describe('BuildRunner', () => {
  it('posts the root, updates it with throttled progress, threads milestones and the summary, and records success', async () => {
    const h = harness();
    const { request } = submit(h);
    await settle();
    const root = rootOf(h, request.datasetId);
    expect(root.content.text).toContain('Building dataset for 1 Apr – 31 May 2024, asked by <@U0ALICE>');
    expect(root.content.text).toContain('Queued');
    expect(h.builds.get(request.datasetId)).toMatchObject({ state: 'running', rootTs: root.ts, attempts: 1 });
    expect(lastRootUpdate(h, request.datasetId).text).toContain('Running — starting');

    const { hooks, finish } = h.builder.calls[0]!;
    for (let i = 0; i < 100; i++) hooks.onProgress!(progress({ filesDone: i, filesTotal: 100, phase: 'reading' }));
    await settle();
    expect(h.slack.updatesOf(root.ts)).toHaveLength(1);
    h.clock.advance(5000);
    await settle();
    expect(h.slack.updatesOf(root.ts)).toHaveLength(2);
    expect(blockText(lastRootUpdate(h, request.datasetId))).toContain('99/100 files');
    hooks.onProgress!(progress({ filesDone: 100, filesTotal: 100, phase: 'writing' }));

    finish(sampleSummary(request));
    await h.runner.idle();
    expect(h.builds.get(request.datasetId)).toMatchObject({
      state: 'succeeded',
      summary: expect.objectContaining({ datasetId: request.datasetId }),
    });
    const replies = thread(h, request.datasetId);
    expect(replies.map((p) => p.key)).toEqual([
      `build:${request.datasetId}:listed`,
      `build:${request.datasetId}:read`,
      `build:${request.datasetId}:summary`,
    ]);
    expect(replies[0]!.content.text).toContain('Listing done: 100 files');
    expect(blockText(replies[2]!.content)).toMatch(/benign\s+7,000\s+6,950/);
    const final = lastRootUpdate(h, request.datasetId);
    expect(final.text).toContain('Succeeded');
    expect(final.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(h.slack.posts.filter((p) => p.threadTs === undefined)).toHaveLength(1);
  });

  it('runs at most `concurrency` builds; the others show queued until a slot frees', async () => {
    const h = harness({ concurrency: 1 });
    const a = submit(h, 1).request;
    const b = submit(h, 2).request;
    await settle();
    expect(h.builder.calls.map((c) => c.request.datasetId)).toEqual([a.datasetId]);
    expect(h.builds.get(b.datasetId)?.state).toBe('queued');
    expect(rootOf(h, b.datasetId).content.text).toContain('Queued');
    h.builder.calls[0]!.finish(sampleSummary(a));
    await settle();
    expect(h.builder.calls.map((c) => c.request.datasetId)).toEqual([a.datasetId, b.datasetId]);
  });

  it('refuses a duplicate of a queued or running build', async () => {
    const h = harness();
    const first = submit(h);
    const second = submit(h);
    expect(second.result).toMatchObject({ kind: 'duplicate', existing: { id: first.request.datasetId } });
    await settle();
    expect(h.builder.calls).toHaveLength(1);
  });

  it('cancels a running build: the builder is aborted, the thread and root say who cancelled', async () => {
    const h = harness();
    const { request } = submit(h);
    await settle();
    expect(h.runner.cancel(request.datasetId, 'U0BOB').kind).toBe('cancelling');
    expect(h.builder.calls[0]!.hooks.signal?.aborted).toBe(true);
    await h.runner.idle();
    expect(h.builds.get(request.datasetId)).toMatchObject({ state: 'cancelled', cancelledBy: 'U0BOB' });
    expect(thread(h, request.datasetId).at(-1)!.content.text).toContain('Build cancelled by <@U0BOB>');
    const root = lastRootUpdate(h, request.datasetId);
    expect(root.text).toContain('Cancelled by <@U0BOB>');
    expect(root.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(h.runner.cancel(request.datasetId, 'U0BOB')).toMatchObject({ kind: 'finished' });
    expect(h.runner.cancel('ds-unknown', 'U0BOB')).toEqual({ kind: 'not_found' });
  });

  it('cancels a queued build before it starts; it never runs', async () => {
    const h = harness({ concurrency: 1 });
    const a = submit(h, 1).request;
    const b = submit(h, 2).request;
    await settle();
    expect(h.runner.cancel(b.datasetId, 'U0BOB').kind).toBe('cancelled');
    await settle();
    expect(h.builds.get(b.datasetId)?.state).toBe('cancelled');
    expect(lastRootUpdate(h, b.datasetId).text).toContain('Cancelled');
    h.builder.calls[0]!.finish(sampleSummary(a));
    await h.runner.idle();
    expect(h.builder.calls).toHaveLength(1);
  });

  it('reports a failure in the thread and the root', async () => {
    const h = harness();
    const { request } = submit(h);
    await settle();
    h.builder.calls[0]!.fail(new Error('AccessDenied: s3://logs-bucket/logs/'));
    await h.runner.idle();
    expect(h.builds.get(request.datasetId)).toMatchObject({
      state: 'failed',
      error: 'AccessDenied: s3://logs-bucket/logs/',
    });
    expect(thread(h, request.datasetId).at(-1)!.content.text).toContain('Build failed: AccessDenied');
    expect(lastRootUpdate(h, request.datasetId).text).toContain('Failed — AccessDenied');
  });

  it('keeps building when Slack refuses the root message, and tells the requester', async () => {
    const h = harness();
    h.slack.failPost = () => new webApi.WebAPIPlatformError({ ok: false, error: 'not_in_channel' });
    let told = 0;
    const { request } = submit(h, undefined, async () => {
      told++;
    });
    await settle();
    expect(told).toBe(1);
    h.builder.calls[0]!.hooks.onProgress!(progress({ phase: 'writing' }));
    h.builder.calls[0]!.finish(sampleSummary(request));
    await h.runner.idle();
    expect(h.builds.get(request.datasetId)?.state).toBe('succeeded');
    expect(h.slack.posts).toHaveLength(0);
  });

  it('on shutdown leaves a running build running; the next runner resumes it without posting its root again', async () => {
    const h = harness();
    const { request } = submit(h);
    await settle();
    h.builder.calls[0]!.hooks.onProgress!(progress({ phase: 'writing' }));
    await settle();
    expect(await h.runner.shutdown(1000)).toBe(true);
    // Paused, not failed: a clean shutdown does not use up an attempt.
    expect(h.builds.get(request.datasetId)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(lastRootUpdate(h, request.datasetId).text).toContain('restarting');

    const next = h.restart();
    expect(next.runner.resume()).toEqual({ resumed: 1, interrupted: 0, failed: 0 });
    await settle();
    expect(next.builder.calls[0]!.request).toEqual(JSON.parse(JSON.stringify(request)));
    next.builder.calls[0]!.hooks.onProgress!(progress({ phase: 'writing' }));
    next.builder.calls[0]!.finish(sampleSummary(request));
    await next.runner.idle();
    expect(next.builds.get(request.datasetId)).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(h.slack.postsWithKey(rootKey(request.datasetId))).toHaveLength(1);
    expect(h.slack.postsWithKey(`build:${request.datasetId}:read`)).toHaveLength(1);
    expect(h.slack.postsWithKey(`build:${request.datasetId}:summary`)).toHaveLength(1);
    expect(thread(h, request.datasetId).map((p) => p.content.text)).toEqual([
      expect.stringContaining('Listing done'),
      expect.stringContaining('Reading done'),
      expect.stringContaining('Resumed after a restart; rebuilding from the start'),
      expect.stringContaining('Dataset ready'),
    ]);
    expect(lastRootUpdate(h, request.datasetId).text).toContain('Succeeded');
  });

  it('resumes a build that was still queued, and marks one whose request is unreadable interrupted', async () => {
    const h = harness({ concurrency: 1 });
    const a = submit(h, 1).request;
    const b = submit(h, 2).request;
    await settle();
    await h.runner.shutdown(1000);
    h.db.prepare('UPDATE builds SET request_json = \'{"broken":true}\' WHERE id = ?').run(a.datasetId);
    const next = h.restart();
    expect(next.runner.resume()).toEqual({ resumed: 1, interrupted: 1, failed: 0 });
    await settle();
    expect(next.builds.get(a.datasetId)).toMatchObject({
      state: 'interrupted',
      error: expect.stringMatching(/^cannot resume: the stored request is not understood \(datasetId: /),
    });
    expect(thread(h, a.datasetId).at(-1)!.content.text).toContain('cannot be resumed');
    expect(lastRootUpdate(h, a.datasetId).text).toContain('Interrupted');
    expect(next.builder.calls.map((c) => c.request.datasetId)).toEqual([b.datasetId]);
  });

  it('parseStoredRequest checks the stored request belongs to the build', () => {
    const request = sampleRequest();
    expect(parseStoredRequest(JSON.stringify(request), request.datasetId).outUri).toBe(request.outUri);
    expect(() => parseStoredRequest(JSON.stringify(request), 'other')).toThrow(/belongs to another build/);
    expect(() => parseStoredRequest('not json', request.datasetId)).toThrow(/not understood/);
    expect(() => parseStoredRequest(JSON.stringify({ ...request, seed: -1 }), request.datasetId)).toThrow(/seed/);
    // Stored before the size cap and the fast-GET switch existed: resumed with the defaults of that time.
    const { maxFileBytes: _m, s3FastGet: _f, ...older } = request;
    expect(parseStoredRequest(JSON.stringify(older), request.datasetId)).toMatchObject({
      s3FastGet: true,
      maxFileBytes: 256 * 1024 * 1024,
    });
  });

  it('re-runs a build that crashed the process at most LOGTUNE_BUILD_MAX_ATTEMPTS times, then fails it and says why', async () => {
    const h = harness({ maxAttempts: 2 });
    const { request } = submit(h);
    await settle();
    // The process dies mid-build: nothing pauses it; the database still says running.
    const crash = async (x: Harness) => {
      await settle();
      expect(x.builds.get(request.datasetId)?.state).toBe('running');
    };
    await crash(h);
    const second = h.restart();
    expect(second.runner.resume()).toEqual({ resumed: 1, interrupted: 0, failed: 0 });
    await crash(second);
    expect(thread(h, request.datasetId).at(-1)!.content.text).toContain(
      'Resumed after logtune stopped in the middle of it; rebuilding from the start (attempt 2 of at most 2)',
    );
    expect(second.builds.get(request.datasetId)?.attempts).toBe(2);

    const third = second.restart();
    expect(third.runner.resume()).toEqual({ resumed: 0, interrupted: 0, failed: 1 });
    await third.runner.idle();
    expect(third.builder.calls).toHaveLength(0);
    const build = third.builds.get(request.datasetId)!;
    expect(build.state).toBe('failed');
    expect(build.error).toContain('logtune stopped during each of its 2 attempts (LOGTUNE_BUILD_MAX_ATTEMPTS=2)');
    expect(thread(h, request.datasetId).at(-1)!.content.text).toContain(
      'Build failed: logtune stopped during each of its 2 attempts',
    );
    expect(lastRootUpdate(h, request.datasetId).text).toContain('Failed');
    // Another start finds nothing to do.
    expect(third.restart().runner.resume()).toEqual({ resumed: 0, interrupted: 0, failed: 0 });
    for (const x of [h, second]) await x.runner.shutdown(100);
  });
});
