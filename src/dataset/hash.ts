/**
 * cyrb53: a fast 53-bit string hash (two 32-bit lanes), seedable. Used to find exact-duplicate contexts without
 * keeping them, and as the uniform random key of the token-count sample (a seed change gives another sample).
 * At 2 M distinct contexts the chance of any collision is about 2e-4.
 */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export const HASH_SPACE = 2 ** 53;

/** Re-keys a 53-bit hash under a seed (a bijective mix), e.g. to draw a different uniform sample per --seed. */
export function rekey53(hash: number, seed: number): number {
  let lo = hash >>> 0;
  let hi = Math.floor(hash / 4294967296) >>> 0;
  lo = Math.imul(lo ^ seed ^ (hi >>> 5), 0x85ebca6b);
  hi = Math.imul(hi ^ (lo >>> 13), 0xc2b2ae35);
  lo = Math.imul(lo ^ (lo >>> 16) ^ hi, 0x27d4eb2f);
  return 4294967296 * (hi & 2097151) + (lo >>> 0);
}
