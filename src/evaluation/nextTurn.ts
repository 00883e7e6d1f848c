import { setImmediate } from 'node:timers/promises';
import { throwIfAborted } from '../errors.ts';

/**
 * Lets I/O and timers run between slices of CPU-bound work (training, the leak pass), so a bot that runs the
 * baseline after a build keeps answering Slack meanwhile; also the place a cancellation is noticed.
 */
export async function nextTurn(signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  await setImmediate();
  throwIfAborted(signal);
}

/** Examples per slice: about 10–20 ms of work each. */
export const SLICE = 4096;
