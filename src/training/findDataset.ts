import pLimit from 'p-limit';
import { summaryHeader } from '../dataset/request/request.ts';
import { openStoredDataset, storedStatsSchema, type StoredDataset } from '../dataset/output/stored.ts';
import type { BuildRequest } from '../dataset/types.ts';
import { openStore } from '../objectStore/open.ts';
import { joinUri } from '../objectStore/uri.ts';

/**
 * A finished dataset under `<artifacts>/datasets/` built from the same logs, range and content settings as `request`
 * would be: the dataset a training for that request would use, so estimating does not build it again. The newest
 * match wins (ids sort by range, then build time). The logs layout must match too: the same setting (`auto` or a
 * template), or the template a dataset was listed with; a dataset from before layouts were recorded was listed with
 * the old default, date folders.
 */
const LEGACY_LAYOUT = '{yyyy}/{MM}/{dd}/';

export async function findFinishedDataset(
  request: BuildRequest,
  artifactsUri: string,
  signal?: AbortSignal,
): Promise<StoredDataset | undefined> {
  const options = { s3ForcePathStyle: request.s3ForcePathStyle };
  const artifacts = await openStore(artifactsUri, options);
  const folders = (await artifacts.listCommonPrefixes('datasets/', '/', signal)).sort().reverse();
  const wanted = summaryHeader(request);
  const wantedSettings = JSON.stringify(wanted.settings, Object.keys(wanted.settings).sort());
  const limit = pLimit(8);
  const matches = await Promise.all(
    folders.map((folder) =>
      limit(async () => {
        let stats;
        try {
          stats = storedStatsSchema.safeParse(
            JSON.parse(new TextDecoder().decode(await artifacts.get(`${folder}stats.json`, signal))),
          );
        } catch {
          return false; // unfinished (no stats.json yet) or unreadable: not a dataset to reuse
        }
        // Built before contexts were cut to max_input_length: the trainer may cut its answers, so it is built again.
        if (!stats.success || stats.data.examples === undefined) return false;
        const { range, logsUri, settings, layout } = stats.data;
        const layoutFits =
          layout === undefined
            ? request.layout === LEGACY_LAYOUT
            : layout.setting === request.layout || layout.used === request.layout;
        return (
          layoutFits &&
          range.start === wanted.range.start &&
          range.end === wanted.range.end &&
          logsUri === wanted.logsUri &&
          JSON.stringify(settings, Object.keys(wanted.settings).sort()) === wantedSettings
        );
      }),
    ),
  );
  const found = folders.find((_, i) => matches[i]);
  return found === undefined ? undefined : openStoredDataset(joinUri(artifactsUri, found), undefined, options);
}
