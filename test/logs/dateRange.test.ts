import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { listDays, parseDateRange, type DateRange } from '../../src/logs/dateRange.ts';

const JUNE_10_2024 = new Date('2024-06-10T15:00:00Z');
const MAY_15_2024 = new Date('2024-05-15T23:59:59Z');
const JAN_15_2025 = new Date('2025-01-15T08:00:00Z');
const MAR_05_2025 = new Date('2025-03-05T12:00:00Z');
const MAX_DAYS = 400;

function parse(text: string, now: Date, maxDays = MAX_DAYS): DateRange {
  return parseDateRange(text, { now, maxDays });
}

function parseError(text: string, now: Date, maxDays = MAX_DAYS): UsageError {
  try {
    parse(text, now, maxDays);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe('parseDateRange: accepted forms', () => {
  it.each([
    // month names, most recent not in the future
    ['april-may', JUNE_10_2024, '2024-04-01', '2024-05-31', 61],
    ['apr-may', JUNE_10_2024, '2024-04-01', '2024-05-31', 61],
    ['April - May', JUNE_10_2024, '2024-04-01', '2024-05-31', 61],
    ['  APRIL-MAY  ', JUNE_10_2024, '2024-04-01', '2024-05-31', 61],
    ['april-may', MAY_15_2024, '2024-04-01', '2024-05-15', 45],
    ['april-may', MAR_05_2025, '2024-04-01', '2024-05-31', 61],
    ['april', JUNE_10_2024, '2024-04-01', '2024-04-30', 30],
    ['june', JUNE_10_2024, '2024-06-01', '2024-06-10', 10],
    ['july', JUNE_10_2024, '2023-07-01', '2023-07-31', 31],
    ['sept', JUNE_10_2024, '2023-09-01', '2023-09-30', 30],
    ['september', JUNE_10_2024, '2023-09-01', '2023-09-30', 30],
    ['feb', JUNE_10_2024, '2024-02-01', '2024-02-29', 29],
    ['feb', MAR_05_2025, '2025-02-01', '2025-02-28', 28],
    // year wrapping
    ['dec-feb', JAN_15_2025, '2023-12-01', '2024-02-29', 91],
    ['dec-feb', MAR_05_2025, '2024-12-01', '2025-02-28', 90],
    ['dec-jan', JAN_15_2025, '2024-12-01', '2025-01-15', 46],
    ['nov-dec', JAN_15_2025, '2024-11-01', '2024-12-31', 61],
    // explicit years
    ['april-may 2024', MAR_05_2025, '2024-04-01', '2024-05-31', 61],
    ['april 2023', JUNE_10_2024, '2023-04-01', '2023-04-30', 30],
    ['dec-feb 2024', JUNE_10_2024, '2023-12-01', '2024-02-29', 91],
    ['dec 2023-feb 2024', JUNE_10_2024, '2023-12-01', '2024-02-29', 91],
    ['june 2024', JUNE_10_2024, '2024-06-01', '2024-06-10', 10],
    // month-day
    ['feb-29', JUNE_10_2024, '2024-02-29', '2024-02-29', 1],
    ['feb 29 2024', MAR_05_2025, '2024-02-29', '2024-02-29', 1],
    ['apr-1..apr-15', JUNE_10_2024, '2024-04-01', '2024-04-15', 15],
    ['dec-20..jan-5', JUNE_10_2024, '2023-12-20', '2024-01-05', 17],
    ['may-1 to today', JUNE_10_2024, '2024-05-01', '2024-06-10', 41],
    // ISO
    ['2024-04', JUNE_10_2024, '2024-04-01', '2024-04-30', 30],
    ['2024-02', JUNE_10_2024, '2024-02-01', '2024-02-29', 29],
    ['2023-02', JUNE_10_2024, '2023-02-01', '2023-02-28', 28],
    ['2024-06', JUNE_10_2024, '2024-06-01', '2024-06-10', 10],
    ['2024-04-01', JUNE_10_2024, '2024-04-01', '2024-04-01', 1],
    ['2024-04-01..2024-05-31', JUNE_10_2024, '2024-04-01', '2024-05-31', 61],
    ['2024-04-01 .. 2024-05-31', JUNE_10_2024, '2024-04-01', '2024-05-31', 61],
    ['2024-04-01 to 2024-05-31', JUNE_10_2024, '2024-04-01', '2024-05-31', 61],
    ['2024-04-01-2024-05-31', JUNE_10_2024, '2024-04-01', '2024-05-31', 61],
    ['2024-04..2024-05', JUNE_10_2024, '2024-04-01', '2024-05-31', 61],
    ['2023-12-30..2024-01-02', JUNE_10_2024, '2023-12-30', '2024-01-02', 4],
    ['2024-06-10..2024-06-10', JUNE_10_2024, '2024-06-10', '2024-06-10', 1],
    // relative
    ['today', JUNE_10_2024, '2024-06-10', '2024-06-10', 1],
    ['yesterday', JUNE_10_2024, '2024-06-09', '2024-06-09', 1],
    ['yesterday', JAN_15_2025, '2025-01-14', '2025-01-14', 1],
    ['today', new Date('2024-06-10T23:30:00-05:00'), '2024-06-11', '2024-06-11', 1],
    ['last 7 days', JUNE_10_2024, '2024-06-04', '2024-06-10', 7],
    ['Last 1 day', JUNE_10_2024, '2024-06-10', '2024-06-10', 1],
    ['last 30 days', JAN_15_2025, '2024-12-17', '2025-01-15', 30],
    ['past 2 weeks', JUNE_10_2024, '2024-05-28', '2024-06-10', 14],
    ['last month', JUNE_10_2024, '2024-05-01', '2024-05-31', 31],
    ['last month', JAN_15_2025, '2024-12-01', '2024-12-31', 31],
    ['last month', MAR_05_2025, '2025-02-01', '2025-02-28', 28],
    ['this month', JUNE_10_2024, '2024-06-01', '2024-06-10', 10],
    ['this month', JAN_15_2025, '2025-01-01', '2025-01-15', 15],
  ])('%s (now %s) → %s..%s, %i days', (text, now, start, end, days) => {
    const range = parse(text, now);
    expect({ start: range.start, end: range.end, days: range.days }).toEqual({ start, end, days });
  });
});

describe('parseDateRange: labels', () => {
  it.each([
    ['april-may', JUNE_10_2024, '1 Apr – 31 May 2024'],
    ['2024-04-01', JUNE_10_2024, '1 Apr 2024'],
    ['today', JUNE_10_2024, '10 Jun 2024'],
    ['2023-12-30..2024-01-02', JUNE_10_2024, '30 Dec 2023 – 2 Jan 2024'],
    ['dec-jan', JAN_15_2025, '1 Dec 2024 – 15 Jan 2025'],
    ['feb-29', JUNE_10_2024, '29 Feb 2024'],
    ['this month', JUNE_10_2024, '1 Jun – 10 Jun 2024'],
  ])('%s → %s', (text, now, label) => {
    expect(parse(text, now).label).toBe(label);
  });
});

describe('parseDateRange: rejections', () => {
  it.each([
    ['', JUNE_10_2024, MAX_DAYS, 'empty'],
    ['   ', JUNE_10_2024, MAX_DAYS, 'empty'],
    ['whenever', JUNE_10_2024, MAX_DAYS, '"whenever" is not a date range I understand'],
    ['aprl-may', JUNE_10_2024, MAX_DAYS, '"aprl" is neither a month nor a date'],
    ['2024-04-01..soon', JUNE_10_2024, MAX_DAYS, '"soon" is neither a month nor a date'],
    ['last week-ish', JUNE_10_2024, MAX_DAYS, 'not a date range I understand'],
    ['feb-30', JUNE_10_2024, MAX_DAYS, '"feb-30" is not a date: February 2024 has 29 days'],
    ['feb-29', MAR_05_2025, MAX_DAYS, '"feb-29" is not a date: February 2025 has 28 days'],
    ['2024-02-30', JUNE_10_2024, MAX_DAYS, '"2024-02-30" is not a date: February 2024 has 29 days'],
    ['2023-02-29', JUNE_10_2024, MAX_DAYS, 'February 2023 has 28 days'],
    ['2024-04-31', JUNE_10_2024, MAX_DAYS, 'April 2024 has 30 days'],
    ['2024-04-00', JUNE_10_2024, MAX_DAYS, '"2024-04-00" is not a date'],
    ['2024-13', JUNE_10_2024, MAX_DAYS, '"2024-13" is not a date: there is no month 13'],
    ['2024-00-05', JUNE_10_2024, MAX_DAYS, 'there is no month 00'],
    [
      '2024-05-01..2024-04-01',
      JUNE_10_2024,
      MAX_DAYS,
      'reversed: it starts on 1 May 2024, after it ends on 1 Apr 2024',
    ],
    ['apr-15..apr-1', JUNE_10_2024, MAX_DAYS, 'reversed'],
    ['2024-06-11', JUNE_10_2024, MAX_DAYS, 'in the future: the latest allowed day is today, 10 Jun 2024'],
    ['2024-06-01..2024-06-30', JUNE_10_2024, MAX_DAYS, 'reaches 30 Jun 2024, in the future'],
    ['2024-07', JUNE_10_2024, MAX_DAYS, 'the latest allowed day is today, 10 Jun 2024'],
    ['2025-01-01..2025-02-01', JUNE_10_2024, MAX_DAYS, 'in the future'],
    ['2024-06-15..2024-06', JUNE_10_2024, MAX_DAYS, 'reaches 15 Jun 2024, in the future'],
    ['june-20', JUNE_10_2024, MAX_DAYS, 'in the future'],
    ['april-may 2025', MAR_05_2025, MAX_DAYS, 'latest allowed day is today, 5 Mar 2025'],
    ['2023-01-01..2024-06-10', JUNE_10_2024, MAX_DAYS, 'spans 527 days, more than the maximum of 400 days'],
    ['last 8 days', JUNE_10_2024, 7, 'spans 8 days, more than the maximum of 7 days'],
    ['last 999999999 days', JUNE_10_2024, MAX_DAYS, 'spans 999999999 days'],
    ['april-may', JUNE_10_2024, 31, 'spans 61 days, more than the maximum of 31 days'],
    ['last 0 days', JUNE_10_2024, MAX_DAYS, '"last 0 days" covers no days'],
    ['last 0 weeks', JUNE_10_2024, MAX_DAYS, 'covers no days'],
  ])('%j (now %s, max %i days) → %s', (text, now, maxDays, problem) => {
    const error = parseError(text, now, maxDays);
    expect(error.message).toContain(problem);
    expect(error.message).toContain('Try e.g.');
    expect(error.message.endsWith('Try e.g. "april-may", "2024-04-01..2024-05-31" or "last 7 days".')).toBe(true);
  });

  it('rejects a range that exactly fits maxDays only when one day longer', () => {
    expect(parse('last 7 days', JUNE_10_2024, 7).days).toBe(7);
    expect(parseError('last 8 days', JUNE_10_2024, 7).message).toContain('maximum of 7 days');
  });
});

describe('listDays', () => {
  it.each([
    ['today', JUNE_10_2024, ['2024-06-10']],
    ['last 3 days', JUNE_10_2024, ['2024-06-08', '2024-06-09', '2024-06-10']],
    ['2024-02-27..2024-03-01', JUNE_10_2024, ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']],
    ['2023-02-27..2023-03-01', JUNE_10_2024, ['2023-02-27', '2023-02-28', '2023-03-01']],
    ['2023-12-30..2024-01-02', JUNE_10_2024, ['2023-12-30', '2023-12-31', '2024-01-01', '2024-01-02']],
  ])('%s → %j', (text, now, expected) => {
    expect(listDays(parse(text, now))).toEqual(expected);
  });

  it.each(['april-may', 'dec-feb', 'last 90 days', '2024-03'])('lists exactly range.days days for %s', (text) => {
    const range = parse(text, JUNE_10_2024);
    const days = listDays(range);
    expect(days).toHaveLength(range.days);
    expect(days[0]).toBe(range.start);
    expect(days.at(-1)).toBe(range.end);
    expect(new Set(days).size).toBe(days.length);
  });
});
