import type { ContextFormat } from '../types.ts';

/**
 * The one definition of what the model sees. Training examples and, later, classification prompts are both made
 * here, so the model is asked at inference exactly what it was taught.
 */
// Every word here is repeated in every training sequence and every classification prompt, and paid for in tokens
// each time: kept short on purpose.
export const INSTRUCTION = 'Classify the threat level of this CloudFront access log entry.';

/** JumpStart instruction-tuning template (`template.json`): str.format placeholders named after the JSONL keys. */
export const TEMPLATE = Object.freeze({
  prompt:
    'Below is an instruction that describes a task, paired with an input that provides further context. ' +
    'Write a response that appropriately completes the request.\n\n' +
    '### Instruction:\n{instruction}\n\n### Input:\n{context}',
  completion: ' {response}',
});

/** The trainer inserts this between prompt and completion (add_input_output_demarcation_key); inference appends it. */
export const RESPONSE_DEMARCATION = '\n\n### Response:\n';

export { responseFor } from './answer.ts';

/** CloudFront standard-log field order; `compact` contexts follow it so every source format yields the same text. */
export const CANONICAL_FIELDS: readonly string[] = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
];
const CANONICAL_RANK = new Map(CANONICAL_FIELDS.map((name, i) => [name, i]));

export interface ContextOptions {
  readonly labelField: string;
  readonly dropFields: readonly string[];
  readonly format: ContextFormat;
}

/** Which columns go into a context, in which order, with their keys encoded once per file. */
export interface ContextPlan {
  readonly indexes: readonly number[];
  /** `"name":` as it appears in the context. */
  readonly keys: readonly string[];
  /** The same, escaped once more, as it appears inside the JSONL line's "context" string. */
  readonly lineKeys: readonly string[];
  readonly skipDashes: boolean;
}

export function contextPlan(columns: readonly string[], options: ContextOptions): ContextPlan {
  const excluded = new Set([options.labelField, ...options.dropFields]);
  let kept = columns.map((name, index) => ({ name, index })).filter(({ name }) => !excluded.has(name));
  if (options.format === 'compact') {
    // Known fields in CloudFront order, then any others alphabetically: stable whatever the source column order.
    kept = [...kept].sort((a, b) => {
      const ra = CANONICAL_RANK.get(a.name) ?? Infinity;
      const rb = CANONICAL_RANK.get(b.name) ?? Infinity;
      return ra !== rb ? ra - rb : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
  }
  const keys = kept.map((k) => `${JSON.stringify(k.name)}:`);
  return {
    indexes: kept.map((k) => k.index),
    keys,
    lineKeys: keys.map((k) => JSON.stringify(k).slice(1, -1)),
    skipDashes: options.format === 'compact',
  };
}

function omitted(value: string, plan: ContextPlan): boolean {
  return plan.skipDashes && (value === '-' || value === '');
}

/** The context text for one row: a JSON object of the planned fields. */
export function renderContext(row: readonly string[], plan: ContextPlan): string {
  let out = '{';
  let first = true;
  for (let i = 0; i < plan.indexes.length; i++) {
    const value = row[plan.indexes[i]!] ?? '-';
    if (omitted(value, plan)) continue;
    out += (first ? '' : ',') + plan.keys[i]! + JSON.stringify(value);
    first = false;
  }
  return `${out}}`;
}

/**
 * Plans by options, then by the record's column names. Lines read one after another share their columns, and making
 * the plan (a sort, a JSON encoding per key) costs more than rendering the context; the last plan is checked first,
 * name by name, then the others by the names as JSON (unambiguous whatever a name holds). A paste can name new
 * columns at will (`#Fields`, JSON keys), so each options' cache is bounded.
 */
interface PlanCache {
  last?: { readonly columns: readonly string[]; readonly plan: ContextPlan };
  readonly byColumns: Map<string, ContextPlan>;
}
const plans = new WeakMap<ContextOptions, PlanCache>();
const PLANS_PER_OPTIONS = 64;

function cachedPlan(columns: readonly string[], options: ContextOptions): ContextPlan {
  let cache = plans.get(options);
  if (cache === undefined) plans.set(options, (cache = { byColumns: new Map() }));
  const { last } = cache;
  if (last !== undefined && sameNames(last.columns, columns)) return last.plan;
  const key = JSON.stringify(columns);
  let plan = cache.byColumns.get(key);
  if (plan === undefined) {
    if (cache.byColumns.size >= PLANS_PER_OPTIONS) cache.byColumns.clear();
    plan = contextPlan(columns, options);
    cache.byColumns.set(key, plan);
  }
  cache.last = { columns, plan };
  return plan;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The row → context transform for a row held as a record (classification of pasted lines uses this). */
export function toContext(record: Readonly<Record<string, string>>, options: ContextOptions): string {
  const columns = Object.keys(record);
  return renderContext(
    columns.map((c) => record[c]!),
    cachedPlan(columns, options),
  );
}

const INSTRUCTION_JSON = JSON.stringify(INSTRUCTION);

/** Everything of a JSONL line before the context's characters; ASCII, so its length is also its byte length. */
export const LINE_HEAD = `{"instruction":${INSTRUCTION_JSON},"context":"`;

/** Everything after the context: `responseJson` is JSON.stringify(responseFor(label)). */
export function lineTail(responseJson: string): string {
  return `","response":${responseJson}}`;
}

/** One JSONL line: {"instruction", "context", "response"}; the reference form of what LineEncoder writes. */
export function exampleLine(context: string, responseJson: string): string {
  return `{"instruction":${INSTRUCTION_JSON},"context":${JSON.stringify(context)},"response":${responseJson}}`;
}

/** The prompt text of an example, exactly as the trainer renders it from template.json. */
export function renderPrompt(context: string): string {
  // Function replacers: a context may contain `$&`-style sequences that string replacements would expand.
  return TEMPLATE.prompt.replace('{instruction}', () => INSTRUCTION).replace('{context}', () => context);
}
