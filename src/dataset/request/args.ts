import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.ts';
import type { BuildOptions } from './request.ts';

export const DATASET_USAGE =
  'logtune dataset <range> [--max-examples N|all] [--balance proportional|balanced] [--seed N] ' +
  '[--validation 0.1] [--context compact|full] [--max-input-length 1024] [--engine local|athena|auto] [--logs URI] [--out URI [--force]]';

/** Flags a Slack user may not set: they would point the bot's AWS credentials at arbitrary locations. */
export const OPERATOR_ONLY_FLAGS = ['logs', 'out', 'force'] as const;

function wholeNumber(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${flag} expects a whole number of at least ${min}, got "${value}"`);
  }
  return Number(value);
}

const FLAGS = {
  'max-examples': { type: 'string' },
  balance: { type: 'string' },
  seed: { type: 'string' },
  validation: { type: 'string' },
  context: { type: 'string' },
  'max-input-length': { type: 'string' },
  engine: { type: 'string' },
  logs: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
} as const;

const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * Every flag joined to its value (`--seed=5`), checked first in logtune's own words: Node's parseArgs takes a value
 * starting with `-` for a forgotten one and answers `--max-examples -5` with three lines on "ambiguous" arguments,
 * where the person meant a number that the range checks below then refuse.
 */
function joinFlagValues(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      joined.push(...args.slice(i));
      break;
    }
    if (!arg.startsWith('-') || NEGATIVE_NUMBER.test(arg)) {
      joined.push(arg);
      continue;
    }
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0]! : arg;
    if (!Object.hasOwn(FLAGS, name)) throw new UsageError(`unknown flag ${arg.split('=')[0]}. Usage: ${DATASET_USAGE}`);
    if (arg.includes('=') || FLAGS[name as keyof typeof FLAGS].type === 'boolean') {
      joined.push(arg);
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || (value.startsWith('-') && !NEGATIVE_NUMBER.test(value))) {
      throw new UsageError(`--${name} needs a value. Usage: ${DATASET_USAGE}`);
    }
    joined.push(`${arg}=${value}`);
    i++;
  }
  return joined;
}

/** Parses the words after `dataset` (CLI argv or the Slack command text split on spaces). */
export function parseDatasetArgs(args: readonly string[], options: { allowOperatorFlags: boolean }): BuildOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: joinFlagValues(args), allowPositionals: true, strict: true, options: FLAGS });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Whatever else Node refuses, in one line: its messages run over several.
    throw new UsageError(`${(error as Error).message.split('\n')[0]!.replace(/\.?$/, '.')} Usage: ${DATASET_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (!options.allowOperatorFlags) {
    for (const flag of OPERATOR_ONLY_FLAGS) {
      if (values[flag] !== undefined)
        throw new UsageError(`--${flag} can only be set by the operator (LOGTUNE_* settings)`);
    }
  }
  const rangeText = positionals.join(' ').trim();
  if (rangeText === '') throw new UsageError(`a date range is required, e.g. "april-may". Usage: ${DATASET_USAGE}`);
  const maxExamples = values['max-examples'];
  const balance = values.balance;
  if (balance !== undefined && balance !== 'proportional' && balance !== 'balanced') {
    throw new UsageError(`--balance must be proportional or balanced, got "${balance}"`);
  }
  const context = values.context;
  if (context !== undefined && context !== 'compact' && context !== 'full') {
    throw new UsageError(`--context must be compact or full, got "${context}"`);
  }
  const engine = values.engine;
  if (engine !== undefined && engine !== 'local' && engine !== 'athena' && engine !== 'auto') {
    throw new UsageError(`--engine must be local, athena or auto, got "${engine}"`);
  }
  const validation = values.validation === undefined ? undefined : Number(values.validation);
  if (validation !== undefined && !(validation >= 0 && validation < 1)) {
    throw new UsageError(`--validation must be a fraction at least 0 and below 1, got "${values.validation}"`);
  }
  return {
    rangeText,
    ...(values.logs !== undefined && { logsUri: values.logs }),
    ...(values.out !== undefined && { outUri: values.out }),
    ...(values.force === true && { force: true }),
    ...(maxExamples !== undefined && {
      maxExamples: maxExamples === 'all' ? 'all' : wholeNumber('max-examples', maxExamples, 1),
    }),
    ...(balance !== undefined && { balance }),
    ...(values.seed !== undefined && { seed: wholeNumber('seed', values.seed, 0) }),
    ...(validation !== undefined && { validationRatio: validation }),
    ...(context !== undefined && { contextFormat: context }),
    ...(engine !== undefined && { engine }),
    ...(values['max-input-length'] !== undefined && {
      maxInputLength: wholeNumber('max-input-length', values['max-input-length'], 1),
    }),
  };
}
