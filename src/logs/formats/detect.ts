import type { LogFormat } from './index.ts';

/** Parquet files start (and end) with these bytes; CloudFront v2 can deliver Parquet to S3. */
export function isParquet(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31;
}

export interface TextSniff {
  readonly format: LogFormat;
  /** Index of the first non-whitespace character; parsers start there so leading blank lines never count. */
  readonly start: number;
}

// W3C extended log directives (the W3C working draft); CloudFront writes #Version then #Fields, other
// producers may lead with #Software or #Date, which is still W3C and not a CSV header.
const W3C_DIRECTIVE = /^#(?:Version|Fields|Software|Date|Start-Date|End-Date|Remark)\b/;

/** Decides the format from content, never from the object name. Undefined when the text is only whitespace. */
export function sniffText(text: string): TextSniff | undefined {
  const start = text.search(/\S/);
  if (start === -1) return undefined;
  if (text.charCodeAt(start) === 0x7b /* { */) return { format: 'jsonl', start };
  // Only the first line matters; 64 characters is plenty for a directive name.
  if (W3C_DIRECTIVE.test(text.slice(start, start + 64))) return { format: 'w3c', start };
  return { format: 'csv', start };
}
