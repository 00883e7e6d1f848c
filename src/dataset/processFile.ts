import { BadFileError, parseLogFile } from '../logs/formats/index.ts';
import { LINE_HEAD, contextPlan, lineTail, renderContext, responseFor, rowToLine, type ContextPlan } from './example.ts';
import { hashBytes53, rekey53 } from './hash.ts';
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

/**
 * One file turned into examples; the build commits it only if the whole file parsed. The lines travel as one
 * UTF-8 buffer with line offsets, so the main thread routes byte ranges to the outputs without touching strings.
 */
export interface FileResult {
  readonly rowsScanned: number;
  readonly rowsInRange: number;
  readonly unlabelled: number;
  /** JSONL lines, each ending in '\n'. */
  readonly bytes: Uint8Array;
  /** Start of each line in `bytes`, plus the end: length = examples + 1. */
  readonly offsets: Uint32Array;
  /** Each example's label, as an index into `labelNames` (one string per label crosses threads, not per row). */
  readonly labelIds: Uint16Array;
  readonly labelNames: readonly string[];
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

/** UTF-8 bytes in a buffer of their own (Buffer.from may hand out a slice of a shared pool), so they can be moved
 * to another thread. */
function ownedBuffer(text: string): Buffer {
  const pooled = Buffer.from(text);
  if (pooled.byteOffset === 0 && pooled.buffer.byteLength === pooled.byteLength) return pooled;
  const own = Buffer.allocUnsafeSlow(pooled.byteLength);
  pooled.copy(own);
  return own;
}

interface LabelOutput {
  readonly id: number;
  readonly responseJson: string;
  /** Bytes after the context in a line of this label, newline included. */
  readonly tailBytes: number;
}

export function processFile(bytes: Uint8Array, fileDay: string, settings: ProcessorSettings, sampleThreshold: number): FileResult {
  const { columns, rows } = parseLogFile(bytes, { labelField: settings.labelField });
  const labelIndex = columns.indexOf(settings.labelField);
  const dateIndex = columns.indexOf('date');
  const timestampIndex = dateIndex === -1 ? columns.indexOf('timestamp') : -1;
  const planOf = (format: ContextFormat): ContextPlan =>
    contextPlan(columns, { labelField: settings.labelField, dropFields: settings.dropFields, format });
  const plan = planOf(settings.contextFormat);
  const outputs = new Map<string, LabelOutput>();

  const lines: string[] = [];
  const labels: LabelOutput[] = [];
  const kept: (readonly string[])[] = [];
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
    let output = outputs.get(label);
    if (output === undefined) {
      const responseJson = JSON.stringify(responseFor(label));
      if (outputs.size === 0xffff) throw new BadFileError('unknown_format', `more than 65535 distinct labels in ${settings.labelField}`);
      output = { id: outputs.size, responseJson, tailBytes: Buffer.byteLength(lineTail(responseJson)) + 1 };
      outputs.set(label, output);
    }
    lines.push(rowToLine(row, plan, output.responseJson));
    labels.push(output);
    kept.push(row);
  }

  const encoded = ownedBuffer(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  const offsets = new Uint32Array(lines.length + 1);
  const hashes = new Float64Array(lines.length);
  const labelIds = new Uint16Array(lines.length);
  const candidates: SampleCandidate[] = [];
  let otherPlan: ContextPlan | undefined;
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    // JSON lines hold no raw newline, and no UTF-8 sequence contains byte 0x0a: the next '\n' ends this line.
    const end = encoded.indexOf(10, start) + 1;
    offsets[i] = start;
    const hash = hashBytes53(encoded, start + LINE_HEAD.length, end - labels[i]!.tailBytes);
    hashes[i] = hash;
    labelIds[i] = labels[i]!.id;
    const key = rekey53(hash, settings.seed);
    if (key < sampleThreshold) {
      otherPlan ??= planOf(settings.contextFormat === 'full' ? 'compact' : 'full');
      candidates.push({ index: i, key, otherContext: renderContext(kept[i]!, otherPlan) });
    }
    start = end;
  }
  offsets[lines.length] = start;
  return {
    rowsScanned: rows.length,
    rowsInRange: inRange,
    unlabelled,
    bytes: encoded,
    offsets,
    labelIds,
    labelNames: [...outputs.keys()],
    hashes,
    candidates,
  };
}
