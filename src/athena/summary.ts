import type { DatedObject } from '../logs/layout.ts';
import type { LogFormat } from '../logs/formats/index.ts';
import { channelUris, outputUris } from '../dataset/output/folder.ts';
import type { SampledWriteResult } from '../dataset/output/sampledWrite.ts';
import { summaryHeader } from '../dataset/request/request.ts';
import type { SqlBuildStats } from '../dataset/sql/index.ts';
import type { AthenaRun, BuildRequest, BuildSummary, SkippedFile, TokenStats } from '../dataset/types.ts';
import type { LedgerRow } from './ledger.ts';
import { billedBytes, usdFor, type ScanPlan } from './plan.ts';

export type { AthenaRun } from '../dataset/types.ts';

/** What an Athena build measured and wrote, for its stats.json. */
export interface AthenaSummaryInput {
  readonly request: BuildRequest;
  readonly layout: { readonly used: string; readonly detected: boolean };
  readonly objects: readonly DatedObject[];
  readonly skipped: readonly SkippedFile[];
  readonly stats: SqlBuildStats;
  readonly written: SampledWriteResult;
  readonly tokens: TokenStats;
  readonly seconds: number;
  /** The logs' own columns and format (what maps a pasted CSV row). */
  readonly source: { readonly columns: string[]; readonly format: LogFormat };
  readonly warnings: readonly string[];
  readonly plan: ScanPlan;
  readonly runId: string;
  /** Every attempt of the build's queries: what was scanned and billed. */
  readonly ledgerRows: readonly LedgerRow[];
  readonly workgroup: string;
  readonly tables: readonly string[];
}

/**
 * An Athena build's stats.json: the local build's fields, from the stats query's counts and what the writer wrote,
 * and the scan's own figures (`athena`).
 */
export function athenaSummary(input: AthenaSummaryInput): BuildSummary & { readonly athena: AthenaRun } {
  const { request, layout, objects, skipped, stats, written, tokens, seconds, source, warnings, plan } = input;
  const { runId, ledgerRows, workgroup, tables } = input;
  const bytesScanned = ledgerRows.reduce((sum, r) => sum + r.scannedBytes, 0);
  const bytes = objects.reduce((sum, o) => sum + o.size, 0);
  const labels = Object.fromEntries(
    Object.entries(stats.labels).map(([label, c]) => {
      const sides = written.labels.get(label);
      return [
        label,
        { scanned: c.scanned, unique: c.unique, train: sides?.train ?? 0, validation: sides?.validation ?? 0 },
      ];
    }),
  );
  const filesRead = Object.keys(stats.files).length;
  return {
    ...summaryHeader(request),
    layout: { setting: request.layout, used: layout.used, detected: layout.detected },
    files: { listed: objects.length, read: filesRead, skipped: skipped.length, skippedFiles: skipped, bytes },
    rows: {
      scanned: stats.rowsScanned,
      inRange: stats.rowsInRange,
      unlabelled: stats.unlabelled,
      duplicates: stats.duplicates,
      unique: stats.unique,
      train: written.train,
      validation: written.validation,
      groups: written.groups.groups,
      groupedExamples: written.groups.groupedExamples,
    },
    labels,
    examples: {
      maxInputLength: request.maxInputLength,
      contextTruncated: written.overLength.contextTruncated,
      droppedAnswerTooLong: stats.droppedAnswerTooLong + written.overLength.droppedAnswerTooLong,
    },
    tokens,
    seconds: Math.round(seconds * 1000) / 1000,
    rowsPerSecond: Math.round(stats.rowsScanned / seconds),
    megabytesPerSecond: Math.round((bytes / 1e6 / seconds) * 10) / 10,
    fetchConcurrency: request.fetchConcurrency,
    parseWorkers: request.parseWorkers,
    sourceColumns: source.columns,
    sourceFormat: source.format,
    channels: channelUris(request.outUri),
    outputs: outputUris(request.outUri),
    ...(warnings.length > 0 && { warnings }),
    engine: 'athena',
    athena: {
      runId,
      bytesScanned,
      // Every attempt that scanned is billed (a failed one too when it read), DDL and zero-byte failures are not.
      dollars: usdFor(ledgerRows.reduce((sum, r) => sum + (r.scannedBytes > 0 ? billedBytes(r.scannedBytes) : 0), 0)),
      quotedUsd: plan.usd,
      queries: new Set(ledgerRows.map((r) => r.key)).size,
      attempts: ledgerRows.length,
      workgroup,
      tables,
    },
  };
}
