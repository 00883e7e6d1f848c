import type { Logger as BoltLogger, LogLevel } from '@slack/bolt';

/**
 * Structured logs: one JSON object per line, `{"time","level","msg",...fields}`; debug/info go to stdout,
 * warn/error to stderr. Every line is redacted, because Bolt and the Web API client log payloads and errors that can
 * carry tokens, and nothing secret may ever reach a log collector.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Readonly<Record<string, unknown>>;

export interface Log {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line (and shares level and sink with its parent). */
  child(fields: Fields): Log;
  getLevel(): Level;
  setLevel(level: Level): void;
}

export interface LogOptions {
  readonly level: Level;
  /** Literal values to hide wherever they appear (signing secret, tokens); blanks are ignored. */
  readonly secrets?: readonly (string | undefined)[];
  readonly write?: (line: string, level: Level) => void;
  readonly now?: () => Date;
}

const SEVERITY: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACTED = '[REDACTED]';
// Bot/user/refresh tokens (xoxb-, xoxp-, xoxe-…) and app-level tokens (xapp-).
const TOKEN_PATTERN = /xox[a-z]-[A-Za-z0-9-]*|xapp-[A-Za-z0-9-]*/g;

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && value in SEVERITY;
}

export function makeRedactor(secrets: readonly (string | undefined)[] = []): (text: string) => string {
  // Longest first, so a secret that contains another is hidden whole.
  const literals = secrets
    .filter((s): s is string => s !== undefined && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(TOKEN_PATTERN, REDACTED);
    for (const secret of literals) out = out.replaceAll(secret, REDACTED);
    return out;
  };
}

function errorFields(error: Error): Record<string, unknown> {
  const extra = error as Error & { code?: unknown; data?: unknown; cause?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(extra.code !== undefined && { code: extra.code }),
    ...(extra.data !== undefined && { data: extra.data }),
    ...(extra.cause !== undefined && { cause: extra.cause }),
    stack: error.stack,
  };
}

function serialize(record: Record<string, unknown>, redact: (text: string) => string): string {
  const seen = new WeakSet<object>();
  const replacer = (_key: string, value: unknown): unknown => {
    if (typeof value === 'string') return redact(value);
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return errorFields(value);
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  };
  // The final pass also covers object keys, which the replacer never sees.
  return redact(JSON.stringify(record, replacer));
}

function defaultWrite(line: string, level: Level): void {
  (SEVERITY[level] >= SEVERITY.warn ? process.stderr : process.stdout).write(`${line}\n`);
}

export function createLogger(options: LogOptions): Log {
  const state = { level: options.level };
  const redact = makeRedactor(options.secrets);
  const write = options.write ?? defaultWrite;
  const now = options.now ?? (() => new Date());
  const make = (bound: Fields): Log => {
    const emit =
      (level: Level) =>
      (msg: string, fields: Fields = {}) => {
        if (SEVERITY[level] < SEVERITY[state.level]) return;
        write(serialize({ time: now().toISOString(), level, msg, ...bound, ...fields }, redact), level);
      };
    return {
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      child: (fields) => make({ ...bound, ...fields }),
      getLevel: () => state.level,
      setLevel: (level) => {
        state.level = level;
      },
    };
  };
  return make({});
}

/** Bolt's `Logger` (also used by its Web API client) on top of ours; Bolt passes free-form arguments. */
export function toBoltLogger(log: Log, name = 'bolt'): BoltLogger {
  let component = name;
  const emit =
    (level: Level) =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      const msg = typeof first === 'string' ? first : first instanceof Error ? first.message : 'bolt';
      const details = typeof first === 'string' ? rest : args;
      log[level](msg, { component, ...(details.length > 0 && { details }) });
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    setLevel: (level: LogLevel) => {
      if (isLevel(level)) log.setLevel(level);
    },
    getLevel: () => log.getLevel() as LogLevel,
    setName: (value: string) => {
      component = value;
    },
  };
}
