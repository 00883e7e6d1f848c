/** What a `logtune <command>` is: its name, usage line, one-line summary, and how it runs. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: long commands stop and clean up. */
  readonly signal: AbortSignal;
}

export interface CliCommand {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** `logtune <command> --help` beyond the usage line and summary: flags, what goes where, examples. */
  readonly details?: string;
  /** Returns the exit code: 0 done, 1 failed, 2 bad input or settings, 130 cancelled. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, cancelled: 130 });
