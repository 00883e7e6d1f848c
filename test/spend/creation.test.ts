import { describe, expect, it } from 'vitest';
import { BackgroundTasks } from '../../src/shared/backgroundTasks.ts';
import { CreationWithdrawn, SpendCreation, type CreationKind } from '../../src/spend/creation.ts';
import { UsageError } from '../../src/errors.ts';
import { ManualClock, waitFor } from '../slack/support.ts';

/** The create step of a spend with plain fakes: a kind that records what it was asked, a clock moved by hand. */
interface Request {
  readonly id: string;
}

const lostAnswer = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const timedOut = () =>
  Object.assign(new Error('a request has exceeded the configured 300 ms requestTimeout'), { name: 'TimeoutError' });

/** SageMaker's side of a kind: creates and Describes, recorded; what the request becomes is recorded by setup(). */
class FakeCloud {
  readonly what = 'widget creation';
  readonly creates: string[] = [];
  readonly settles: string[] = [];
  /** Thrown by the next creates, in order; then creates succeed. */
  failWith: Error[] = [];
  /** What a Describe on the derived name finds after the last failure. */
  exists = false;
  approvedIds = new Set(['r1', 'r2']);

  approved(id: string) {
    return this.approvedIds.has(id) ? { id } : undefined;
  }
  async create(record: Request) {
    this.creates.push(record.id);
    await new Promise((resolve) => setTimeout(resolve, 1));
    const failure = this.failWith.shift();
    if (failure) throw failure;
    return 'created' as const;
  }
  async settle(record: Request) {
    this.settles.push(record.id);
    return this.exists ? ('existing' as const) : undefined;
  }
}

function setup() {
  const kind = new FakeCloud();
  const outcomes: string[] = [];
  const closed = new Set<string>();
  const warnings: unknown[] = [];
  const errors: unknown[] = [];
  const infos: unknown[] = [];
  const log = {
    info: (m: string, f?: unknown) => infos.push([m, f]),
    warn: (m: string, f?: unknown) => warnings.push([m, f]),
    error: (m: string, f?: unknown) => errors.push([m, f]),
  };
  const clock = new ManualClock();
  const tasks = new BackgroundTasks(log);
  const spend: CreationKind<Request, 'created' | 'existing'> = {
    what: kind.what,
    approved: (id) => kind.approved(id),
    create: (r) => kind.create(r),
    settle: (r) => kind.settle(r),
    created: async (r, o) => void outcomes.push(`${r.id}:${o}`),
    requests: { close: (id) => (closed.has(id) ? false : (closed.add(id), true)) },
    failure: 'the cloud did not make it',
    failed: async (r, reason) => void outcomes.push(`${r.id}:failed:${reason}`),
  };
  const creation = new SpendCreation(spend, { clock, log, tasks, retryMs: 1000, attempts: 3 });
  return { kind, outcomes, warnings, errors, infos, clock, tasks, creation };
}

describe('SpendCreation', () => {
  it('creates an approved request once, however often it is started', async () => {
    const { kind, outcomes, creation, tasks } = setup();
    creation.start('r1');
    creation.start('r1');
    await creation.run('r1');
    await tasks.idle();
    expect(kind.creates).toEqual(['r1']);
    expect(outcomes).toEqual(['r1:created']);
  });

  it('leaves alone what is no longer approved', async () => {
    const { kind, outcomes, creation } = setup();
    await creation.run('r9');
    expect(kind.creates).toEqual([]);
    expect(outcomes).toEqual([]);
  });

  it('retries a transient failure after n × retryMs on its clock, not before', async () => {
    const { kind, outcomes, warnings, clock, creation, tasks } = setup();
    kind.failWith = [lostAnswer(), timedOut()];
    creation.start('r1');
    await waitFor(() => warnings.length === 1, { what: 'the first failure' });
    clock.advance(999);
    expect(kind.creates).toEqual(['r1']);
    clock.advance(1);
    await waitFor(() => warnings.length === 2, { what: 'the second failure' });
    clock.advance(1999);
    expect(kind.creates).toEqual(['r1', 'r1']);
    clock.advance(1);
    await tasks.idle();
    expect(kind.creates).toEqual(['r1', 'r1', 'r1']);
    expect(outcomes).toEqual(['r1:created']);
    expect(warnings.map((w) => (w as [string, { attempts: number }])[1].attempts)).toEqual([1, 2]);
  });

  it('fails at once, without retry or Describe, on an error the next attempt would meet again', async () => {
    const { kind, outcomes, errors, creation } = setup();
    kind.failWith = [new UsageError('the dataset is not in S3')];
    await creation.run('r1');
    expect(kind.creates).toEqual(['r1']);
    expect(kind.settles).toEqual([]);
    expect(outcomes).toEqual(['r1:failed:the dataset is not in S3']);
    expect(errors).toHaveLength(1);
  });

  it('ends quietly when the request was withdrawn before an attempt: no failure logged, closed or said', async () => {
    const { kind, outcomes, errors, infos, creation } = setup();
    kind.failWith = [new CreationWithdrawn('r1 was cancelled before this attempt; nothing was created')];
    await creation.run('r1');
    expect(kind.creates).toEqual(['r1']);
    expect(kind.settles).toEqual([]);
    expect(outcomes).toEqual([]);
    expect(errors).toEqual([]);
    expect(infos).toEqual([
      [
        `${kind.what} withdrawn`,
        { requestId: 'r1', reason: 'r1 was cancelled before this attempt; nothing was created' },
      ],
    ]);
  });

  it('when every attempt lost its answer, follows what Describe finds under the derived name instead of failing', async () => {
    const { kind, outcomes, clock, creation, tasks } = setup();
    kind.failWith = [timedOut(), timedOut(), timedOut()];
    kind.exists = true;
    creation.start('r1');
    for (let i = 1; i <= 2; i++) {
      await waitFor(() => kind.creates.length === i && clock.pendingTimers === 1, { what: `attempt ${i}` });
      clock.advance(1000 * i);
    }
    await tasks.idle();
    expect(kind.creates).toEqual(['r1', 'r1', 'r1']);
    expect(kind.settles).toEqual(['r1']);
    expect(outcomes).toEqual(['r1:existing']);
  });

  it('fails once Describe finds nothing either', async () => {
    const { kind, outcomes, clock, creation, tasks } = setup();
    kind.failWith = [timedOut(), timedOut(), timedOut()];
    creation.start('r1');
    for (let i = 1; i <= 2; i++) {
      await waitFor(() => kind.creates.length === i && clock.pendingTimers === 1, { what: `attempt ${i}` });
      clock.advance(1000 * i);
    }
    await tasks.idle();
    expect(kind.settles).toEqual(['r1']);
    expect(outcomes).toEqual([expect.stringMatching(/^r1:failed:a request has exceeded/)]);
  });

  it('on stop, ends a wait at once and decides nothing: the next start resumes the approved request', async () => {
    const { kind, outcomes, clock, creation, tasks } = setup();
    kind.failWith = [lostAnswer()];
    creation.start('r1');
    await waitFor(() => clock.pendingTimers === 1, { what: 'the wait before the retry' });
    creation.stop();
    expect(await tasks.stop(1000)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    expect(kind.creates).toEqual(['r1']);
    expect(kind.settles).toEqual([]);
    expect(outcomes).toEqual([]);
    creation.start('r2');
    await tasks.idle();
    expect(kind.creates).toEqual(['r1']);
  });
});
