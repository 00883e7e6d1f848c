import type { StoredExample } from '../dataset/output/stored.ts';
import { scoreAnswers } from './metrics.ts';
import { nextTurn, SLICE } from './nextTurn.ts';
import type { FieldLeak, LeakReason, LeakReport } from './report.ts';
import { nonStandardFields } from './skew.ts';

/**
 * How well each context field alone predicts the label: the majority label per distinct value, learned on train and
 * scored on validation. A field that clearly beats always answering the commonest label is flagged as a possible
 * leak — the model may be reading another system's verdict (a WAF rule, a bot score) rather than the traffic — when
 * - it alone comes within LEAK_MARGIN of the full model's macro-F1 (`near-model`: one column is nearly the whole
 *   model, whatever the column), or
 * - it is not a standard CloudFront field and alone scores at least as well as the model trained on the standard
 *   fields only (`beats-request`): a lookup table of one enrichment column knows as much as everything the request
 *   itself says. That is what a leak is, and it holds however strong the model is with every field, where a fixed
 *   margin below the full model misses a leak the model adds a little to.
 */
export const LEAK_MARGIN = 0.05;
/** Numeric fields with more distinct values than this are read as this many quantile bins. */
const NUMERIC_BINS = 16;
/** Training values looked at to decide whether a field is numeric and where its bins fall. */
const PROFILE_SAMPLE = 2_000;
/** Per field; later new values share one bucket. Such a field predicts unseen traffic by its majority anyway. */
const MAX_DISTINCT = 50_000;
const ABSENT = '\u0000absent';
const OTHER = '\u0000other';
const NUMBER = /^-?\d+(?:\.\d+)?$/;

interface FieldTable {
  readonly bins: number[] | undefined;
  readonly slots: Map<string, number>;
  counts: Int32Array;
}

export async function detectLeaks(
  train: readonly StoredExample[],
  validation: readonly StoredExample[],
  labels: readonly string[],
  model: LeakYardsticks,
  signal?: AbortSignal,
): Promise<LeakReport> {
  const k = labels.length;
  const index = new Map(labels.map((l, i) => [l, i]));
  const tables = profile(train);
  for (let e = 0; e < train.length; e++) {
    if (e % SLICE === SLICE - 1) await nextTurn(signal);
    const target = index.get(train[e]!.label);
    if (target === undefined) continue;
    const fields = contextFields(train[e]!.context);
    for (const [field, table] of tables) {
      const key = keyOf(table, fields[field]);
      const slot = table.slots.get(key) ?? newSlot(table, key, k);
      table.counts[slot * k + target]!++;
    }
  }
  const overall = new Int32Array(k);
  for (const e of train) {
    const t = index.get(e.label);
    if (t !== undefined) overall[t]!++;
  }
  const fallback = labels[argmax(overall, 0, k)]!;
  const truths = validation.map((e) => e.label);
  const parsed: Readonly<Record<string, string | undefined>>[] = [];
  for (let e = 0; e < validation.length; e++) {
    if (e % SLICE === SLICE - 1) await nextTurn(signal);
    parsed.push(contextFields(validation[e]!.context));
  }
  const fields: FieldLeak[] = [];
  for (const [field, table] of tables) {
    await nextTurn(signal);
    const answers = parsed.map((f) => {
      const slot = table.slots.get(keyOf(table, f[field]));
      return slot === undefined ? fallback : labels[argmax(table.counts, slot * k, k)]!;
    });
    const scores = scoreAnswers(labels, truths, answers);
    fields.push({
      field,
      accuracy: scores.accuracy,
      macroF1: scores.macroF1,
      distinctValues: table.slots.size,
      binned: table.bins !== undefined,
      flagged: false,
    });
  }
  fields.sort((a, b) => b.macroF1 - a.macroF1 || (a.field < b.field ? -1 : 1));
  return flagLeaks({ margin: LEAK_MARGIN, fields }, model);
}

/** What a field alone is measured against, all on the same validation examples. */
export interface LeakYardsticks {
  /** The full model's macro-F1. */
  readonly macroF1: number;
  /** Always answering the commonest label. */
  readonly majorityMacroF1: number;
  /** The same model trained on the standard CloudFront fields only; absent when every field is standard. */
  readonly macroF1Standard?: number | undefined;
}

/** The report with each field's flag (and why) set by the rules above; the scores are kept as they are. */
export function flagLeaks(report: LeakReport, model: LeakYardsticks): LeakReport {
  const enrichment = new Set(nonStandardFields(report.fields.map((f) => f.field)));
  const fields = report.fields.map((f): FieldLeak => {
    const reason = leakReason(f, enrichment.has(f.field), model);
    const { reason: _previous, ...scores } = f;
    return reason === undefined ? { ...scores, flagged: false } : { ...scores, flagged: true, reason };
  });
  return {
    margin: report.margin,
    ...(model.macroF1Standard !== undefined && { macroF1Standard: model.macroF1Standard }),
    fields,
  };
}

function leakReason(field: FieldLeak, enrichment: boolean, model: LeakYardsticks): LeakReason | undefined {
  if (field.macroF1 <= model.majorityMacroF1 + LEAK_MARGIN) return undefined;
  if (field.macroF1 >= model.macroF1 - LEAK_MARGIN) return 'near-model';
  if (enrichment && model.macroF1Standard !== undefined && field.macroF1 >= model.macroF1Standard)
    return 'beats-request';
  return undefined;
}

/** A context's fields; a context that is not a JSON object of fields has none. */
export function contextFields(context: string): Readonly<Record<string, string | undefined>> {
  try {
    const value: unknown = JSON.parse(context);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, string>;
  } catch {
    // not JSON: no fields
  }
  return {};
}

/** Which fields exist, and which of them are numbers to bin, from an evenly spread sample of train. */
function profile(train: readonly StoredExample[]): Map<string, FieldTable> {
  const step = Math.max(1, Math.floor(train.length / PROFILE_SAMPLE));
  const values = new Map<string, string[]>();
  for (let e = 0; e < train.length; e += step) {
    for (const [field, value] of Object.entries(contextFields(train[e]!.context))) {
      let list = values.get(field);
      if (list === undefined) values.set(field, (list = []));
      if (typeof value === 'string') list.push(value);
    }
  }
  const tables = new Map<string, FieldTable>();
  for (const field of [...values.keys()].sort()) {
    const list = values.get(field)!;
    const numbers = list.filter((v) => NUMBER.test(v)).map(Number);
    const numeric = list.length > 0 && numbers.length >= 0.95 * list.length && new Set(numbers).size > NUMERIC_BINS;
    tables.set(field, {
      bins: numeric ? quantileCuts(numbers) : undefined,
      slots: new Map(),
      counts: new Int32Array(0),
    });
  }
  return tables;
}

function quantileCuts(numbers: number[]): number[] {
  const sorted = [...numbers].sort((a, b) => a - b);
  const cuts = new Set<number>();
  for (let q = 1; q < NUMERIC_BINS; q++) cuts.add(sorted[Math.floor((q * sorted.length) / NUMERIC_BINS)]!);
  return [...cuts].sort((a, b) => a - b);
}

function keyOf(table: FieldTable, value: string | undefined): string {
  if (typeof value !== 'string') return ABSENT;
  if (table.bins === undefined || !NUMBER.test(value)) return value;
  const x = Number(value);
  let bin = 0;
  while (bin < table.bins.length && x >= table.bins[bin]!) bin++;
  return `\u0000bin${bin}`;
}

function newSlot(table: FieldTable, key: string, k: number): number {
  if (table.slots.size >= MAX_DISTINCT) {
    const other = table.slots.get(OTHER);
    if (other !== undefined) return other;
    key = OTHER;
  }
  const slot = table.slots.size;
  table.slots.set(key, slot);
  if ((slot + 1) * k > table.counts.length) {
    const grown = new Int32Array(Math.max(64, table.counts.length * 2, (slot + 1) * k));
    grown.set(table.counts);
    table.counts = grown;
  }
  return slot;
}

/** Ties go to the first label in order. */
function argmax(counts: Int32Array, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (counts[offset + c]! > counts[offset + best]!) best = c;
  return best;
}
