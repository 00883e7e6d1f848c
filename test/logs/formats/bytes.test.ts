import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encode, expectBad, parse } from './helpers.ts';

const CSV = 'a,label\n1,"x,y"\n2,z\n';
const W3C = '#Version: 1.0\n#Fields: a label\n1\tok\n';

describe('gzip', () => {
  it('is detected by magic bytes, not by name, for every text format', () => {
    const csv = parse(gzipSync(encode(CSV)), 'label');
    expect(csv).toMatchObject({
      format: 'csv',
      gzipped: true,
      rows: [
        ['1', 'x,y'],
        ['2', 'z'],
      ],
    });
    expect(parse(gzipSync(encode(W3C)), 'label')).toMatchObject({ format: 'w3c', gzipped: true });
    expect(parse(gzipSync(encode('{"label":"x"}\n')), 'label')).toMatchObject({ format: 'jsonl', gzipped: true });
  });

  it('reads concatenated gzip members as one file', () => {
    const joined = Buffer.concat([gzipSync(encode('a,label\n1,x\n')), gzipSync(encode('2,y\n'))]);
    expect(parse(joined, 'label').rows).toEqual([
      ['1', 'x'],
      ['2', 'y'],
    ]);
  });

  it('rejects a truncated gzip', () => {
    const zipped = gzipSync(encode(CSV.repeat(50)));
    expectBad(zipped.subarray(0, zipped.length - 10), 'corrupt_gzip', /gzip/);
    expectBad(zipped.subarray(0, 12), 'corrupt_gzip');
    expectBad(Uint8Array.of(0x1f, 0x8b), 'corrupt_gzip');
  });

  it('rejects flipped bytes in the compressed body and in the CRC trailer', () => {
    const zipped = gzipSync(encode(CSV.repeat(50)));
    const body = Buffer.from(zipped);
    for (let i = 12; i < 20; i++) body[i]! ^= 0xff;
    expectBad(body, 'corrupt_gzip');
    const crc = Buffer.from(zipped);
    crc[crc.length - 8]! ^= 0x01;
    expectBad(crc, 'corrupt_gzip');
  });

  it('treats a gzip of nothing as empty', () => {
    expectBad(gzipSync(new Uint8Array(0)), 'empty');
  });
});

describe('text decoding', () => {
  const BOM = '\uFEFF';

  it('strips a UTF-8 BOM, plain or gzipped, so detection and header names are unaffected', () => {
    expect(parse(BOM + CSV, 'label').columns).toEqual(['a', 'label']);
    expect(parse(gzipSync(encode(BOM + W3C)), 'label').format).toBe('w3c');
    expect(parse(BOM + '{"label":"x"}', 'label').format).toBe('jsonl');
  });

  it('keeps multi-byte UTF-8 intact', () => {
    expect(parse('city,label\nZürich €,ok\n', 'label').rows[0]).toEqual(['Zürich €', 'ok']);
  });

  it('rejects invalid UTF-8 instead of substituting U+FFFD', () => {
    expectBad(Uint8Array.of(...encode('a,label\n1,'), 0xc3, 0x28, 0x0a), 'invalid_utf8');
    expectBad(Uint8Array.of(...encode('a,label\n1,'), 0xff, 0x0a), 'invalid_utf8');
    expectBad(gzipSync(Uint8Array.of(0xff, 0xfe, 0x61, 0x00)), 'invalid_utf8'); // UTF-16LE with BOM
  });
});

describe('content detection', () => {
  it('names Parquet by its magic bytes as not supported yet, gzipped or not, rather than reading it as text', () => {
    const parquet = Uint8Array.of(0x50, 0x41, 0x52, 0x31, 0x15, 0x04, 0x50, 0x41, 0x52, 0x31);
    expectBad(parquet, 'unsupported_format', /^Parquet \(PAR1\) logs are not supported yet: .*w3c, JSON or plain/);
    expectBad(gzipSync(parquet), 'unsupported_format', /Parquet/);
  });

  it('treats zero bytes and whitespace-only text as empty', () => {
    expectBad(new Uint8Array(0), 'empty');
    expectBad(' \n\r\n\t \n', 'empty');
  });
});
