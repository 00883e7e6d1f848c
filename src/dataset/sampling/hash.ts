/**
 * 53-bit hashes of byte ranges, to find exact-duplicate contexts without keeping them, and as the uniform random
 * key of the token-count sample. Mixed four bytes at a time, read little-endian wherever the range starts (cyrb53's
 * two lanes and finaliser), so equal bytes hash equally wherever they sit in the buffer.
 * At 2 M distinct contexts the chance of any collision is about 2e-4.
 */
let viewed: Uint8Array | undefined;
let view: DataView | undefined;

export function hashBytes53(bytes: Uint8Array, start: number, end: number): number {
  // One view per buffer (a build hashes from the same growing buffer): no allocation per call.
  if (bytes !== viewed) {
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    viewed = bytes;
  }
  const data = view!;
  const n = end - start;
  let h1 = 0xdeadbeef ^ n;
  let h2 = 0x41c6ce57 ^ n;
  const wholeEnd = start + (n & ~3);
  for (let i = start; i < wholeEnd; i += 4) {
    const k = data.getInt32(i, true);
    h1 = Math.imul(h1 ^ k, 2654435761);
    h2 = Math.imul(h2 ^ k, 1597334677);
  }
  for (let i = wholeEnd; i < end; i++) {
    const k = bytes[i]!;
    h1 = Math.imul(h1 ^ k, 2654435761);
    h2 = Math.imul(h2 ^ k, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export const HASH_SPACE = 2 ** 53;

/** Mixes a 53-bit hash with a seed into a new uniform 53-bit key, so each --seed draws a different sample. */
export function rekey53(hash: number, seed: number): number {
  let lo = hash >>> 0;
  let hi = Math.floor(hash / 4294967296) >>> 0;
  lo = Math.imul(lo ^ seed ^ (hi >>> 5), 0x85ebca6b);
  hi = Math.imul(hi ^ (lo >>> 13), 0xc2b2ae35);
  lo = Math.imul(lo ^ (lo >>> 16) ^ hi, 0x27d4eb2f);
  return 4294967296 * (hi & 2097151) + (lo >>> 0);
}
