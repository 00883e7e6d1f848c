import { W3C_FIELDS, prng, type SyntheticRow } from './syntheticLogs.ts';

/**
 * An independent statement of the compact context the spec asks for, used to compute expected datasets without
 * the code under test: label and drop fields out, `-` and empty values out, CloudFront field order first, any
 * other field after them alphabetically, then the whole thing as a JSON object.
 */
export function referenceCompactContext(
  row: Readonly<Record<string, string>>,
  labelField: string,
  dropFields: readonly string[],
): string {
  const excluded = new Set([labelField, ...dropFields]);
  const known = new Set<string>(W3C_FIELDS);
  const names = Object.keys(row).filter((name) => !excluded.has(name));
  const ordered = [
    ...W3C_FIELDS.filter((name) => names.includes(name)),
    ...names.filter((name) => !known.has(name)).sort(),
  ];
  const parts: string[] = [];
  for (const name of ordered) {
    const value = row[name]!;
    if (value === '-' || value === '') continue;
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Characters that stress JSON escaping and string replacement: quotes, backslashes, controls, `$` patterns, non-ASCII. */
const TRICKY = [
  '"',
  '\\',
  '\\"',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u2028',
  '\u2029',
  '$&',
  "$'",
  '$`',
  '$1',
  '$$',
  'é',
  'ü',
  '中文',
  '😀',
  '\u{1F4A9}',
  '\ufeff',
  "'",
  '{',
  '}',
  ',',
  ':',
  '/',
  '%20',
  '<script>',
  ' ',
  '-',
  '',
];

/** A deterministic random value mixing plain text with the tricky pieces above (no lone surrogates). */
export function trickyValue(r: () => number): string {
  const roll = r();
  if (roll < 0.1) return '-';
  if (roll < 0.15) return '';
  const parts: string[] = [];
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    parts.push(r() < 0.5 ? TRICKY[Math.floor(r() * TRICKY.length)]! : Math.floor(r() * 1e6).toString(36));
  }
  return parts.join('');
}

/** Rows of tricky values over the given columns. */
export function trickyRows(columns: readonly string[], count: number, seed: number): SyntheticRow[] {
  const r = prng(seed);
  return Array.from({ length: count }, () => Object.fromEntries(columns.map((c) => [c, trickyValue(r)])));
}
