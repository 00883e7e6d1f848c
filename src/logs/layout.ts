import pLimit from 'p-limit';
import { UsageError } from '../errors.ts';
import type { ObjectInfo, ObjectStore } from '../objectStore/store.ts';

/**
 * Turns a key template such as `{yyyy}/{MM}/{dd}/` (seed folders), `{yyyy}/{MM}/{dd}/{HH}/` (v2 hourly partitions) or
 * `{distribution}.{yyyy}-{MM}-{dd}-{HH}.{id}.gz` (CloudFront legacy flat names) into the keys of the range's days.
 * Each day is listed by the longest key prefix the template fixes for it, so a year-long bucket is never listed whole.
 * A variable before the date (e.g. `{distribution}`) is discovered with a delimiter listing (S3 CommonPrefixes).
 */
const DATE_TOKENS = new Set(['yyyy', 'MM', 'dd']);
const TOKEN = /\{([A-Za-z]+)\}/g;
const FIRST_TOKEN = /\{([A-Za-z]+)\}/;

export interface DatedObject extends ObjectInfo {
  readonly day: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

export function validateLayout(layout: string): void {
  const names = [...layout.matchAll(TOKEN)].map((m) => m[1]!);
  for (const token of DATE_TOKENS) {
    if (!names.includes(token)) {
      throw new UsageError(`LOGTUNE_LOGS_LAYOUT "${layout}" lacks {${token}}; e.g. {yyyy}/{MM}/{dd}/`);
    }
  }
  if (/\{[^}]*$|^[^{]*\}/.test(layout.replace(TOKEN, ''))) {
    throw new UsageError(`LOGTUNE_LOGS_LAYOUT "${layout}" has an unbalanced brace`);
  }
}

function fillDate(template: string, day: string): string {
  const [yyyy, MM, dd] = day.split('-') as [string, string, string];
  return template.replaceAll('{yyyy}', yyyy).replaceAll('{MM}', MM).replaceAll('{dd}', dd);
}

/** A template with its date filled in → a regex for its keys. A trailing `/` means "anything below". */
function keyPattern(filled: string): RegExp {
  let source = '';
  let last = 0;
  for (const m of filled.matchAll(TOKEN)) {
    source += escapeRegExp(filled.slice(last, m.index));
    source += m[1] === 'HH' ? '\\d{2}' : '[^/]*?';
    last = m.index + m[0].length;
  }
  source += escapeRegExp(filled.slice(last));
  return new RegExp(`^${source}${filled.endsWith('/') ? '.+' : ''}$`);
}

/** Fixed text before the first unresolved variable. */
function staticPrefix(filled: string): { prefix: string; token?: string; delimiter?: string } {
  const m = FIRST_TOKEN.exec(filled);
  if (!m) return { prefix: filled };
  const after = filled.slice(m.index + m[0].length);
  return { prefix: filled.slice(0, m.index), token: m[0], delimiter: after[0] };
}

/**
 * Resolves variables that precede the date by listing their values (e.g. every distribution id), so that each
 * returned template starts with fixed text that includes the day. Results are shared across days.
 */
async function resolveLeadingVariables(
  store: ObjectStore,
  filled: string,
  discovered: Map<string, Promise<string[]>>,
  signal?: AbortSignal,
): Promise<string[]> {
  const { prefix, token, delimiter } = staticPrefix(filled);
  if (token === undefined || delimiter === undefined || delimiter === '{' || token === '{HH}') return [filled];
  const rest = filled.slice(prefix.length + token.length);
  if (!/\d{4}/.test(rest)) return [filled];
  const cacheKey = `${prefix}\u0000${delimiter}`;
  let values = discovered.get(cacheKey);
  if (!values) {
    values = store.listCommonPrefixes(prefix, delimiter, signal);
    discovered.set(cacheKey, values);
  }
  // A variable stands for part of one path segment: values found in deeper folders are other objects' keys.
  const found = (await values).filter((common) => !common.slice(prefix.length, -delimiter.length).includes('/'));
  const resolved = await Promise.all(
    found.map((common) => resolveLeadingVariables(store, common + rest.slice(delimiter.length), discovered, signal)),
  );
  return resolved.flat();
}

/** Lists every object of the given days, each once, in the order `streamRangeObjects` hands them over. */
export async function listRangeObjects(
  store: ObjectStore,
  layout: string,
  days: readonly string[],
  options: { readonly concurrency: number; readonly signal?: AbortSignal },
): Promise<DatedObject[]> {
  const objects: DatedObject[] = [];
  await streamRangeObjects(store, layout, days, options, (batch) => objects.push(...batch));
  return objects;
}

/** Objects of the prefix being handed over are passed on in batches of this many while its listing goes on. */
const BATCH = 64;

/**
 * Lists every object of the given days, each once, and hands them to `onObjects` in batches as the listing goes,
 * so that reading can start long before a long range is listed. The order is deterministic: by listing prefix,
 * then in the store's key order within each. Every key under a prefix sorts before every key under a later one
 * unless one prefix extends another; for such layouts the objects come in one batch at the end, sorted by key.
 */
export async function streamRangeObjects(
  store: ObjectStore,
  layout: string,
  days: readonly string[],
  options: { readonly concurrency: number; readonly signal?: AbortSignal },
  onObjects: (batch: DatedObject[]) => void,
): Promise<void> {
  validateLayout(layout);
  const limit = pLimit(options.concurrency);
  const discovered = new Map<string, Promise<string[]>>();
  const resolved = await Promise.all(
    days.map((day) => limit(() => resolveLeadingVariables(store, fillDate(layout, day), discovered, options.signal))),
  );
  // Several days may share a listing prefix (a template with little fixed text): list it once, match per day.
  const byPrefix = new Map<string, { day: string; pattern: RegExp }[]>();
  days.forEach((day, i) => {
    for (const template of resolved[i]!) {
      const { prefix } = staticPrefix(template);
      const matchers = byPrefix.get(prefix) ?? [];
      matchers.push({ day, pattern: keyPattern(template) });
      byPrefix.set(prefix, matchers);
    }
  });
  const prefixes = [...byPrefix.keys()].sort();
  const listPrefix = async (prefix: string, take: (object: DatedObject) => void) => {
    const matchers = byPrefix.get(prefix)!;
    for await (const object of store.list(prefix, options.signal)) {
      const match = matchers.find((m) => m.pattern.test(object.key));
      if (match) take({ ...object, day: match.day });
    }
  };

  // Sorted, a prefix that extends another comes right after it.
  if (prefixes.some((prefix, i) => i > 0 && prefix.startsWith(prefixes[i - 1]!))) {
    const found = new Map<string, DatedObject>();
    await Promise.all(
      prefixes.map((prefix) => limit(() => listPrefix(prefix, (o) => found.has(o.key) || found.set(o.key, o)))),
    );
    const all = [...found.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (all.length > 0) onObjects(all);
    return;
  }

  const pending: DatedObject[][] = prefixes.map(() => []);
  const complete: boolean[] = prefixes.map(() => false);
  let current = 0; // the first prefix not yet handed over completely
  const handOver = () => {
    while (current < prefixes.length) {
      if (pending[current]!.length > 0) {
        onObjects(pending[current]!);
        pending[current] = [];
      }
      if (!complete[current]) return;
      current++;
    }
  };
  await Promise.all(
    prefixes.map((prefix, i) =>
      limit(async () => {
        await listPrefix(prefix, (object) => {
          pending[i]!.push(object);
          if (i === current && pending[i]!.length >= BATCH) handOver();
        });
        complete[i] = true;
        handOver();
      }),
    ),
  );
}
