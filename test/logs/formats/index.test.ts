import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS } from '../../../src/dataset/examples/example.ts';
import { BadFileError, type BadFileReason } from '../../../src/logs/formats/index.ts';
import { badFile, encode, expectBad, parse } from './helpers.ts';

describe('parseLogFile', () => {
  it('requires the label field among the columns and names it and the columns found', () => {
    const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const text = `${names.join(',')}\n${names.map(() => 'v').join(',')}\n`;
    const error = badFile(text, 'x-edge-result-type');
    expect(error.reason).toBe('no_label_column');
    expect(error.message).toContain('"x-edge-result-type"');
    expect(error.message).toContain('c0, c1, c2, c3, c4, c5, c6, c7, c8, c9');
    expect(error.message).not.toContain('c10');
    expect(error.message).toContain('12 columns in all');
    expectBad('#Fields: a b\n1\t2\n', 'no_label_column', /"label".*a, b/);
    expectBad('{"a":1}\n', 'no_label_column');
  });

  it('a label column under another name: the non-standard columns first, and the setting that names it', () => {
    // 33 CloudFront fields and the label as "Verdict": the old message listed the first 10, all standard ones.
    const names = [...CANONICAL_FIELDS, 'Verdict'];
    const error = badFile(`${names.join(',')}\n${names.map(() => 'v').join(',')}\n`, 'ThreatLevel');
    expect(error.message).toContain("columns other than CloudFront's standard fields: Verdict (34 columns in all)");
    expect(error.message).toContain('Set LOGTUNE_LABEL_FIELD');
  });

  it('does not filter rows by label value or content', () => {
    expect(parse('a,label\n1,-\n2,\n', 'label').rows).toHaveLength(2);
  });

  // One fixture per reason; the `satisfies` makes a new reason fail to compile until it has a case.
  const cases = {
    empty: encode(''),
    corrupt_gzip: gzipSync(encode('a,label\n1,x\n')).subarray(0, 15),
    invalid_utf8: Uint8Array.of(0x61, 0x2c, 0xff),
    no_label_column: encode('a,b\n1,2\n'),
    field_count: encode('a,label\n1,2,3\n'),
    invalid_json: encode('{"label":1}\n{oops}\n'),
    unknown_format: encode('a,a,label\n1,2,3\n'),
    unsupported_format: encode('PAR1\x00\x00PAR1'),
    too_large: gzipSync(encode(`a,label\n${'1,x\n'.repeat(512)}`)),
  } satisfies Record<BadFileReason, Uint8Array>;

  // Every case under a 1 KB cap: only the gzip that inflates past it is too large.
  it.each(Object.entries(cases))('throws BadFileError with reason %s', (reason, bytes) => {
    const error = badFile(bytes, 'label', 1024);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(BadFileError);
    expect(error.name).toBe('BadFileError');
    expect(error.reason).toBe(reason);
    expect(error.message.length).toBeGreaterThan(0);
  });
});
