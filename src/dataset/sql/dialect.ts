/**
 * What differs between the SQL engines that run the sampling query (template.ts): the hash, regular expressions,
 * the day of an epoch, URL decoding. Everything else the template writes in SQL both DuckDB and Trino (Athena
 * engine v3) accept.
 */
export interface SqlDialect {
  readonly name: 'duckdb' | 'trino';
  /** The md5 of a VARCHAR's UTF-8 bytes, as 32 lowercase hex digits. */
  md5Hex(text: string): string;
  /** Whether `text` contains a match of `pattern` (a SQL string literal holding a regular expression). */
  regexpLike(text: string, pattern: string): string;
  /** Every match of `pattern` replaced by `replacement` (both SQL string literals). */
  regexpReplaceAll(text: string, pattern: string, replacement: string): string;
  /** 'YYYY-MM-DD' (UTC) of a DOUBLE of epoch milliseconds, truncated to the millisecond as JavaScript's Date. */
  epochMsDay(ms: string): string;
  /**
   * A CloudFront W3C value URL-decoded as decodeURIComponent does: `+` stays `+`. (A value whose escapes do not
   * decode as UTF-8 is kept raw locally; the engines differ there: see index.ts.)
   */
  urlDecode(text: string): string;
}

export const duckdbDialect: SqlDialect = {
  name: 'duckdb',
  md5Hex: (text) => `md5(${text})`,
  regexpLike: (text, pattern) => `regexp_matches(${text}, ${pattern})`,
  regexpReplaceAll: (text, pattern, replacement) => `regexp_replace(${text}, ${pattern}, ${replacement}, 'g')`,
  epochMsDay: (ms) => `strftime(epoch_ms(CAST(floor(${ms}) AS BIGINT)), '%Y-%m-%d')`,
  urlDecode: (text) => `url_decode(replace(${text}, '+', '%2B'))`,
};

/** Trino, as Amazon Athena engine v3 runs it (https://trino.io/docs/current/functions.html). */
export const trinoDialect: SqlDialect = {
  name: 'trino',
  md5Hex: (text) => `lower(to_hex(md5(to_utf8(${text}))))`,
  regexpLike: (text, pattern) => `regexp_like(${text}, ${pattern})`,
  regexpReplaceAll: (text, pattern, replacement) => `regexp_replace(${text}, ${pattern}, ${replacement})`,
  epochMsDay: (ms) => `format_datetime(from_unixtime(floor(${ms}) / 1000e0, 'UTC'), 'yyyy-MM-dd')`,
  // java.net.URLDecoder (Trino's url_decode) reads `+` as a space.
  urlDecode: (text) => `url_decode(replace(${text}, '+', '%2B'))`,
};

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
