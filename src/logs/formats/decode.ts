import { constants } from 'node:buffer';
import { BadFileError } from './errors.ts';

/** A file becomes one JS string; UTF-8 never has fewer bytes than UTF-16 code units, so this bound is safe. */
export const MAX_TEXT_BYTES = constants.MAX_STRING_LENGTH;

// One decoder per module (so per worker thread); `fatal` makes malformed bytes an error instead of U+FFFD,
// because silently replaced characters would end up in training data. A leading BOM is dropped by default.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length > MAX_TEXT_BYTES) throw tooLarge();
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BadFileError('invalid_utf8', 'file is not valid UTF-8 text');
  }
}

export function tooLarge(): BadFileError {
  return new BadFileError('unknown_format', `file is larger than ${MAX_TEXT_BYTES} bytes of text; too large to parse at once`);
}
