import { UsageError } from '../../errors.ts';
import { ESTIMATED_TRAINING_INSTANCE_TYPES, type TrainingInstanceType } from '../../training/instanceTypes.ts';

export const TRAIN_USAGE = '/logtune train <range> [instance=TYPE] [epochs=N] [budget=USD]';

export interface TrainArgs {
  readonly rangeText: string;
  readonly instanceType: TrainingInstanceType | undefined;
  readonly epochs: number | undefined;
  readonly budgetUsd: number | undefined;
}

const OPTION = /^([a-z]+)=(.*)$/i;

function isInstanceType(value: string): value is TrainingInstanceType {
  return (ESTIMATED_TRAINING_INSTANCE_TYPES as readonly string[]).includes(value);
}

/** The words after `train`: range words, then `key=value` options (in any order; each at most once). */
export function parseTrainArgs(words: readonly string[]): TrainArgs {
  const range: string[] = [];
  const options = new Map<string, string>();
  for (const word of words) {
    const option = OPTION.exec(word);
    if (!option) {
      range.push(word);
      continue;
    }
    const key = option[1]!.toLowerCase();
    if (!['instance', 'epochs', 'budget'].includes(key))
      throw new UsageError(`unknown option "${key}=": use instance=, epochs= or budget=`);
    if (options.has(key)) throw new UsageError(`${key}= is given twice`);
    options.set(key, option[2]!);
  }
  const rangeText = range.join(' ').trim();
  if (rangeText === '') throw new UsageError('a date range is required, e.g. "april-may" or "last 30 days"');
  const instance = options.get('instance');
  if (instance !== undefined && !isInstanceType(instance)) {
    throw new UsageError(
      `instance=${instance} is not a supported training instance type (${ESTIMATED_TRAINING_INSTANCE_TYPES.join(', ')})`,
    );
  }
  const epochsText = options.get('epochs');
  if (epochsText !== undefined && !/^[1-9]\d{0,2}$/.test(epochsText))
    throw new UsageError(`epochs= takes a whole number from 1 to 999, got "${epochsText}"`);
  const budgetText = options.get('budget')?.replace(/^\$/, '');
  const budget = budgetText === undefined ? undefined : Number(budgetText);
  if (budgetText !== undefined && (!/^\d+(\.\d{1,2})?$/.test(budgetText) || !(budget! > 0))) {
    throw new UsageError(`budget= takes a positive dollar amount such as 50 or 120.50, got "${options.get('budget')}"`);
  }
  return {
    rangeText,
    instanceType: instance as TrainingInstanceType | undefined,
    epochs: epochsText === undefined ? undefined : Number(epochsText),
    budgetUsd: budget,
  };
}
