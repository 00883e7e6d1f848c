import { z } from 'zod';
import { loadSection, settingsSection, type Env } from '../../shared/env.ts';

/**
 * When an unused endpoint is warned about and when it is removed: an endpoint bills every hour it exists, used or
 * not, so nobody's forgotten experiment runs for weeks. (How it is hosted is `src/deploy/settings.ts`.)
 */
export interface DeploySettings {
  /** Hours without a classification (since InService, the last use or the last Keep) before the warning. */
  readonly idleHours: number;
  /** Hours after the warning, without a use or a Keep, before the endpoint is removed. */
  readonly graceHours: number;
}

export const deploySettings = settingsSection(
  {
    LOGTUNE_ENDPOINT_IDLE_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(24),
    LOGTUNE_ENDPOINT_GRACE_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(2),
  },
  (e): DeploySettings =>
    Object.freeze({ idleHours: e.LOGTUNE_ENDPOINT_IDLE_HOURS, graceHours: e.LOGTUNE_ENDPOINT_GRACE_HOURS }),
);

export function loadDeploySettings(env: Env = process.env): DeploySettings {
  return loadSection(deploySettings, env);
}
