import { z } from 'zod';
import { bool, parseSection, type Env } from '../config.ts';

/** Evaluation settings; the baseline is cheap enough to run after every dataset build unless turned off. */
const schema = z.object({
  LOGTUNE_BASELINE: bool.default(true),
});

export interface EvaluationSettings {
  /** Train and score the free baseline after each dataset build. */
  readonly baseline: boolean;
}

export function loadEvaluationSettings(env: Env = process.env): EvaluationSettings {
  const e = parseSection(schema, env);
  return Object.freeze({ baseline: e.LOGTUNE_BASELINE });
}
