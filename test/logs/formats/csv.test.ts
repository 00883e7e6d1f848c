import { describe, expect, it } from 'vitest';
import { expectBad, parse } from './helpers.ts';

describe('CSV logs', () => {
  it('reads a header row and plain rows', () => {
    const parsed = parse('date,status,label\n2024-01-01,200,ok\n2024-01-02,404,bad\n', 'label');
    expect(parsed.format).toBe('csv');
    expect(parsed.gzipped).toBe(false);
    expect(parsed.columns).toEqual(['date', 'status', 'label']);
    expect(parsed.rows).toEqual([
      ['2024-01-01', '200', 'ok'],
      ['2024-01-02', '404', 'bad'],
    ]);
  });

  it('handles RFC 4180 quoting: commas, doubled quotes and newlines inside quotes, CRLF', () => {
    const text =
      'ua,label\r\n' +
      '"Mozilla/5.0 (KHTML, like Gecko)",ok\r\n' +
      '"he said ""hi""",ok\r\n' +
      '"two\r\nlines",bad\r\n' +
      '"",empty\r\n';
    expect(parse(text, 'label').rows).toEqual([
      ['Mozilla/5.0 (KHTML, like Gecko)', 'ok'],
      ['he said "hi"', 'ok'],
      ['two\r\nlines', 'bad'],
      ['', 'empty'],
    ]);
  });

  it('gives the same rows with and without quotes (quote-free text takes a native split path)', () => {
    const plain = 'a,b,label\r\n1,2,x\r\n\r\n3,,y\r\n';
    const quoted = plain.replace('1,2', '"1",2');
    expect(parse(plain, 'label').rows).toEqual([
      ['1', '2', 'x'],
      ['3', '', 'y'],
    ]);
    expect(parse(quoted, 'label').rows).toEqual(parse(plain, 'label').rows);
    expect(parse('a,label\r1,x\r"2",y\r', 'label').rows).toEqual([
      ['1', 'x'],
      ['2', 'y'],
    ]); // lone CR line ends
  });

  it('never guesses another delimiter from semicolons or pipes in values', () => {
    const text = 'ua,label\nMozilla/5.0 (Windows NT 10.0; Win64; x64) a|b,ok\nX11; Linux; rv:1|2,ok\n';
    expect(parse(text, 'label').rows[0]).toEqual(['Mozilla/5.0 (Windows NT 10.0; Win64; x64) a|b', 'ok']);
  });

  it('skips blank lines, including leading ones and a trailing line of spaces', () => {
    const parsed = parse('\n\n  \na,label\n1,x\n\n2,y\n   \n', 'label');
    expect(parsed.columns).toEqual(['a', 'label']);
    expect(parsed.rows).toEqual([
      ['1', 'x'],
      ['2', 'y'],
    ]);
  });

  it('rejects a row with a different field count and names the row', () => {
    expectBad('a,b,label\n1,2,x\n1,2,3,y\n', 'field_count', /^row 2 has 4 fields, the header has 3$/);
    expectBad('a,b,label\n1,2\n', 'field_count', /row 1 has 2 fields/);
  });

  it('rejects broken quoting and names the data row it is in', () => {
    expectBad(
      'a,label\n1,x\n"open,y\n2,z\n',
      'field_count',
      /^CSV quoting is broken in data row 2: Quoted field unterminated$/,
    );
    expectBad('a,label\n1,x\n\n2,z\n3,"4"x\n', 'field_count', /^CSV quoting is broken in data row 3: Trailing quote/);
    expectBad('"a,label\n1,x\n', 'field_count', /^CSV quoting is broken in the header/);
  });

  it('parses file after file with one shared parser: a broken file leaves nothing behind for the next', () => {
    expectBad('a,label\n"open,x\n', 'field_count', /quot/i);
    expect(parse('a,label\n"1",x\n', 'label').rows).toEqual([['1', 'x']]);
    expect(parse('a,label\r\n"1",x\r\n', 'label').rows).toEqual([['1', 'x']]);
    expect(parse('a,label\n"1",x\n"2",y\n', 'label').rows).toEqual([
      ['1', 'x'],
      ['2', 'y'],
    ]);
  });

  it('rejects a header with duplicate or empty column names', () => {
    expectBad('a,label,a\n1,2,3\n', 'unknown_format', /"a"/);
    expectBad('a,,label\n1,2,3\n', 'unknown_format', /empty column name/);
  });

  it('treats a header without data rows as empty', () => {
    expectBad('a,label\n', 'empty');
    expectBad('a,label\r\n\r\n', 'empty');
  });
});
