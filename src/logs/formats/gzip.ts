import { gunzipSync } from 'node:zlib';
import { MAX_TEXT_BYTES, tooLarge } from './decode.ts';
import { BadFileError } from './errors.ts';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Whole-buffer gunzip: files are small (one log object), so streaming would only add overhead. Node also
 * decompresses concatenated gzip members, which is how some tools append to .gz logs. */
export function gunzip(bytes: Uint8Array): Uint8Array {
  try {
    // The cap stops a gzip bomb from exhausting a worker's memory before decoding would refuse it anyway.
    return gunzipSync(bytes, { maxOutputLength: MAX_TEXT_BYTES });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    // Truncation, CRC mismatch and a bad header all mean the same thing to the caller.
    const detail = error instanceof Error ? error.message : String(error);
    throw new BadFileError('corrupt_gzip', `gzip data is corrupt or truncated: ${detail}`);
  }
}
