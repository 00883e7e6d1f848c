import { expect } from 'vitest';
import { BadFileError, parseLogFile, type BadFileReason, type ParsedLogFile } from '../../../src/logs/formats/index.ts';

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Parses and checks the invariant every caller relies on: each row is exactly as wide as the header. */
export function parse(input: string | Uint8Array, labelField: string): ParsedLogFile {
  const parsed = parseLogFile(typeof input === 'string' ? encode(input) : input, { labelField });
  for (const row of parsed.rows) expect(row).toHaveLength(parsed.columns.length);
  return parsed;
}

export function badFile(input: string | Uint8Array, labelField = 'label', maxBytes?: number): BadFileError {
  try {
    parseLogFile(typeof input === 'string' ? encode(input) : input, {
      labelField,
      ...(maxBytes !== undefined && { maxBytes }),
    });
  } catch (error) {
    expect(error).toBeInstanceOf(BadFileError);
    return error as BadFileError;
  }
  throw new Error('expected a BadFileError');
}

export function expectBad(
  input: string | Uint8Array,
  reason: BadFileReason,
  message?: RegExp,
  labelField?: string,
): void {
  const error = badFile(input, labelField);
  expect(error.reason).toBe(reason);
  if (message) expect(error.message).toMatch(message);
}
