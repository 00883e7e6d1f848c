import { LogLineReader } from '../../inference/logLines.ts';
import { capLines } from '../../inference/pastedText.ts';
import { contextForRecord } from '../../inference/prompt.ts';
import type { LineResult } from './blocks/reply.ts';
import type { TriageModel } from './models.ts';

/**
 * Lines of a paste or a shared file → one result per line: each line read (W3C, CSV in the logs' column order, JSON),
 * turned into the context training used, and classified; lines past the limit are counted, not classified. The model
 * gets the contexts in chunks, all in flight at once (the endpoint classifier bounds its own concurrency), so progress
 * can be reported as chunks finish.
 */
export interface ClassifiedText {
  readonly results: readonly LineResult[];
  readonly notClassified: number;
  /** Lines that were log lines at all: a message with none is not for triage. */
  readonly logLines: number;
}

const KEY_FIELD_NAMES = ['date', 'time', 'c-ip', 'cs-method', 'cs-uri-stem', 'sc-status'];

function keyFields(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(KEY_FIELD_NAMES.filter((n) => record[n] !== undefined).map((n) => [n, record[n]!]));
}

const CHUNK = 50;

export interface ClassifyOptions {
  readonly maxLines: number;
  readonly signal?: AbortSignal;
  /** Called as chunks of verdicts arrive: how many lines are classified, of how many. */
  readonly onProgress?: (done: number, total: number) => void;
}

async function classifyInChunks(
  model: TriageModel,
  contexts: readonly string[],
  options: ClassifyOptions,
): Promise<Awaited<ReturnType<TriageModel['classifier']['classify']>>> {
  let done = 0;
  options.onProgress?.(0, contexts.length);
  const chunks: string[][] = [];
  for (let i = 0; i < contexts.length; i += CHUNK) chunks.push(contexts.slice(i, i + CHUNK));
  const answers = await Promise.all(
    chunks.map(async (chunk) => {
      const verdicts = await model.classifier.classify(chunk, options.signal);
      done += chunk.length;
      options.onProgress?.(done, contexts.length);
      return verdicts;
    }),
  );
  return answers.flat();
}

export async function classifyLines(
  lines: readonly string[],
  model: TriageModel,
  options: ClassifyOptions,
): Promise<ClassifiedText> {
  const { stats } = model;
  const reader = new LogLineReader({
    ...(stats.sourceColumns && { sourceColumns: stats.sourceColumns }),
    ...(stats.sourceFormat && { sourceFormat: stats.sourceFormat }),
    labelField: stats.settings.labelField,
  });
  const entries = lines.map((line, i) => reader.read(line, i + 1)).filter((e) => e !== undefined);
  const readable = entries.filter((e) => e.record !== undefined);
  const { taken, notClassified } = capLines(readable, options.maxLines);
  const contexts = taken.map((e) => contextForRecord(e.record!, stats.settings));
  const verdicts = contexts.length === 0 ? [] : await classifyInChunks(model, contexts, options);
  const verdictOf = new Map(taken.map((e, i) => [e, verdicts[i]]));
  const results: LineResult[] = [];
  for (const entry of entries) {
    if (entry.record === undefined) {
      results.push({ line: entry.line, problem: { kind: 'unreadable', detail: entry.error ?? 'not a log line' } });
      continue;
    }
    const verdict = verdictOf.get(entry);
    if (verdict === undefined) continue; // past the limit
    const fields = keyFields(entry.record);
    if (verdict.label !== undefined) results.push({ line: entry.line, fields, label: verdict.label });
    else if (verdict.error === 'unrecognised')
      results.push({ line: entry.line, fields, problem: { kind: 'unrecognised', said: verdict.raw ?? '' } });
    else results.push({ line: entry.line, fields, problem: { kind: 'error', detail: describe(verdict) } });
  }
  return { results, notClassified, logLines: readable.length };
}

function describe(verdict: { readonly error?: string; readonly detail?: string }): string {
  const kind = (verdict.error ?? 'failed').replace('_', ' ');
  return verdict.detail === undefined ? kind : `${kind} (${verdict.detail})`;
}
