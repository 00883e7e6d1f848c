import { parseLogFile } from '../logs/formats/index.ts';
import { contextPlan, exampleLine, renderContext, responseFor, type ContextPlan } from './example.ts';
import { hash53, rekey53 } from './hash.ts';
import type { ContextFormat } from './types.ts';

/** Per-build settings a file processor needs; sent once to each worker. */
export interface ProcessorSettings {
  readonly labelField: string;
  readonly dropFields: readonly string[];
  readonly contextFormat: ContextFormat;
  readonly rangeStart: string;
  readonly rangeEnd: string;
  readonly seed: number;
}

/** An example that may enter the token sample, with its context in the other format (to measure the saving). */
export interface SampleCandidate {
  readonly index: number;
  readonly key: number;
  readonly otherContext: string;
}

/** One file turned into examples; the build commits it only if the whole file parsed. */
export interface FileResult {
  readonly rowsScanned: number;
  readonly rowsInRange: number;
  readonly unlabelled: number;
  /** Example lines joined by '\n' (a JSON line never contains a raw newline): one string crosses threads cheaply. */
  readonly lines: string;
  readonly labels: readonly string[];
  /** Hash of each example's context, for exact-duplicate detection. */
  readonly hashes: Float64Array;
  /** Examples whose seeded sample key is below the threshold given: candidates for the token-count sample. */
  readonly candidates: readonly SampleCandidate[];
}

function dayOfTimestamp(value: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  if (!/^\d{9,13}(\.\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  // Epoch seconds (10 digits) or milliseconds (13 digits, as in WAF logs).
  const date = new Date(n < 1e11 ? n * 1000 : n);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().slice(0, 10);
}

export function processFile(bytes: Uint8Array, fileDay: string, settings: ProcessorSettings, sampleThreshold: number): FileResult {
  const parsed = parseLogFile(bytes, { labelField: settings.labelField });
  const { columns, rows } = parsed;
  const labelIndex = columns.indexOf(settings.labelField);
  const dateIndex = columns.indexOf('date');
  const timestampIndex = dateIndex === -1 ? columns.indexOf('timestamp') : -1;
  const planOf = (format: ContextFormat): ContextPlan =>
    contextPlan(columns, { labelField: settings.labelField, dropFields: settings.dropFields, format });
  const plan = planOf(settings.contextFormat);
  let otherPlan: ContextPlan | undefined;
  const responses = new Map<string, string>();

  const lines: string[] = [];
  const labels: string[] = [];
  const hashes: number[] = [];
  const candidates: SampleCandidate[] = [];
  let inRange = 0;
  let unlabelled = 0;
  for (const row of rows) {
    const day = (
      dateIndex !== -1 ? row[dateIndex]! : timestampIndex !== -1 ? (dayOfTimestamp(row[timestampIndex]!) ?? fileDay) : fileDay
    ).slice(0, 10);
    if (day < settings.rangeStart || day > settings.rangeEnd) continue;
    inRange++;
    const label = row[labelIndex]!.trim();
    if (label === '' || label === '-') {
      unlabelled++;
      continue;
    }
    const context = renderContext(row, plan);
    let response = responses.get(label);
    if (response === undefined) {
      response = JSON.stringify(responseFor(label));
      responses.set(label, response);
    }
    const hash = hash53(context);
    const key = rekey53(hash, settings.seed);
    if (key < sampleThreshold) {
      otherPlan ??= planOf(settings.contextFormat === 'full' ? 'compact' : 'full');
      candidates.push({ index: lines.length, key, otherContext: renderContext(row, otherPlan) });
    }
    lines.push(exampleLine(context, response));
    labels.push(label);
    hashes.push(hash);
  }
  return {
    rowsScanned: rows.length,
    rowsInRange: inRange,
    unlabelled,
    lines: lines.join('\n'),
    labels,
    hashes: Float64Array.from(hashes),
    candidates,
  };
}
