import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { throwIfAborted } from '../errors.ts';
import type { ObjectInfo, ObjectStore, ObjectWriter } from './store.ts';

/** A directory seen as a bucket, so the quick start and tests use the same code path as S3. */
export class LocalStore implements ObjectStore {
  constructor(private readonly directory: string) {}

  get uri(): string {
    return this.directory;
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo> {
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
    yield* this.walk(base, prefix, signal);
  }

  private async *walk(relativeDir: string, prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo> {
    throwIfAborted(signal);
    let entries;
    try {
      entries = await readdir(join(this.directory, relativeDir), { withFileTypes: true });
    } catch (error) {
      // No such folder (or a file where a folder would be): nothing under that prefix, as S3 would say.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw error;
    }
    // S3 lists in key order; a directory sorts as its name followed by '/'.
    const named = entries.map((e) => ({ e, sortKey: e.isDirectory() ? `${e.name}/` : e.name }));
    named.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    for (const { e, sortKey } of named) {
      const key = relativeDir + sortKey;
      if (!key.startsWith(prefix) && !prefix.startsWith(key)) continue;
      if (e.isDirectory()) {
        yield* this.walk(key, prefix, signal);
      } else if (e.isFile() && key.startsWith(prefix) && !key.endsWith('.partial')) {
        const info = await stat(join(this.directory, key));
        yield { key, size: info.size };
      }
    }
  }

  async listCommonPrefixes(prefix: string, delimiter: string, signal?: AbortSignal): Promise<string[]> {
    const found = new Set<string>();
    for await (const { key } of this.list(prefix, signal)) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at !== -1) found.add(key.slice(0, at + delimiter.length));
    }
    return [...found].sort();
  }

  async get(key: string, signal?: AbortSignal): Promise<Uint8Array> {
    return readFile(join(this.directory, key), { signal });
  }

  async put(key: string, body: string, signal?: AbortSignal): Promise<void> {
    const path = join(this.directory, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.partial`, body, { signal });
    await rename(`${path}.partial`, path);
  }

  async deleteAll(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    // The folder's contents, not the folder: it may be a mount point or carry permissions someone chose.
    const entries = await readdir(this.directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    await Promise.all(entries.map((name) => rm(join(this.directory, name), { recursive: true, force: true })));
  }

  createWriter(key: string): ObjectWriter {
    const path = join(this.directory, key);
    // Written under a temporary name and renamed on close, so an interrupted build never leaves a file that looks whole.
    const temp = `${path}.partial`;
    let opening: Promise<WriteStream> | undefined;
    /** The first folder this writer had to create, if any: an abort removes what it created (a dataset's train/). */
    let created: string | undefined;
    const open = () =>
      (opening ??= mkdir(dirname(path), { recursive: true }).then(async (first) => {
        created = first;
        const stream = createWriteStream(temp);
        await once(stream, 'open');
        return stream;
      }));
    return {
      async write(chunk) {
        const s = await open();
        let full: boolean;
        if (Array.isArray(chunk)) {
          s.cork();
          for (const part of chunk as readonly Uint8Array[]) s.write(part);
          s.uncork();
          full = s.writableNeedDrain;
        } else {
          full = !s.write(chunk as string | Uint8Array);
        }
        if (full) await once(s, 'drain');
      },
      async close() {
        const s = await open();
        s.end();
        await once(s, 'finish');
        await rename(temp, path);
      },
      async abort() {
        // The file may still be opening: wait for it, so the removal cannot run before the open creates it.
        const stream = await opening?.catch(() => undefined);
        if (stream && !stream.closed) {
          // Writes still queued fail as the stream goes (an 'error' event); nobody waits for them any more.
          const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
          stream.on('error', () => undefined);
          stream.destroy();
          await closed;
        }
        await rm(temp, { force: true });
        if (created !== undefined) await removeEmptyFolders(dirname(path), created);
      },
    };
  }
}

/** From `folder` up to `top` inclusive, each folder while it is empty; one still holding something stops it. */
async function removeEmptyFolders(folder: string, top: string): Promise<void> {
  for (let current = folder; ; current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    if (current === top || dirname(current) === current) return;
  }
}
