import { describe, expect, it } from 'vitest';
import { Throttle } from '../../src/slack/throttle.ts';
import { deferred, ManualClock } from './support.ts';

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup(intervalMs = 5000) {
  const clock = new ManualClock(0);
  const sent: { value: number; at: number }[] = [];
  const throttle = new Throttle<number>(intervalMs, clock, async (value) => {
    sent.push({ value, at: clock.now() });
  });
  return { clock, sent, throttle };
}

describe('Throttle', () => {
  it('sends the first value at once, then at most one per interval, always the newest', async () => {
    const { clock, sent, throttle } = setup();
    throttle.push(1);
    await flush();
    for (let v = 2; v <= 50; v++) {
      clock.advance(100);
      throttle.push(v);
      await flush();
    }
    // 4.9 s after the first send: nothing more yet.
    expect(sent).toEqual([{ value: 1, at: 0 }]);
    clock.advance(100);
    await flush();
    expect(sent).toEqual([
      { value: 1, at: 0 },
      { value: 50, at: 5000 },
    ]);
  });

  it('lets the last value land even when nothing else is pushed', async () => {
    const { clock, sent, throttle } = setup();
    throttle.push(1);
    await flush();
    throttle.push(2);
    throttle.push(3);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(5000);
    await flush();
    expect(sent.map((s) => s.value)).toEqual([1, 3]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never overlaps sends: a slow send delays the next, which then carries the newest value', async () => {
    const clock = new ManualClock(0);
    const gates = [deferred(), deferred()];
    const sent: number[] = [];
    let active = 0;
    let maxActive = 0;
    const throttle = new Throttle<number>(1000, clock, async (value) => {
      active++;
      maxActive = Math.max(maxActive, active);
      sent.push(value);
      await gates[sent.length - 1]?.promise;
      active--;
    });
    throttle.push(1);
    clock.advance(3000);
    throttle.push(2);
    throttle.push(3);
    await flush();
    expect(sent).toEqual([1]);
    gates[0]!.resolve();
    await flush();
    await flush();
    expect(sent).toEqual([1, 3]);
    gates[1]!.resolve();
    await throttle.stop();
    expect(maxActive).toBe(1);
  });

  it('stop() drops the pending value, waits for the send in flight and ignores later pushes', async () => {
    const { clock, sent, throttle } = setup();
    throttle.push(1);
    throttle.push(2);
    await throttle.stop();
    throttle.push(3);
    clock.advance(60_000);
    await flush();
    expect(sent.map((s) => s.value)).toEqual([1]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a failing send does not stop later ones', async () => {
    const clock = new ManualClock(0);
    const sent: number[] = [];
    const throttle = new Throttle<number>(1000, clock, async (value) => {
      sent.push(value);
      if (value === 1) throw new Error('ratelimited');
    });
    throttle.push(1);
    await flush();
    throttle.push(2);
    clock.advance(1000);
    await flush();
    expect(sent).toEqual([1, 2]);
  });
});
