import { loadSection, positiveInt, settingsSection, type Env } from '../shared/env.ts';

/** How pasted or piped log lines are sent to an endpoint: how many per message, how many at once, how long each. */
export interface InferenceSettings {
  readonly maxLines: number;
  readonly invokeConcurrency: number;
  readonly invokeTimeoutMs: number;
}

export const inferenceSettings = settingsSection(
  {
    LOGTUNE_MAX_LINES: positiveInt(20_000).default(2000),
    LOGTUNE_INVOKE_CONCURRENCY: positiveInt(64).default(4),
    /** Seconds per InvokeEndpoint attempt; SageMaker gives the container 60 s, so more than 70 never helps. */
    LOGTUNE_INVOKE_TIMEOUT: positiveInt(70).default(20),
  },
  (e): InferenceSettings =>
    Object.freeze({
      maxLines: e.LOGTUNE_MAX_LINES,
      invokeConcurrency: e.LOGTUNE_INVOKE_CONCURRENCY,
      invokeTimeoutMs: e.LOGTUNE_INVOKE_TIMEOUT * 1000,
    }),
);

export function loadInferenceSettings(env: Env = process.env): InferenceSettings {
  return loadSection(inferenceSettings, env);
}
