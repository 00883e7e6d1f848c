import { LogLineReader } from '../../inference/logLines.ts';
import { capLines, pastedLines } from '../../inference/pastedText.ts';
import { contextForRecord } from '../../inference/prompt.ts';
import type { LineResult } from './blocks/reply.ts';
import type { TriageModel } from './models.ts';

/**
 * Pasted text → one result per line: Slack's markup undone, each line read (W3C, CSV in the logs' column order, JSON),
 * turned into the context training used, and classified; lines past the limit are counted, not classified.
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

export async function classifyText(
  text: string,
  model: TriageModel,
  maxLines: number,
  signal?: AbortSignal,
): Promise<ClassifiedText> {
  const { stats } = model;
  const reader = new LogLineReader({
    ...(stats.sourceColumns && { sourceColumns: stats.sourceColumns }),
    ...(stats.sourceFormat && { sourceFormat: stats.sourceFormat }),
    labelField: stats.settings.labelField,
  });
  const entries = pastedLines(text)
    .map((line, i) => reader.read(line, i + 1))
    .filter((e) => e !== undefined);
  const readable = entries.filter((e) => e.record !== undefined);
  const { taken, notClassified } = capLines(readable, maxLines);
  const contexts = taken.map((e) => contextForRecord(e.record!, stats.settings));
  const verdicts = contexts.length === 0 ? [] : await model.classifier.classify(contexts, signal);
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
