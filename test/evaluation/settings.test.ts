import { describe, expect, it } from 'vitest';
import { loadEvaluationSettings } from '../../src/evaluation/settings.ts';

describe('evaluation settings', () => {
  it('runs the baseline by default; LOGTUNE_BASELINE=false turns it off; anything else is named', () => {
    expect(loadEvaluationSettings({})).toEqual({ baseline: true });
    expect(loadEvaluationSettings({ LOGTUNE_BASELINE: 'false' })).toEqual({ baseline: false });
    expect(loadEvaluationSettings({ LOGTUNE_BASELINE: ' ' })).toEqual({ baseline: true });
    expect(() => loadEvaluationSettings({ LOGTUNE_BASELINE: 'maybe' })).toThrow(
      /^LOGTUNE_BASELINE: expected true or false/,
    );
  });
});
