/**
 * A set of 53-bit hashes in one Float64Array with open addressing, kept at most half full: 16–32 bytes per entry
 * (more while it grows), versus ~50+ for a JS Set of numbers. Duplicate detection at 2 M rows stays at tens of MB.
 */
export class HashSet {
  private table: Float64Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1 << 16) {
    let capacity = 1;
    while (capacity < initialCapacity * 2) capacity <<= 1;
    this.table = new Float64Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds the hash; returns false when it was already present. Hashes must be non-negative integers. */
  add(hash: number): boolean {
    if (this.count * 2 >= this.table.length) this.grow();
    const { table, mask } = this;
    let slot = slotOf(hash, mask);
    for (;;) {
      const current = table[slot]!;
      if (current === -1) {
        table[slot] = hash;
        this.count++;
        return true;
      }
      if (current === hash) return false;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    const table = new Float64Array(old.length * 2).fill(-1);
    const mask = table.length - 1;
    // Inline rather than through insert(): a double passed to a call is boxed, a garbage object per entry.
    for (let i = 0; i < old.length; i++) {
      const hash = old[i]!;
      if (hash === -1) continue;
      let slot = slotOf(hash, mask);
      while (table[slot] !== -1) slot = (slot + 1) & mask;
      table[slot] = hash;
    }
    this.table = table;
    this.mask = mask;
  }
}

/** The low bits of a 53-bit hash are uniform; the upper lane mixes in so keys differing only high spread too. */
function slotOf(hash: number, mask: number): number {
  return (hash ^ (hash / 4294967296)) & mask;
}
