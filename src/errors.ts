/**
 * The few error kinds logtune distinguishes. Domain code throws these; surfaces (CLI, Slack) decide how to show them.
 * `UsageError` is the user's fault and its message is safe to show as is; `ConfigError` names the bad setting.
 */
export type ErrorCode = 'usage' | 'config' | 'cancelled' | 'not_supported';

export class LogtuneError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input from a person: an unparseable range, an unknown flag, a malformed URI. */
export class UsageError extends LogtuneError {
  constructor(message: string, options?: ErrorOptions) {
    super('usage', message, options);
  }
}

/** A missing or invalid setting; the message starts with the variable's name. */
export class ConfigError extends LogtuneError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('config', `${variable}: ${message}`);
  }
}

export class CancelledError extends LogtuneError {
  constructor(message = 'cancelled') {
    super('cancelled', message);
  }
}

/**
 * Something logtune does not do yet, said plainly instead of pretending: the message names what and, where there is
 * one, what to do instead. Exit code 1 on the CLI (not the person's fault, nothing to fix in the input).
 */
export class NotSupportedError extends LogtuneError {
  constructor(message: string) {
    super('not_supported', `${message} (not supported yet)`);
  }
}

export function isLogtuneError(error: unknown): error is LogtuneError {
  return error instanceof LogtuneError;
}

/** Throws a CancelledError when the signal has fired; call at every await boundary of long work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
