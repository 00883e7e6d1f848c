import { seedFor, seededRandom } from './random.ts';

/**
 * Stratified train/validation assignment that needs no second pass: within each label, example i goes to
 * validation when floor((i + 1)·r + φ) > floor(i·r + φ), with a seeded phase φ per label. Every label then gets
 * its share of validation examples within one, spread evenly through the data.
 */
export class StreamingSplit {
  private readonly counters = new Map<string, { index: number; phase: number }>();

  constructor(
    private readonly ratio: number,
    private readonly seed: number,
  ) {}

  isValidation(label: string): boolean {
    let state = this.counters.get(label);
    if (!state) {
      state = { index: 0, phase: seededRandom(seedFor(this.seed, label))() };
      this.counters.set(label, state);
    }
    const i = state.index++;
    return Math.floor((i + 1) * this.ratio + state.phase) > Math.floor(i * this.ratio + state.phase);
  }
}

/** How many of n examples of one label go to validation when the whole set is known (the capped modes). */
export function validationCount(n: number, ratio: number): number {
  if (n <= 1 || ratio <= 0) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(n * ratio)));
}
