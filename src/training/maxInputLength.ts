import { ConfigError, UsageError } from '../errors.ts';
import type { ModelRecipe } from '../jumpstart/recipe.ts';
import type { TrainingSettings } from './settings.ts';

/**
 * The max_input_length a training will use, which is what its dataset must be cut to: the user's override
 * (LOGTUNE_TRAINING_HYPERPARAMETERS), else the spec's default for the instance type. The JumpStart script reads -1
 * as min(1024, the tokenizer's limit) (aws.md §1.5); Llama 2's limit is above 1024, so -1 is 1024.
 */
export const JUMPSTART_DEFAULT_MAX_INPUT_LENGTH = 1024;

export interface MaxInputLength {
  readonly value: number;
  readonly from: 'LOGTUNE_TRAINING_HYPERPARAMETERS' | 'the JumpStart spec';
}

function parse(raw: string | number | boolean, fail: (why: string) => Error): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (n === -1) return JUMPSTART_DEFAULT_MAX_INPUT_LENGTH;
  if (!Number.isInteger(n) || n < 1) throw fail(`max_input_length must be -1 or a positive whole number, got ${raw}`);
  return n;
}

export function trainingMaxInputLength(
  recipe: ModelRecipe,
  instanceType: string,
  config: Pick<TrainingSettings, 'hyperparameters'>,
): MaxInputLength {
  const override = config.hyperparameters.max_input_length;
  if (override !== undefined)
    return {
      value: parse(override, (why) => new ConfigError('LOGTUNE_TRAINING_HYPERPARAMETERS', why)),
      from: 'LOGTUNE_TRAINING_HYPERPARAMETERS',
    };
  const spec = recipe.training.byInstanceType[instanceType]?.hyperparameters.max_input_length;
  if (spec === undefined) return { value: JUMPSTART_DEFAULT_MAX_INPUT_LENGTH, from: 'the JumpStart spec' };
  return {
    value: parse(spec, (why) => new UsageError(`JumpStart ${recipe.modelId} ${recipe.version}: ${why}`)),
    from: 'the JumpStart spec',
  };
}

/** Why a dataset cut to one max_input_length cannot train with another, or undefined when they agree. */
export function maxInputLengthMismatch(datasetId: string, cutTo: number, training: MaxInputLength): string | undefined {
  if (cutTo === training.value) return undefined;
  return (
    `dataset ${datasetId} was built for max_input_length ${cutTo}, but the training uses ${training.value} ` +
    `(${training.from}): rebuild it with --max-input-length ${training.value}` +
    (training.from === 'LOGTUNE_TRAINING_HYPERPARAMETERS' ? ', or change the override' : '')
  );
}
