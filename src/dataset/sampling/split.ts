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

/**
 * Whole near-copy groups (groupKey.ts) to one side: the first example of a group is placed by `decide` (the
 * stratified rule), every later one follows it. Also counts what stats.json reports: groups, and examples that
 * share their group with another.
 */
export class GroupSplit {
  private readonly sides = new GroupSides();
  private sharedExamples = 0;

  /** `decide` is only called for the first example of a group. */
  place(group: number, decide: () => boolean): boolean {
    const seen = this.sides.get(group);
    if (seen === undefined) {
      const validation = decide();
      this.sides.set(group, validation ? SIDE_VALIDATION : SIDE_TRAIN);
      return validation;
    }
    // The group's first example becomes "shared" now that a second one arrived.
    if ((seen & SHARED) === 0) {
      this.sharedExamples++;
      this.sides.set(group, seen | SHARED);
    }
    this.sharedExamples++;
    return (seen & SIDE_VALIDATION) !== 0;
  }

  get counts(): GroupCounts {
    return { groups: this.sides.size, groupedExamples: this.sharedExamples };
  }
}

export interface GroupCounts {
  /** Distinct near-copy groups among the unique examples. */
  readonly groups: number;
  /** Examples whose group holds at least one other example (all of them kept on one side). */
  readonly groupedExamples: number;
}

const SIDE_TRAIN = 1;
const SIDE_VALIDATION = 2;
const SHARED = 4;

/** 53-bit keys to a few flag bits, open addressing, at most half full: ~20–40 bytes per group. */
class GroupSides {
  private keys = new Float64Array(1 << 16).fill(-1);
  private flags = new Uint8Array(1 << 16);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: number): number | undefined {
    const slot = this.slotOf(key);
    return this.keys[slot] === -1 ? undefined : this.flags[slot];
  }

  set(key: number, flags: number): void {
    if (this.count * 2 >= this.keys.length) this.grow();
    const slot = this.slotOf(key);
    if (this.keys[slot] === -1) {
      this.keys[slot] = key;
      this.count++;
    }
    this.flags[slot] = flags;
  }

  private slotOf(key: number): number {
    const mask = this.keys.length - 1;
    let slot = (key ^ (key / 4294967296)) & mask;
    while (this.keys[slot] !== -1 && this.keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { keys, flags } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.flags = new Uint8Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1) continue;
      const slot = this.slotOf(keys[i]!);
      this.keys[slot] = keys[i]!;
      this.flags[slot] = flags[i]!;
    }
  }
}
