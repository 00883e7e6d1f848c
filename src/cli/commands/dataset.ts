import { loadDataSettings } from '../../dataset/settings.ts';
import { DATASET_USAGE, parseDatasetArgs } from '../../dataset/request/args.ts';
import { loadAthenaSettings } from '../../athena/settings.ts';
import { buildDataset } from '../../dataset/build.ts';
import type { EngineChoice } from '../../athena/engine.ts';
import type { ScanPlan } from '../../athena/plan.ts';
import type { QueryProgress } from '../../athena/queryRunner.ts';
import { claimOutput } from '../../dataset/output/guard.ts';
import { resolveBuildRequest } from '../../dataset/request/request.ts';
import type { BuildRequest, BuildSummary } from '../../dataset/types.ts';
import type { EngineHooks } from '../../athena/runBuild.ts';
import { UsageError } from '../../errors.ts';
import { openStore } from '../../objectStore/open.ts';
import type { CliCommand } from '../command.ts';
import { EXIT } from '../command.ts';
import { formatDuration, progressReporter } from '../progressReporter.ts';

/** Skipped files named on stderr; the rest are in stats.json (files.skippedFiles). */
const SKIPPED_SHOWN = 5;

const DETAILS = `Ranges (UTC days, both ends included): april-may, april-may 2024, 2024-04, 2024-04-01..2024-05-31, last 7 days.
  --max-examples N|all   cap train + validation together (default all)
  --balance MODE         proportional (default) keeps each label's share; balanced needs --max-examples
  --seed N               the same input, settings and seed give byte-identical outputs (default 42)
  --validation F         share of each label held out for validation (default 0.1; 0 for none)
  --context MODE         compact (default) drops "-" fields, CloudFront field order; full keeps every field
  --max-input-length N   the training's max_input_length: longer contexts are cut to fit (default 1024)
  --engine E             local (default, LOGTUNE_ENGINE), athena, or auto: Athena above LOGTUNE_ATHENA_MIN_GB listed
                         (docs/athena.md: cost per TB, approval over LOGTUNE_ATHENA_APPROVAL_USD)
  --logs URI             read logs here instead of LOGTUNE_LOGS_URI (s3://bucket/prefix or a folder)
  --out URI              write the dataset here instead of <LOGTUNE_ARTIFACTS_URI>/datasets/<id>/; refused if not empty
  --force                with --out: replace what the folder holds, whole
The logs' layout is detected (LOGTUNE_LOGS_LAYOUT=auto) or set as a key template; see docs/formats.md.
Progress goes to stderr, one JSON summary line to stdout. Exit codes: 0 done, 1 failed, 2 bad input or settings,
130 cancelled.`;

function skippedLines(summary: BuildSummary): string {
  const { skippedFiles } = summary.files;
  if (skippedFiles.length === 0) return '';
  const shown = skippedFiles.slice(0, SKIPPED_SHOWN).map((f) => `  skipped ${f.key}: ${f.reason}\n`);
  const more = skippedFiles.length - shown.length;
  return shown.join('') + (more > 0 ? `  … and ${more} more skipped files in stats.json (files.skippedFiles)\n` : '');
}

function overLengthLine(summary: BuildSummary): string {
  const { contextTruncated, droppedAnswerTooLong, maxInputLength } = summary.examples;
  const n = (x: number) => x.toLocaleString('en-US');
  const cut =
    contextTruncated === 0
      ? ''
      : `  ${n(contextTruncated)} contexts were cut to fit ${maxInputLength} tokens (the answers kept whole)\n`;
  const dropped =
    droppedAnswerTooLong === 0
      ? ''
      : `  ${n(droppedAnswerTooLong)} rows were not written: their answer alone is longer than ${maxInputLength} tokens\n`;
  return cut + dropped;
}

function planLine(plan: ScanPlan): string {
  return (
    `Athena plan: ${(plan.listedBytes / 1e9).toFixed(2)} GB listed, ${plan.chunks.length} chunks, ${plan.queries} queries ` +
    `scanning at most ${(plan.scanBytes / 1e9).toFixed(2)} GB: $${plan.usd.toFixed(4)} at $5/TB` +
    `${plan.needsApproval ? ' — above LOGTUNE_ATHENA_APPROVAL_USD, needs an approver' : ''}\n`
  );
}

/** `logtune dataset <range> [flags]`: builds a dataset; progress on stderr, the summary as one JSON line on stdout. */
export const datasetCommand: CliCommand = {
  name: 'dataset',
  usage: DATASET_USAGE,
  summary: 'build a fine-tuning dataset from the logs of a date range',
  details: DETAILS,
  async run(args, io) {
    const reporter = progressReporter(io.stderr as NodeJS.WriteStream);
    try {
      const config = loadDataSettings(io.env);
      const options = parseDatasetArgs(args, { allowOperatorFlags: true });
      if (options.force === true && options.outUri === undefined) {
        throw new UsageError(`--force replaces the folder given with --out; add --out URI. Usage: ${DATASET_USAGE}`);
      }
      const engine = loadAthenaSettings(io.env).engine;
      const request = resolveBuildRequest(config, options, new Date(), engine);
      // A folder named by hand may hold anything; the default one is new (its name has the build time in it).
      if (options.outUri !== undefined) {
        const out = await openStore(request.outUri, { s3ForcePathStyle: config.s3ForcePathStyle });
        if (await claimOutput(out, { force: options.force === true, signal: io.signal }))
          io.stderr.write(`--force: emptied ${request.outUri}\n`);
      }
      io.stderr.write(`Building ${request.datasetId} for ${request.range.label} from ${request.logsUri}\n`);
      // A local build never loads the Athena engine (nor its SDK client).
      const build: (r: BuildRequest, hooks: EngineHooks) => Promise<BuildSummary> =
        (request.engine ?? 'local') === 'local'
          ? buildDataset
          : await import('../../athena/runBuild.ts').then(
              ({ buildWithEngine }) =>
                (r: BuildRequest, hooks: EngineHooks) =>
                  buildWithEngine(r, hooks, { env: io.env }),
            );
      const summary = await build(request, {
        signal: io.signal,
        onEngine: (choice: EngineChoice) => io.stderr.write(`Engine: ${choice.reason}\n`),
        onPlan: (plan: ScanPlan) => io.stderr.write(planLine(plan)),
        onQuery: (q: QueryProgress) =>
          io.stderr.write(
            `  athena ${q.key} (attempt ${q.attempt}): ${q.state}, ${(q.scannedBytes / 1e9).toFixed(2)} GB scanned, ` +
              `${formatDuration(q.elapsedMs / 1000)}\n`,
          ),
        onProgress: reporter.report,
        onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
        onLayout: (layout) =>
          io.stderr.write(
            `Layout: ${layout.template} (${layout.name}; ` +
              `${layout.detected ? 'detected, set LOGTUNE_LOGS_LAYOUT to choose another' : 'from LOGTUNE_LOGS_LAYOUT'})\n`,
          ),
      });
      reporter.end();
      const { rows, files, tokens, channels } = summary;
      io.stderr.write(
        `Done in ${formatDuration(summary.seconds)}: ${rows.train} train + ${rows.validation} validation examples ` +
          `from ${files.read}/${files.listed} files (${files.skipped} skipped, ${rows.duplicates} duplicates), ` +
          `${tokens.totalTokens.toLocaleString('en-US')} tokens (${tokens.method}) → ${summary.outUri}\n` +
          skippedLines(summary) +
          overLengthLine(summary) +
          `  training channel:   ${channels.training}\n` +
          `  validation channel: ${channels.validation}${rows.validation === 0 ? ' (empty: train without it)' : ''}\n`,
      );
      if (summary.athena !== undefined)
        io.stderr.write(
          `  Athena: ${(summary.athena.bytesScanned / 1e9).toFixed(2)} GB scanned over ${summary.athena.attempts} ` +
            `query attempts, $${summary.athena.dollars.toFixed(4)}\n`,
        );
      io.stdout.write(`${JSON.stringify(summary)}\n`);
      return EXIT.ok;
    } finally {
      reporter.end();
    }
  },
};
