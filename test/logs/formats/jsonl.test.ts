import { describe, expect, it } from 'vitest';
import { expectBad, parse } from './helpers.ts';

describe('JSON lines logs', () => {
  it('builds columns from the union of keys in first-seen order; missing and null become "-"', () => {
    const text = [
      '{"date":"2024-01-01","status":200,"label":"ok"}',
      '',
      '{"label":"bad","cached":true,"date":null}',
      '   ',
      '{"status":404.5,"extra":"x"}',
    ].join('\n');
    const parsed = parse(text, 'label');
    expect(parsed.format).toBe('jsonl');
    expect(parsed.columns).toEqual(['date', 'status', 'label', 'cached', 'extra']);
    expect(parsed.rows).toEqual([
      ['2024-01-01', '200', 'ok', '-', '-'],
      ['-', '-', 'bad', 'true', '-'],
      ['-', '404.5', '-', '-', 'x'],
    ]);
  });

  it('keeps strings as is and serialises nested objects and arrays', () => {
    const parsed = parse('{"label":"a%20b","req":{"ip":"192.0.2.1","h":[1,2]},"tags":["x"],"e":""}\r\n', 'label');
    expect(parsed.rows[0]).toEqual(['a%20b', '{"ip":"192.0.2.1","h":[1,2]}', '["x"]', '']);
  });

  it('rejects a line that is not JSON and names the line number', () => {
    expectBad('{"label":"ok"}\n\n{"label":\n', 'invalid_json', /^line 3 /);
  });

  it('rejects a line that is JSON but not an object', () => {
    expectBad('{"label":"ok"}\n[1,2]\n', 'invalid_json', /line 2 .*not an object/);
    expectBad('{"label":"ok"}\n42\n', 'invalid_json', /line 2/);
    expectBad('{"label":"ok"}\nnull\n', 'invalid_json', /line 2/);
  });
});
