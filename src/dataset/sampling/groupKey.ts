/**
 * The near-copy group of an example: one request seen again at another time, from another client, through another
 * edge, as GET and as POST, hashes to the same key, because the fields that vary between copies of one request are
 * set aside. The validation split assigns whole groups, so a near-copy never sits on both sides of it.
 *
 * The key is the same whether computed from a source row (the builder) or from a stored context (reports): it covers
 * the remaining fields by name, in name order, and skips empty and `-` values (which compact contexts leave out).
 */
export const VOLATILE_FIELDS: readonly string[] = Object.freeze([
  // when
  'date',
  'time',
  'timestamp',
  // who and where from
  'c-ip',
  'c-port',
  'x-forwarded-for',
  'x-edge-location',
  // this copy's own identity and sizes
  'x-edge-request-id',
  'sc-bytes',
  'cs-bytes',
  'time-taken',
  'time-to-first-byte',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
  // the same attack is sent as GET and as POST
  'cs-method',
  // per-client session state: the same request from another session (CSIC 2010's GET/POST copies differ only here)
  'cs(Cookie)',
]);

const VOLATILE = new Set(VOLATILE_FIELDS);

/** Which columns of a header enter the key, in name order. */
export interface GroupKeyPlan {
  readonly indexes: readonly number[];
  readonly names: readonly string[];
}

export interface GroupKeyOptions {
  readonly labelField: string;
  readonly dropFields: readonly string[];
}

export function groupKeyPlan(columns: readonly string[], options: GroupKeyOptions): GroupKeyPlan {
  const excluded = new Set([options.labelField, ...options.dropFields]);
  const kept = columns
    .map((name, index) => ({ name, index }))
    .filter(({ name }) => !excluded.has(name) && !VOLATILE.has(name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { indexes: kept.map((k) => k.index), names: kept.map((k) => k.name) };
}

/** The 53-bit group key of a source row. */
export function groupKey(row: readonly string[], plan: GroupKeyPlan): number {
  const h = new GroupHasher();
  for (let i = 0; i < plan.indexes.length; i++) h.field(plan.names[i]!, row[plan.indexes[i]!] ?? '-');
  return h.digest();
}

/** The group key of a row held as a record (a parsed context): label and dropped fields must already be gone. */
export function recordGroupKey(record: Readonly<Record<string, string>>): number {
  const h = new GroupHasher();
  for (const name of Object.keys(record).sort()) if (!VOLATILE.has(name)) h.field(name, record[name]!);
  return h.digest();
}

/** The group key of a stored example's context (a JSON object of string fields). */
export function contextGroupKey(context: string): number {
  return recordGroupKey(contextRecord(context));
}

/**
 * The group text of a source row: what the split key hashes (sampleKey.ts). The same fields as the group key, in name order (UTF-16 code unit order, as
 * JavaScript sorts), each `name U+001F value U+001E`, empty and `-` values skipped. SQL builds it from the row's
 * cells the same way (src/dataset/sql/template.ts), with the field order fixed when the query is rendered.
 */
export function groupText(row: readonly string[], plan: GroupKeyPlan): string {
  let text = '';
  for (let i = 0; i < plan.indexes.length; i++) {
    const value = row[plan.indexes[i]!] ?? '-';
    if (value === '' || value === '-') continue;
    text += `${plan.names[i]!}\u001f${value}\u001e`;
  }
  return text;
}

/** groupText of a row held as a record (a parsed context). */
export function recordGroupText(record: Readonly<Record<string, unknown>>): string {
  let text = '';
  for (const name of cachedGroupFields(Object.keys(record))) {
    const raw = record[name];
    const value = typeof raw === 'string' ? raw : JSON.stringify(raw);
    if (value === '' || value === '-') continue;
    text += `${name}\u001f${value}\u001e`;
  }
  return text;
}

/** The fields of `names` that enter a group, in the order they enter it. */
export function groupFields(names: readonly string[]): string[] {
  return names.filter((name) => !VOLATILE.has(name)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Contexts of one build share a handful of field lists (compact contexts leave out `-` fields, so a few): each is
 * sorted once. Looked up by comparing the lists, whose names JSON.parse hands out as the same internalized strings,
 * rather than by a joined key that would be built and hashed for every context.
 */
const fieldLists: { readonly names: readonly string[]; readonly fields: string[] }[] = [];
function cachedGroupFields(names: readonly string[]): string[] {
  for (const entry of fieldLists) if (sameNames(entry.names, names)) return entry.fields;
  const fields = groupFields(names);
  if (fieldLists.length >= 32) fieldLists.pop();
  fieldLists.unshift({ names, fields });
  return fields;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The group text of a stored or sampled example's context (a JSON object of string fields). */
export function contextGroupText(context: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(context);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return recordGroupText({ '': context });
  return recordGroupText(parsed as Record<string, unknown>);
}

function contextRecord(context: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(context);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { '': context };
  const record: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) record[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return record;
}

/** cyrb53's two lanes over UTF-16 code units, fields separated so that ("ab","c") and ("a","bc") differ. */
class GroupHasher {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;

  field(name: string, value: string): void {
    if (value === '' || value === '-') return;
    this.text(name);
    this.unit(0x1f);
    this.text(value);
    this.unit(0x1e);
  }

  digest(): number {
    let { h1, h2 } = this;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  }

  private text(s: string): void {
    for (let i = 0; i < s.length; i++) this.unit(s.charCodeAt(i));
  }

  private unit(c: number): void {
    this.h1 = Math.imul(this.h1 ^ c, 2654435761);
    this.h2 = Math.imul(this.h2 ^ c, 1597334677);
  }
}
