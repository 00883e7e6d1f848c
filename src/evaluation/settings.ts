import { bool, loadSection, settingsSection, type Env } from '../shared/env.ts';

/** Evaluation settings; the baseline is cheap enough to run after every dataset build unless turned off. */
export interface EvaluationSettings {
  /** Train and score the free baseline after each dataset build. */
  readonly baseline: boolean;
}

export const evaluationSettings = settingsSection({ LOGTUNE_BASELINE: bool.default(true) }, (e): EvaluationSettings =>
  Object.freeze({ baseline: e.LOGTUNE_BASELINE }),
);

export function loadEvaluationSettings(env: Env = process.env): EvaluationSettings {
  return loadSection(evaluationSettings, env);
}
