import { NotSupportedError } from '../errors.ts';
import type { EngineSetting } from './settings.ts';

export type Engine = 'local' | 'athena';

export interface EngineChoice {
  readonly engine: Engine;
  /** Why, in a line for stderr and the thread: the setting, or auto's reason. */
  readonly reason: string;
}

const GB = 1e9;

/**
 * `--engine` / LOGTUNE_ENGINE → the engine that runs. `auto` picks Athena only when it is configured and the range's
 * listed bytes exceed LOGTUNE_ATHENA_MIN_GB: below that one machine is fast enough and costs nothing per byte.
 */
export function chooseEngine(
  setting: EngineSetting,
  listedBytes: number,
  athena: { readonly configured: boolean; readonly minBytes: number },
): EngineChoice {
  if (setting === 'local') return { engine: 'local', reason: 'local (--engine / LOGTUNE_ENGINE)' };
  if (setting === 'athena') return { engine: 'athena', reason: 'athena (--engine / LOGTUNE_ENGINE)' };
  const size = `${(listedBytes / GB).toFixed(1)} GB listed`;
  if (!athena.configured)
    return {
      engine: 'local',
      reason: `local (auto: ${size}; Athena is not configured: LOGTUNE_ATHENA_WORKGROUP, LOGTUNE_ATHENA_DATABASE)`,
    };
  if (listedBytes > athena.minBytes)
    return { engine: 'athena', reason: `athena (auto: ${size}, over LOGTUNE_ATHENA_MIN_GB ${athena.minBytes / GB})` };
  return { engine: 'local', reason: `local (auto: ${size}, within LOGTUNE_ATHENA_MIN_GB ${athena.minBytes / GB})` };
}

/** Layouts whose keys put the date in a path Athena can project partitions on; flat names do not. */
export function assertProjectable(template: string): void {
  if (!template.endsWith('/'))
    throw new NotSupportedError(
      `the Athena engine on flat log names (${template}): they have no date folder to project partitions on, so ` +
        'every query would scan every file under the prefix; use --engine local, or a CloudFront v2 delivery with a ' +
        'date path',
    );
}
