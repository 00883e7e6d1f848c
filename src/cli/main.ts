import pkg from '../../package.json' with { type: 'json' };
import { isLogtuneError } from '../errors.ts';
import { EXIT, type CliCommand, type CliIo } from './command.ts';
import { CLI_COMMANDS } from './commands/index.ts';
import { quietSdkNodeWarning } from './sdkWarning.ts';

function help(commands: readonly CliCommand[]): string {
  const lines = commands.map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `logtune — fine-tune an LLM on CloudFront access logs, with the cost in view

Usage:
${lines.join('\n')}
  logtune help | logtune <command> --help | logtune --version

Ranges: april-may, april-may 2024, apr-may, 2024-04, 2024-04-01, 2024-04-01..2024-05-31, last 7 days, yesterday.
Settings come from LOGTUNE_* environment variables (docs/settings.md); --logs and --out override the locations.
Progress goes to stderr; results go to stdout as JSON lines.`;
}

/**
 * The AWS SDK's own words for a setting it reads itself and found missing name no variable; said here in terms of
 * the variable, as a settings error (exit 2). The S3 store checks the region before any request; this covers every
 * other AWS client a command may use.
 */
function commandHelp(command: CliCommand): string {
  return `Usage: ${command.usage}\n\n${command.summary}.${command.details === undefined ? '' : `\n\n${command.details}`}\n`;
}

/** `--help` or `-h` anywhere before a `--`: a person asking, not a value (no logtune flag takes one starting with -). */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

function missingSdkSetting(error: unknown): string | undefined {
  if (error instanceof Error && error.message === 'Region is missing') {
    return "AWS_REGION: is not set: AWS requests need a region (set AWS_REGION, or region in the AWS_PROFILE's config)";
  }
  return undefined;
}

export interface MainIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin?: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
}

/** Runs the CLI; returns the exit code. I/O streams are parameters so tests can capture them. */
export async function main(
  argv: readonly string[],
  io: MainIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env },
  commands: readonly CliCommand[] = CLI_COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  // process.env, not io.env: the SDK reads the variable there when a client is made.
  quietSdkNodeWarning();
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(`${help(commands)}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`logtune ${pkg.version}\n`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(
      `logtune: unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}; see logtune help\n`,
    );
    return EXIT.usage;
  }
  if (asksForHelp(rest)) {
    io.stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const cliIo: CliIo = { ...io, stdin: io.stdin ?? process.stdin, signal: controller.signal };
  try {
    return await command.run(rest, cliIo);
  } catch (error) {
    if (isLogtuneError(error)) {
      io.stderr.write(`logtune: ${error.message}\n`);
      return error.code === 'cancelled'
        ? EXIT.cancelled
        : error.code === 'config' || error.code === 'usage'
          ? EXIT.usage
          : EXIT.failed;
    }
    const setting = missingSdkSetting(error);
    if (setting !== undefined) {
      io.stderr.write(`logtune: ${setting}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`logtune: ${command.name} failed: ${(error as Error).message}\n`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
