import { seedFor, seededRandom, shuffle } from './random.ts';
import type { BalanceMode } from '../types.ts';

/**
 * Per-label reservoirs (Algorithm R) for `--max-examples N`: each label keeps a uniform sample of up to N of its
 * unique examples, in bounded memory, whatever the input size. Quotas are settled at the end, when label counts are
 * known, and each reservoir is cut to its quota (a uniform subset of a uniform sample stays uniform).
 */
export interface SampledItem {
  readonly line: string;
  readonly hash: number;
}

interface Reservoir {
  seen: number;
  readonly items: SampledItem[];
  readonly random: () => number;
}

export class LabelReservoirs {
  private readonly reservoirs = new Map<string, Reservoir>();

  constructor(
    private readonly capacity: number,
    private readonly seed: number,
  ) {}

  /** `line` is only called for an example the reservoir keeps, so rejected ones cost no string. */
  offer(label: string, hash: number, line: () => string): void {
    let r = this.reservoirs.get(label);
    if (!r) {
      r = { seen: 0, items: [], random: seededRandom(seedFor(this.seed, label)) };
      this.reservoirs.set(label, r);
    }
    r.seen++;
    if (r.items.length < this.capacity) {
      r.items.push({ line: line(), hash });
    } else {
      const j = Math.floor(r.random() * r.seen);
      if (j < this.capacity) r.items[j] = { line: line(), hash };
    }
  }

  /** The final per-label selection, in a seeded random order. */
  select(balance: BalanceMode): Map<string, SampledItem[]> {
    const counts = new Map([...this.reservoirs].map(([label, r]) => [label, r.seen]));
    const quotas =
      balance === 'balanced' ? balancedQuotas(counts, this.capacity) : proportionalQuotas(counts, this.capacity);
    const selected = new Map<string, SampledItem[]>();
    for (const [label, r] of [...this.reservoirs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const items = shuffle([...r.items], seededRandom(seedFor(this.seed + 1, label)));
      selected.set(label, items.slice(0, quotas.get(label) ?? 0));
    }
    return selected;
  }
}

/** Quotas proportional to label counts, summing to min(total, cap) (largest remainder). */
export function proportionalQuotas(counts: ReadonlyMap<string, number>, cap: number): Map<string, number> {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const target = Math.min(total, cap);
  const labels = [...counts.keys()].sort();
  const exact = labels.map((l) => (total === 0 ? 0 : (counts.get(l)! * target) / total));
  const quotas = exact.map(Math.floor);
  let left = target - quotas.reduce((a, b) => a + b, 0);
  const order = labels.map((_, i) => i).sort((a, b) => exact[b]! - quotas[b]! - (exact[a]! - quotas[a]!) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    quotas[i]!++;
    left--;
  }
  return new Map(labels.map((l, i) => [l, quotas[i]!]));
}

/** Equal shares per label (water-filling): a label with fewer examples gives its unused share to the others. */
export function balancedQuotas(counts: ReadonlyMap<string, number>, cap: number): Map<string, number> {
  const quotas = new Map<string, number>();
  let remaining = cap;
  const labels = [...counts.keys()].sort((a, b) => counts.get(a)! - counts.get(b)! || (a < b ? -1 : 1));
  labels.forEach((label, i) => {
    const share = Math.floor(remaining / (labels.length - i));
    const quota = Math.min(counts.get(label)!, share);
    quotas.set(label, quota);
    remaining -= quota;
  });
  return quotas;
}
