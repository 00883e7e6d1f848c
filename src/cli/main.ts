import { loadDataConfig } from '../config.ts';
import { DATASET_USAGE, parseDatasetArgs } from '../dataset/args.ts';
import { buildDataset } from '../dataset/build.ts';
import { resolveBuildRequest } from '../dataset/request.ts';
import { isLogtuneError } from '../errors.ts';
import { formatDuration, progressReporter } from './progressReporter.ts';

const HELP = `logtune — build fine-tuning datasets from CloudFront access logs

Usage:
  ${DATASET_USAGE}
  logtune help

Ranges: april-may, april-may 2024, apr-may, 2024-04, 2024-04-01, 2024-04-01..2024-05-31, last 7 days, yesterday.
Settings come from LOGTUNE_* environment variables (see README); --logs and --out override the locations.
Progress goes to stderr; a one-line JSON summary goes to stdout last.`;

/** Runs the CLI; returns the exit code. I/O streams are parameters so tests can capture them. */
export async function main(
  argv: readonly string[],
  io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; env: NodeJS.ProcessEnv } = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  },
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'dataset') {
    io.stderr.write(`logtune: unknown command "${command}". Usage: ${DATASET_USAGE}\n`);
    return 2;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const reporter = progressReporter(io.stderr);
  try {
    const config = loadDataConfig(io.env);
    const request = resolveBuildRequest(config, parseDatasetArgs(rest, { allowOperatorFlags: true }), new Date());
    io.stderr.write(`Building ${request.datasetId} for ${request.range.label} from ${request.logsUri}\n`);
    const summary = await buildDataset(request, { signal: controller.signal, onProgress: reporter.report });
    reporter.end();
    const { rows, files, tokens } = summary;
    io.stderr.write(
      `Done in ${formatDuration(summary.seconds)}: ${rows.train} train + ${rows.validation} validation examples ` +
        `from ${files.read}/${files.listed} files (${files.skipped} skipped, ${rows.duplicates} duplicates), ` +
        `${tokens.totalTokens.toLocaleString('en-US')} tokens (${tokens.method}) → ${summary.outUri}\n`,
    );
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (error) {
    reporter.end();
    if (isLogtuneError(error)) {
      io.stderr.write(`logtune: ${error.message}\n`);
      return error.code === 'cancelled' ? 130 : error.code === 'config' || error.code === 'usage' ? 2 : 1;
    }
    io.stderr.write(`logtune: build failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
