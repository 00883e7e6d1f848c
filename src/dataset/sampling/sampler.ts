import type { BalanceMode } from '../types.ts';

/**
 * How `--max-examples N` is shared out among labels, from each label's count of distinct examples: in proportion
 * (`proportional`) or equally with water-filling (`balanced`). The same for every engine: the local sink counts
 * the distinct examples as it goes, the SQL engines in their stats query.
 */
export function quotasFor(balance: BalanceMode, counts: ReadonlyMap<string, number>, cap: number): Map<string, number> {
  return balance === 'balanced' ? balancedQuotas(counts, cap) : proportionalQuotas(counts, cap);
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
