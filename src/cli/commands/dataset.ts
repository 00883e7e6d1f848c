import { loadDataSettings } from '../../dataset/settings.ts';
import { DATASET_USAGE, parseDatasetArgs } from '../../dataset/request/args.ts';
import { buildDataset } from '../../dataset/build.ts';
import { resolveBuildRequest } from '../../dataset/request/request.ts';
import type { CliCommand } from '../command.ts';
import { EXIT } from '../command.ts';
import { formatDuration, progressReporter } from '../progressReporter.ts';

/** `logtune dataset <range> [flags]`: builds a dataset; progress on stderr, the summary as one JSON line on stdout. */
export const datasetCommand: CliCommand = {
  name: 'dataset',
  usage: DATASET_USAGE,
  summary: 'build a fine-tuning dataset from the logs of a date range',
  async run(args, io) {
    const reporter = progressReporter(io.stderr as NodeJS.WriteStream);
    try {
      const config = loadDataSettings(io.env);
      const request = resolveBuildRequest(config, parseDatasetArgs(args, { allowOperatorFlags: true }), new Date());
      io.stderr.write(`Building ${request.datasetId} for ${request.range.label} from ${request.logsUri}\n`);
      const summary = await buildDataset(request, { signal: io.signal, onProgress: reporter.report });
      reporter.end();
      const { rows, files, tokens, channels } = summary;
      io.stderr.write(
        `Done in ${formatDuration(summary.seconds)}: ${rows.train} train + ${rows.validation} validation examples ` +
          `from ${files.read}/${files.listed} files (${files.skipped} skipped, ${rows.duplicates} duplicates), ` +
          `${tokens.totalTokens.toLocaleString('en-US')} tokens (${tokens.method}) → ${summary.outUri}\n` +
          `  training channel:   ${channels.training}\n` +
          `  validation channel: ${channels.validation}${rows.validation === 0 ? ' (empty: train without it)' : ''}\n`,
      );
      io.stdout.write(`${JSON.stringify(summary)}\n`);
      return EXIT.ok;
    } finally {
      reporter.end();
    }
  },
};
