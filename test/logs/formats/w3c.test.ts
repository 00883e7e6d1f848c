import { describe, expect, it } from 'vitest';
import { expectBad, parse } from './helpers.ts';

// The exact header line from CloudFront's standard (legacy) log reference: 33 fields.
const FIELDS_33 =
  '#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) ' +
  'cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes ' +
  'time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status ' +
  'fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len ' +
  'sc-range-start sc-range-end';

const ROW_33 = [
  '2019-12-04',
  '21:02:31',
  'LAX1',
  '392',
  '192.0.2.100',
  'GET',
  'd111111abcdef8.cloudfront.net',
  '/index.html',
  '200',
  '-',
  'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)',
  'q=%22a%20b%22',
  '-',
  'Hit',
  'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
  'd111111abcdef8.cloudfront.net',
  'https',
  '23',
  '0.001',
  '-',
  'TLSv1.2',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'Hit',
  'HTTP/2.0',
  '-',
  '-',
  '11040',
  '0.001',
  'Hit',
  'text/html',
  '78',
  '-',
  '-',
].join('\t');

const LABEL = 'x-edge-result-type';
const cloudfront = (...rows: string[]): string => ['#Version: 1.0', FIELDS_33, ...rows].join('\n') + '\n';

describe('W3C (CloudFront standard) logs', () => {
  it('maps a 33-field CloudFront line by the #Fields header and URL-decodes %20 and %22', () => {
    const parsed = parse(cloudfront(ROW_33), LABEL);
    expect(parsed.format).toBe('w3c');
    expect(parsed.columns).toHaveLength(33);
    expect(parsed.columns[10]).toBe('cs(User-Agent)');
    const row = parsed.rows[0]!;
    expect(row[parsed.columns.indexOf('cs(User-Agent)')]).toBe('Mozilla/5.0 (Windows NT 10.0; Win64; x64)');
    expect(row[parsed.columns.indexOf('cs-uri-query')]).toBe('q="a b"');
    expect(row[parsed.columns.indexOf(LABEL)]).toBe('Hit');
    expect(row[32]).toBe('-');
  });

  it('keeps a malformed escape raw and decodes an encoded percent only once', () => {
    const text = '#Fields: uri label\n/a%zzb\tok\n/100%2525\tok\n/%E2%82%AC%FF\tok\n';
    expect(parse(text, 'label').rows).toEqual([
      ['/a%zzb', 'ok'],
      ['/100%25', 'ok'],
      ['/%E2%82%AC%FF', 'ok'], // invalid UTF-8 in the escapes: raw as well
    ]);
  });

  it('tolerates one trailing empty field from a trailing tab, and CRLF line ends', () => {
    const parsed = parse('#Version: 1.0\r\n#Fields: a label\r\n1\tok\t\r\n2\tbad\r\n', 'label');
    expect(parsed.rows).toEqual([
      ['1', 'ok'],
      ['2', 'bad'],
    ]);
  });

  it('reads older files with fewer fields (no assumption of 33)', () => {
    const fields24 = FIELDS_33.split(' ').slice(0, 25).join(' '); // '#Fields:' plus 24 names
    const row24 = ROW_33.split('\t').slice(0, 24).join('\t');
    const parsed = parse(`#Version: 1.0\n${fields24}\n${row24}\n`, LABEL);
    expect(parsed.columns).toHaveLength(24);
    expect(parsed.columns.at(-1)).toBe('cs-protocol-version');
    expect(parsed.rows[0]!.at(-1)).toBe('HTTP/2.0');
  });

  it('is detected from #Fields alone and ignores other directives and blank lines', () => {
    const parsed = parse('\n#Fields: a label\n#Remark: hello\n\n1\tok\n', 'label');
    expect(parsed.format).toBe('w3c');
    expect(parsed.rows).toEqual([['1', 'ok']]);
  });

  it('accepts a repeated identical #Fields line (concatenated files) but not a different one', () => {
    const same = parse('#Fields: a label\n1\tok\n#Version: 1.0\n#Fields: a label\n2\tok\n', 'label');
    expect(same.rows).toHaveLength(2);
    expectBad('#Fields: a label\n1\tok\n#Fields: a b label\n1\t2\tok\n', 'unknown_format', /differs/);
  });

  it('rejects a row whose field count differs from #Fields and names the line', () => {
    expectBad(
      cloudfront(ROW_33, ROW_33.split('\t').slice(0, 30).join('\t')),
      'field_count',
      /^line 4 has 30 fields, #Fields has 33$/,
    );
    expectBad('#Fields: a label\n1\tok\t\t\n', 'field_count', /4 fields/);
  });

  it('rejects data before any #Fields line', () => {
    expectBad('#Version: 1.0\n1\tok\n#Fields: a label\n', 'unknown_format', /line 2.*before any #Fields/);
  });

  it('treats headers without data as empty', () => {
    expectBad(cloudfront(), 'empty');
    expectBad('#Version: 1.0\n', 'empty');
  });
});
