import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../../errors.ts';
import type { ObjectStore } from '../../objectStore/store.ts';
import { parseStorageUri } from '../../objectStore/uri.ts';
import { TEMPLATE } from '../examples/example.ts';
import { DATASET_FILES } from './folder.ts';

/**
 * An output location checked before any log is read: a build that would fail at its very end (hours later, on a
 * long range) because the folder cannot be written fails at once instead; and a folder that already holds
 * something is never written into by surprise.
 */

async function firstKey(store: ObjectStore, signal?: AbortSignal): Promise<string | undefined> {
  for await (const object of store.list('', signal)) return object.key;
  return undefined;
}

/**
 * `--out` named by hand: refused when it holds anything (a dataset or other files) unless `force`, which empties it
 * first, so that no file of an earlier dataset (a stale `baseline/`) survives beside the new one.
 * Returns whether anything was removed.
 */
export async function claimOutput(
  out: ObjectStore,
  options: { readonly force: boolean; readonly signal?: AbortSignal },
): Promise<boolean> {
  const first = await firstKey(out, options.signal);
  if (first === undefined) return false;
  if (!options.force) {
    const what = (await holdsDataset(out, options.signal))
      ? 'already holds a dataset (stats.json)'
      : `is not empty (it holds ${first})`;
    throw new UsageError(
      `--out ${out.uri} ${what}: choose another folder, or add --force to replace its whole content`,
    );
  }
  const location = parseStorageUri(out.uri);
  if (
    (location.kind === 's3' && location.prefix === '') ||
    (location.kind === 'local' && dirname(location.directory) === location.directory)
  ) {
    throw new UsageError(`--force will not empty ${out.uri} (a whole bucket or disk): give a folder below it`);
  }
  await out.deleteAll(options.signal);
  return true;
}

async function holdsDataset(out: ObjectStore, signal?: AbortSignal): Promise<boolean> {
  try {
    await out.get(DATASET_FILES.stats, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * A local folder: its nearest existing ancestor must be a writable folder (nothing is created yet, so a build that
 * fails for another reason leaves no empty folders). S3: a multipart upload of the training file is started and
 * aborted, as the build's own writes will be; a bucket that does not exist or a missing s3:PutObject fails here.
 * Resolves with a warning when the check could not tidy up after itself (an abort refused), otherwise undefined.
 */
export async function assertWritable(out: ObjectStore, signal?: AbortSignal): Promise<string | undefined> {
  const location = parseStorageUri(out.uri);
  if (location.kind === 's3') {
    try {
      return await out.probeWrite?.(DATASET_FILES.train, signal);
    } catch (error) {
      throw new UsageError(`cannot write to ${out.uri}: ${(error as Error).message}`);
    }
  }
  let folder = location.directory;
  for (;;) {
    try {
      const info = await stat(folder);
      if (!info.isDirectory()) throw new UsageError(`cannot write to ${out.uri}: ${folder} is a file, not a folder`);
      break;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new UsageError(`cannot write to ${out.uri}: ${(error as Error).message}`);
      }
      folder = dirname(folder);
    }
  }
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw new UsageError(`cannot write to ${out.uri}: ${folder} is not writable`);
  }
  return undefined;
}

export function templateText(): string {
  return `${JSON.stringify(TEMPLATE, null, 2)}\n`;
}
