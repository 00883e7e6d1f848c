import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The file under a LocalStore writer is opened asynchronously. Here every write stream opens its file 50 ms late
 * (a slow disk or a busy libuv pool), so an abort that does not wait for the open races it deterministically.
 */
const opens = vi.hoisted(() => ({ pending: 0, done: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const slowFs = {
    open: (...args: Parameters<typeof actual.open>) => {
      opens.pending++;
      const callback = args.at(-1) as (error: NodeJS.ErrnoException | null, fd: number) => void;
      setTimeout(() => {
        actual.open(...(args.slice(0, -1) as [string, string]), (error: NodeJS.ErrnoException | null, fd: number) => {
          opens.pending--;
          opens.done++;
          callback(error, fd);
        });
      }, 50);
    },
    write: actual.write,
    writev: actual.writev,
    close: actual.close,
  };
  const createWriteStream = (path: string, options?: object) =>
    actual.createWriteStream(path, { ...options, fs: slowFs } as never);
  return { ...actual, default: { ...actual, createWriteStream }, createWriteStream };
});

const { LocalStore } = await import('../../src/objectStore/localStore.ts');

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-slow-open-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Waits (at most 2 s) until every delayed open has run, plus a few turns for the stream to close its file. */
async function openingsSettled(): Promise<void> {
  for (let turn = 0; turn < 200 && opens.pending > 0; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(opens.pending).toBe(0);
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('LocalStore writer abort with a slow file open', () => {
  it('leaves no .partial file when aborted right after a write', async () => {
    const store = new LocalStore(join(root, 'out'));
    const writer = store.createWriter('train.jsonl');
    await writer.write('{"a":1}\n');
    await writer.abort();
    await openingsSettled();
    expect(opens.done).toBeGreaterThan(0); // the mock was in the path
    // Nothing left, not even the folder the writer created.
    await expect(readdir(join(root, 'out'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('still closes a writer normally', async () => {
    const store = new LocalStore(join(root, 'closed'));
    const writer = store.createWriter('validation.jsonl');
    await writer.write('{"a":1}\n');
    await writer.close();
    expect(await readdir(join(root, 'closed'))).toEqual(['validation.jsonl']);
  });
});
