import { constants } from 'node:buffer';
import { BadFileError } from './errors.ts';

/** A file becomes one JS string; UTF-8 never has fewer bytes than UTF-16 code units, so this bound is safe. */
export const MAX_TEXT_BYTES = constants.MAX_STRING_LENGTH;

// One decoder per module (so per worker thread); `fatal` makes malformed bytes an error instead of U+FFFD,
// because silently replaced characters would end up in training data. A leading BOM is dropped by default.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length > MAX_TEXT_BYTES) throw tooLarge(MAX_TEXT_BYTES, 'is');
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BadFileError('invalid_utf8', 'file is not valid UTF-8 text');
  }
}

/** Sizes for people: MB with up to three significant digits (the cap is set in MB), or bytes when smaller. */
export function describeBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 0.1 ? `${Number(mb.toPrecision(3))} MB` : `${bytes.toLocaleString('en-US')} bytes`;
}

export function tooLarge(limit: number, verb: 'is' | 'decompresses to'): BadFileError {
  const setting = limit < MAX_TEXT_BYTES ? ' (LOGTUNE_MAX_FILE_MB)' : ' (the longest string V8 can hold)';
  return new BadFileError('too_large', `file ${verb} more than ${describeBytes(limit)}${setting}; not parsed`);
}
