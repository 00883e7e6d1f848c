import { describe, expect, it } from 'vitest';
import { toContext } from '../../src/dataset/examples/example.ts';
import { countContextTokens, countSequenceTokens, fixedTokens } from '../../src/dataset/examples/tokens.ts';
import type { ContextFormat } from '../../src/dataset/types.ts';
import { trickyRows } from '../helpers/contextReference.ts';
import { LABEL_FIELD, W3C_FIELDS, syntheticRows } from '../helpers/syntheticLogs.ts';

const DROP = ['x-edge-request-id'];

function contexts(format: ContextFormat): { context: string; label: string }[] {
  const rows = [...syntheticRows('2024-04-01', 60, 3), ...syntheticRows('2024-04-02', 40, 4)];
  return rows.map((row) => ({
    context: toContext(row, { labelField: LABEL_FIELD, dropFields: DROP, format }),
    label: row[LABEL_FIELD]!,
  }));
}

describe('token counting split at newlines', () => {
  it.each<ContextFormat>(['compact', 'full'])(
    'fixedTokens(label) + countContextTokens(context) equals tokenizing the whole sequence (100 %s contexts)',
    (format) => {
      const mismatches = contexts(format)
        .map(({ context, label }) => ({
          context,
          label,
          split: fixedTokens(label) + countContextTokens(context),
          whole: countSequenceTokens(context, label),
        }))
        .filter((c) => c.split !== c.whole);
      expect(mismatches).toEqual([]);
    },
  );

  it('holds for contexts with unusual characters and for unusual labels', () => {
    const columns = [...W3C_FIELDS.slice(0, 12), LABEL_FIELD];
    const labels = ['benign', 'High risk', 'très élevé', 'x (y)', 'a"b'];
    const mismatches = trickyRows(columns, 40, 8)
      .map((row, i) => {
        const context = toContext(row, {
          labelField: LABEL_FIELD,
          dropFields: [],
          format: i % 2 === 0 ? 'compact' : 'full',
        });
        const label = labels[i % labels.length]!;
        return {
          context,
          label,
          split: fixedTokens(label) + countContextTokens(context),
          whole: countSequenceTokens(context, label),
        };
      })
      .filter((c) => c.split !== c.whole);
    expect(mismatches).toEqual([]);
  });

  it('counts a compact context in fewer tokens than the full one', () => {
    const compact = contexts('compact').reduce((sum, c) => sum + countContextTokens(c.context), 0);
    const full = contexts('full').reduce((sum, c) => sum + countContextTokens(c.context), 0);
    expect(compact).toBeGreaterThan(0);
    expect(compact).toBeLessThan(full);
  });

  it('counts more tokens for a longer context and a fixed part that depends on the label only', () => {
    expect(countContextTokens('{"a":"b"}')).toBeLessThan(countContextTokens('{"a":"b","c":"some longer value here"}'));
    expect(fixedTokens('benign')).toBe(fixedTokens('benign'));
    expect(fixedTokens('a much longer label than benign')).toBeGreaterThan(fixedTokens('benign'));
  });
});
