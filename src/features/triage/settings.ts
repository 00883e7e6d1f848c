import { z } from 'zod';
import { csvList, loadSection, settingsSection, type Env } from '../../shared/env.ts';

/** Where triage listens and what makes a verdict an alert. The inference limits are in src/inference/settings.ts. */
export interface TriageSettings {
  readonly channels: readonly string[];
  /** Classify with this endpoint rather than the most recent one logtune deployed. */
  readonly endpointName: string | undefined;
  /** Verdicts that earn the pasted message a :rotating_light: reaction. */
  readonly alertLabels: readonly string[];
  /** Bytes downloaded per shared file (LOGTUNE_MAX_FILE_MB). */
  readonly maxFileBytes: number;
}

export const triageSettings = settingsSection(
  {
    LOGTUNE_TRIAGE_CHANNELS: csvList
      .pipe(
        z.array(
          z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'expected Slack channel ids such as C012ABCDEF, comma-separated'),
        ),
      )
      .default([]),
    LOGTUNE_ENDPOINT_NAME: z
      .string()
      .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'expected a SageMaker endpoint name')
      .optional(),
    LOGTUNE_ALERT_LABELS: csvList.default(['malicious']),
    /** Megabytes downloaded per shared file (a snippet, an uploaded log); its decompressed text may be 10 times that. */
    LOGTUNE_MAX_FILE_MB: z.coerce.number().positive().max(1000).default(10),
  },
  (e): TriageSettings =>
    Object.freeze({
      channels: Object.freeze(e.LOGTUNE_TRIAGE_CHANNELS),
      endpointName: e.LOGTUNE_ENDPOINT_NAME,
      alertLabels: Object.freeze(e.LOGTUNE_ALERT_LABELS),
      maxFileBytes: Math.round(e.LOGTUNE_MAX_FILE_MB * 1_000_000),
    }),
);

export function loadTriageSettings(env: Env = process.env): TriageSettings {
  return loadSection(triageSettings, env);
}
