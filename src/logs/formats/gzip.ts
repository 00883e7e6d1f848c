import { gunzipSync } from 'node:zlib';
import { MAX_TEXT_BYTES, tooLarge } from './decode.ts';
import { BadFileError } from './errors.ts';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Whole-buffer gunzip: files are small (one log object), so streaming would only add overhead. Node also
 * decompresses concatenated gzip members, which is how some tools append to .gz logs. Output stops at `maxBytes`
 * (never past what one string can hold): a small object that inflates beyond the cap (a gzip bomb, or just a very
 * large log) is refused before it is held whole.
 */
export function gunzip(bytes: Uint8Array, maxBytes: number = MAX_TEXT_BYTES): Uint8Array {
  const limit = Math.min(maxBytes, MAX_TEXT_BYTES);
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ERR_BUFFER_TOO_LARGE')
      throw tooLarge(limit, 'decompresses to');
    // Truncation, CRC mismatch and a bad header all mean the same thing to the caller.
    const detail = error instanceof Error ? error.message : String(error);
    throw new BadFileError('corrupt_gzip', `gzip data is corrupt or truncated: ${detail}`);
  }
}
