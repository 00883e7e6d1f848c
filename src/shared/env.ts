import { z } from 'zod';
import { ConfigError } from '../errors.ts';

/**
 * Reading settings from the environment. Two words, one meaning each: the *environment* is the raw variables; a
 * *settings section* is one module's validated, frozen view of them (each module's `settings.ts`). Every problem in
 * every section is collected before anything is refused, so a person fixes a half-filled env file in one go, and
 * each problem says what was expected and what was given (never the value of a secret).
 */
export type Env = Record<string, string | undefined>;

export interface SettingProblem {
  readonly variable: string;
  /** What the variable should hold, e.g. `a whole number from 5 to 3600`; or a whole sentence (`message`). */
  readonly expected: string;
  /** How the given value is shown: quoted, `not set`, or hidden for a secret. */
  readonly given: string;
}

/** Every missing or invalid setting of a load; `variable` is the first one's (the message names all). */
export class SettingsError extends ConfigError {
  constructor(readonly problems: readonly SettingProblem[]) {
    const first = problems[0]!;
    super(first.variable, problems.length === 1 ? describeProblem(first) : '');
    if (problems.length > 1) {
      this.message =
        `${problems.length} settings are missing or invalid:\n` +
        problems.map((p) => `  ${p.variable}: ${describeProblem(p)}`).join('\n');
    }
  }
}

function describeProblem(problem: SettingProblem): string {
  if (problem.given === NOT_SET && problem.expected === A_VALUE) return 'is required but not set';
  return `expected ${problem.expected}, got ${problem.given}`;
}

const NOT_SET = 'nothing (not set)';
const A_VALUE = 'a value';
const MAX_SHOWN = 60;

export interface SettingsSection<T> {
  /** The variables this section reads. */
  readonly variables: readonly string[];
  read(env: Env): { readonly value: T } | { readonly problems: readonly SettingProblem[] };
}

/** A check across variables that each parsed (e.g. "the total must exceed the input length"). */
export type CrossCheck = (variable: string, expected: string) => void;

export interface SectionOptions {
  /** Variables whose values are never shown, not even in an error. */
  readonly secrets?: readonly string[];
}

/**
 * One section: a zod object of variables, then `build` turns the parsed values into the section's frozen view.
 * `build` reports problems that involve several variables through `problem`; its result is then discarded.
 */
export function settingsSection<Shape extends z.ZodRawShape, T>(
  shape: Shape,
  build: (values: z.infer<z.ZodObject<Shape>>, problem: CrossCheck) => T,
  options: SectionOptions = {},
): SettingsSection<T> {
  const schema = z.object(shape);
  const secrets = new Set(options.secrets ?? []);
  const shown = (variable: string, env: Env) => {
    const value = withoutBlanks(env)[variable];
    if (value === undefined) return NOT_SET;
    if (secrets.has(variable)) return 'a value that is not shown (a secret)';
    return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
  };
  return {
    variables: Object.keys(shape),
    read(env) {
      const present = withoutBlanks(env);
      const result = schema.safeParse(present);
      const problems = new Map<string, SettingProblem>();
      if (!result.success) {
        for (const issue of result.error.issues) {
          const variable = String(issue.path[0] ?? 'environment');
          if (problems.has(variable)) continue;
          const given = shown(variable, env);
          const expected = given === NOT_SET ? A_VALUE : expectation(shape[variable] as z.ZodType | undefined, issue);
          problems.set(variable, { variable, expected, given });
        }
      }
      // The checks across variables run too when others failed, on their defaults, so one run names every problem.
      const parsed = result.success
        ? result
        : schema.safeParse(Object.fromEntries(Object.entries(present).filter(([k]) => !problems.has(k))));
      if (!parsed.success) return { problems: [...problems.values()] };
      const value = build(parsed.data, (variable, expected) => {
        if (!problems.has(variable)) problems.set(variable, { variable, expected, given: shown(variable, env) });
      });
      return problems.size > 0 ? { problems: [...problems.values()] } : { value };
    },
  };
}

/** One section's settings; every problem in it at once. */
export function loadSection<T>(section: SettingsSection<T>, env: Env = process.env): T {
  const read = section.read(env);
  if ('problems' in read) throw new SettingsError(read.problems);
  return read.value;
}

type ValueOf<S> = S extends SettingsSection<infer T> ? T : never;
export type SectionValues<M> = { readonly [K in keyof M]: ValueOf<M[K]> };

/** Several sections at once; every problem in all of them in one error. */
export function loadSections<M extends Record<string, SettingsSection<unknown>>>(
  sections: M,
  env: Env = process.env,
): SectionValues<M> {
  const values: Record<string, unknown> = {};
  const problems: SettingProblem[] = [];
  for (const [key, section] of Object.entries(sections)) {
    const read = section.read(env);
    if ('problems' in read)
      problems.push(...read.problems.filter((p) => !problems.some((q) => q.variable === p.variable)));
    else values[key] = read.value;
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return Object.freeze(values) as SectionValues<M>;
}

/** Blank values count as unset, as a half-filled env file would leave them. */
function withoutBlanks(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
}

/** What a variable should hold, from its schema where it says (number ranges, choices), else from the issue. */
function expectation(field: z.ZodType | undefined, issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected ')) return issue.message.slice('expected '.length);
  const inner = field && unwrap(field);
  if (inner instanceof z.ZodNumber) return describeNumber(inner);
  if (inner instanceof z.ZodEnum) return `one of ${inner.options.join(', ')}`;
  if (issue.code === 'invalid_format' && issue.format === 'url') return 'a URL such as http://127.0.0.1:8080/api/';
  return issue.message;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.out as z.ZodType;
    else return current;
  }
}

function describeNumber(schema: z.ZodNumber): string {
  const kind = schema.isInt ? 'a whole number' : 'a number';
  const { minValue: min, maxValue: max } = schema;
  const hasMin = min !== null && Number.isFinite(min) && min > Number.MIN_SAFE_INTEGER;
  const hasMax = max !== null && Number.isFinite(max) && max < Number.MAX_SAFE_INTEGER;
  const minExclusive = hasMin && !schema.safeParse(min).success;
  if (hasMin && hasMax) return minExclusive ? `${kind} above ${min}, at most ${max}` : `${kind} from ${min} to ${max}`;
  if (hasMin) return minExclusive ? `${kind} above ${min}` : `${kind} of at least ${min}`;
  if (hasMax) return `${kind} of at most ${max}`;
  return kind;
}

export const csvList = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((s) => s === 'true' || s === '1' || s === 'yes');

export const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

/** A setting that is optional in general but needed by this particular action. */
export function requireSetting<T>(value: T | undefined, variable: string, hint: string): T {
  if (value === undefined) throw new ConfigError(variable, `is required but not set (${hint})`);
  return value;
}
