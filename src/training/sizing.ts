/**
 * `budget=`: how much of a dataset, and how many epochs, a budget pays for. The high estimate is linear in the work
 * (tokens × epochs), so the most work a budget buys follows from two points of it; the examples are then taken in a
 * seeded order, whole, until the next one would not fit. Pure: the tokens are counted by the caller (subset.ts).
 */

/** Fewer training examples than this is not a fine-tune worth paying for: refused instead of cut further. */
export const MIN_TRAIN_EXAMPLES = 100;

export interface BudgetFit {
  readonly budgetUsd: number;
  /** The cap's margin: the sized job's high estimate plus this share stays within the budget, as a cap would. */
  readonly marginPercent: number;
  /** The chosen instance type's high estimate, in dollars, for this much work (tokens × epochs). */
  readonly highUsd: (workTokens: number) => number;
}

/** The most work (tokens × epochs) whose high estimate plus the margin fits the budget; negative: not even start-up. */
export function maxWorkFor(fit: BudgetFit): number {
  const limit = fit.budgetUsd / (1 + fit.marginPercent / 100);
  const fixed = fit.highUsd(0);
  const perMillion = fit.highUsd(1_000_000) - fixed;
  if (!(perMillion > 0)) return Number.POSITIVE_INFINITY;
  let work = Math.floor(((limit - fixed) / perMillion) * 1_000_000);
  // Floating point may land a token over: settle on work whose high end really fits.
  while (work > 0 && fit.highUsd(work) > limit) work--;
  return work;
}

/** Examples in the seeded order: each one's tokens and split. */
export interface OrderedExamples {
  readonly tokens: ArrayLike<number>;
  readonly isTrain: ArrayLike<boolean | number>;
  /** How many of the order's first examples have a count in `tokens` (the rest were not needed). */
  readonly counted: number;
  readonly total: number;
  readonly totalTrain: number;
}

export type SizingChoice =
  | { readonly kind: 'whole' }
  /** The first `examples` of the order, trained `epochs` times. */
  | {
      readonly kind: 'cut';
      readonly examples: number;
      readonly train: number;
      readonly tokens: number;
      readonly epochs: number;
    }
  /** More of the order must be counted to decide (counted stopped before the work ran out). */
  | { readonly kind: 'count-more' }
  | { readonly kind: 'refused'; readonly message: string };

export function chooseSize(order: OrderedExamples, epochs: number, fit: BudgetFit): SizingChoice {
  const maxWork = maxWorkFor(fit);
  const money = (x: number) => `$${x.toFixed(2)}`;
  const minTrain = Math.min(MIN_TRAIN_EXAMPLES, order.totalTrain);
  const smallest = `${minTrain} training examples × 1 epoch`;
  if (maxWork < 0)
    return {
      kind: 'refused',
      message: `a budget of ${money(fit.budgetUsd)} does not pay for the start-up with the cap's ${fit.marginPercent}% margin (${money(fit.highUsd(0) * (1 + fit.marginPercent / 100))})`,
    };
  // Prefix sums as far as counted: work of the first k examples, and how many of them train.
  let tokens = 0;
  let train = 0;
  const prefix: { tokens: number; train: number }[] = [{ tokens: 0, train: 0 }];
  for (let k = 0; k < order.counted; k++) {
    tokens += order.tokens[k]!;
    if (order.isTrain[k]) train++;
    prefix.push({ tokens, train });
    // Past what one epoch fits, only as far as the smallest fine-tune (to say what it would cost).
    if (tokens > maxWork && train >= minTrain) break;
  }
  const exhausted = prefix.length - 1 === order.counted && (tokens <= maxWork || train < minTrain);
  if (exhausted && order.counted < order.total) return { kind: 'count-more' };
  for (let e = epochs; e >= 1; e--) {
    let k = prefix.length - 1;
    while (k > 0 && prefix[k]!.tokens * e > maxWork) k--;
    if (k === order.total && e === epochs) return { kind: 'whole' };
    if (prefix[k]!.train >= minTrain && k > 0)
      return { kind: 'cut', examples: k, train: prefix[k]!.train, tokens: prefix[k]!.tokens, epochs: e };
  }
  const needed = prefix.find((p) => p.train >= minTrain);
  const neededUsd =
    needed === undefined
      ? undefined
      : Math.ceil(fit.highUsd(needed.tokens) * (1 + fit.marginPercent / 100) * 100) / 100;
  return {
    kind: 'refused',
    message:
      `a budget of ${money(fit.budgetUsd)} does not pay for the smallest sensible fine-tune (${smallest}, with the cap's ` +
      `${fit.marginPercent}% margin over the high estimate)` +
      (neededUsd === undefined ? '' : `: give at least ${money(neededUsd)}`),
  };
}
