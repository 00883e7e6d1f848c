import { parseArgs } from 'node:util';
import { loadDataSettings } from '../../dataset/settings.ts';
import { openStoredDataset, type StoredDataset } from '../../dataset/output/stored.ts';
import { UsageError } from '../../errors.ts';
import type { CliIo } from '../command.ts';

/** What `baseline`, `classify` and `evaluate` share: their flags parsed strictly, and a dataset opened by id or URI. */
export function parseCommandArgs<const T extends Record<string, { type: 'string' | 'boolean' }>>(
  args: readonly string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Usage: ${usage}`);
  }
}

export function wholeNumberFlag(
  flag: string,
  value: string | undefined,
  min: number,
  usage: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${flag} expects a whole number of at least ${min}, got "${value}". Usage: ${usage}`);
  }
  return Number(value);
}

/** The one positional argument: a dataset id (under LOGTUNE_ARTIFACTS_URI/datasets/) or the URI of its folder. */
export async function openDatasetArg(positionals: readonly string[], io: CliIo, usage: string): Promise<StoredDataset> {
  if (positionals.length !== 1)
    throw new UsageError(`expected one dataset (its id or its folder's URI). Usage: ${usage}`);
  return openDataset(positionals[0]!, io);
}

export async function openDataset(ref: string, io: CliIo): Promise<StoredDataset> {
  const config = loadDataSettings(io.env);
  return openStoredDataset(ref, config.artifactsUri, { s3ForcePathStyle: config.s3ForcePathStyle });
}
