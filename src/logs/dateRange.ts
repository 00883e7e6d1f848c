/**
 * Parses the human date range of `logtune dataset <range>` ("april-may", "2024-04-01..2024-05-31", "last 7 days")
 * into inclusive UTC calendar days. The only clock is `options.now`, so results are reproducible in tests.
 *
 * Internally a day is a "day number": whole days since 1970-01-01 UTC. Integer arithmetic on those avoids
 * every time-zone and DST pitfall of adding days to Date objects.
 */
import { UsageError } from '../errors.ts';

export interface DateRange {
  readonly start: string;
  readonly end: string;
  readonly days: number;
  readonly label: string;
}

export interface DateRangeOptions {
  readonly now: Date;
  readonly maxDays: number;
}

const DAY_MS = 86_400_000;

/** Appended to every error so the person always sees a form that works. */
const TRY_SUFFIX = 'Try e.g. "april-may", "2024-04-01..2024-05-31" or "last 7 days".';

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const MONTH_BY_NAME = new Map<string, number>([
  ...MONTH_NAMES.flatMap((name, i): [string, number][] => [
    [name.toLowerCase(), i],
    [name.slice(0, 3).toLowerCase(), i],
  ]),
  ['sept', 8],
]);

/**
 * Ways to write "A to B", tried in order. The bare `-` is only a separator between two full ISO dates or
 * after a month name followed by another word, because `feb-30` and `2024-04` use `-` inside one date.
 */
const RANGE_SEPARATORS = [
  /^(.+?) ?\.\. ?(.+)$/,
  /^(.+?) to (.+)$/i,
  /^(\d{4}-\d{1,2}-\d{1,2}) ?- ?(\d{4}-\d{1,2}-\d{1,2})$/,
  /^([a-z]+\.?(?: \d{4})?) ?- ?([a-z].*)$/i,
];

/** One side of a range as typed; `year` is undefined when left implicit, `day` when a whole month was named. */
interface Endpoint {
  readonly text: string;
  readonly year: number | undefined;
  readonly month: number;
  readonly day: number | undefined;
}

function fail(problem: string): never {
  throw new UsageError(`${problem} ${TRY_SUFFIX}`);
}

function dayNumber(year: number, month: number, day: number): number {
  // setUTCFullYear, unlike Date.UTC, does not turn years 0–99 into 1900–1999; out-of-range months/days roll over.
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return Math.round(date.getTime() / DAY_MS);
}

function civil(day: number): { year: number; month: number; day: number } {
  const date = new Date(day * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth(), day: date.getUTCDate() };
}

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function human(day: number, withYear = true): string {
  const c = civil(day);
  return `${c.day} ${MONTH_NAMES[c.month]!.slice(0, 3)}${withYear ? ` ${c.year}` : ''}`;
}

function rangeLabel(start: number, end: number): string {
  if (start === end) return human(start);
  const sameYear = civil(start).year === civil(end).year;
  return `${human(start, !sameYear)} – ${human(end)}`;
}

/** The day `day` of the endpoint's month in `year`, rejecting days that month does not have. */
function validDay(endpoint: Endpoint, year: number, day: number): number {
  const length = dayNumber(year, endpoint.month + 1, 1) - dayNumber(year, endpoint.month, 1);
  if (day < 1 || day > length) {
    fail(`"${endpoint.text}" is not a date: ${MONTH_NAMES[endpoint.month]} ${year} has ${length} days.`);
  }
  return dayNumber(year, endpoint.month, day);
}

function parseEndpoint(text: string, today: number): Endpoint | undefined {
  const relative = /^today$/i.test(text) ? today : /^yesterday$/i.test(text) ? today - 1 : undefined;
  if (relative !== undefined) {
    const c = civil(relative);
    return { text, year: c.year, month: c.month, day: c.day };
  }
  const iso = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$/.exec(text);
  if (iso) {
    const month = Number(iso[2]) - 1;
    if (month < 0 || month > 11) fail(`"${text}" is not a date: there is no month ${iso[2]}, months go from 01 to 12.`);
    return { text, year: Number(iso[1]), month, day: iso[3] === undefined ? undefined : Number(iso[3]) };
  }
  // "apr", "april 2024", "feb-29", "feb 29 2024", "feb 29, 2024"
  const named = /^([a-z]+)\.?(?:[ -](\d{1,2}))?(?:,? (\d{4}))?$/i.exec(text);
  const month = named ? MONTH_BY_NAME.get(named[1]!.toLowerCase()) : undefined;
  if (!named || month === undefined) return undefined;
  return {
    text,
    year: named[3] === undefined ? undefined : Number(named[3]),
    month,
    day: named[2] === undefined ? undefined : Number(named[2]),
  };
}

/**
 * Turns endpoints into day numbers. A missing year is chosen so the range is the most recent one that does not
 * start in the future; a year typed on one side anchors the other, and a start month later than the end month
 * ("dec-feb") means the start is in the year before the end.
 */
function resolve(from: Endpoint, to: Endpoint, today: number): [number, number] {
  const now = civil(today);
  const wraps = from.month > to.month ? 1 : 0;
  const endYear =
    to.year ?? (from.year !== undefined ? from.year + wraps : to.month <= now.month ? now.year : now.year - 1);
  const startYear = from.year ?? endYear - wraps;
  const start = validDay(from, startYear, from.day ?? 1);
  if (to.day !== undefined) return [start, validDay(to, endYear, to.day)];
  // A whole month that has begun but not finished means "so far": stop at today rather than reject the range.
  const monthStart = dayNumber(endYear, to.month, 1);
  const monthEnd = dayNumber(endYear, to.month + 1, 0);
  return [start, monthStart <= today ? Math.min(monthEnd, today) : monthEnd];
}

function parseRelative(input: string, today: number): [number, number] | undefined {
  const now = civil(today);
  if (/^this month$/i.test(input)) return [dayNumber(now.year, now.month, 1), today];
  if (/^last month$/i.test(input)) return [dayNumber(now.year, now.month - 1, 1), dayNumber(now.year, now.month, 0)];
  const last = /^(?:last|past) (\d+) (day|week)s?$/i.exec(input);
  if (!last) return undefined;
  const days = Number(last[1]) * (last[2]!.toLowerCase() === 'week' ? 7 : 1);
  if (days === 0) fail(`"${input}" covers no days: ask for at least 1.`);
  return [today - days + 1, today];
}

function parseAbsolute(input: string, today: number): [number, number] {
  const separated = RANGE_SEPARATORS.map((re) => re.exec(input)).find((m) => m !== null);
  const sides = separated ? [separated[1]!, separated[2]!] : [input];
  const endpoints = sides.map((side) => parseEndpoint(side, today));
  const unknown = sides.find((_, i) => endpoints[i] === undefined);
  if (unknown !== undefined) {
    const detail = sides.length > 1 ? `: "${unknown}" is neither a month nor a date` : '';
    fail(`"${input}" is not a date range I understand${detail}.`);
  }
  const from = endpoints[0]!;
  return resolve(from, endpoints[1] ?? from, today);
}

export function parseDateRange(text: string, options: DateRangeOptions): DateRange {
  const input = text.trim().replace(/\s+/g, ' ');
  if (input === '') fail('The date range is empty.');
  const today = Math.floor(options.now.getTime() / DAY_MS);
  const [start, end] = parseRelative(input, today) ?? parseAbsolute(input, today);
  // Future first: a start after a clamped "so far" end is a future problem, not a typing-order one.
  const latest = Math.max(start, end);
  if (latest > today) {
    fail(`"${input}" reaches ${human(latest)}, in the future: the latest allowed day is today, ${human(today)}.`);
  }
  if (start > end) {
    const order = `it starts on ${human(start)}, after it ends on ${human(end)}`;
    fail(`"${input}" is reversed: ${order}. Put the earlier day first.`);
  }
  const days = end - start + 1;
  if (days > options.maxDays) {
    fail(`"${input}" spans ${days} days, more than the maximum of ${options.maxDays} days.`);
  }
  return { start: isoDay(start), end: isoDay(end), days, label: rangeLabel(start, end) };
}

/** Every day of the range in order, as 'YYYY-MM-DD'. */
export function listDays(range: DateRange): string[] {
  const first = Date.parse(`${range.start}T00:00:00Z`) / DAY_MS;
  const last = Date.parse(`${range.end}T00:00:00Z`) / DAY_MS;
  return Array.from({ length: last - first + 1 }, (_, i) => isoDay(first + i));
}
