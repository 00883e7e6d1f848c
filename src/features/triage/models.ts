import { openStoredDataset, type StoredDataset, type StoredStats } from '../../dataset/output/stored.ts';
import type { DataSettings } from '../../dataset/settings.ts';
import { loadBaselineClassifier, readBaselineEvaluation } from '../../evaluation/baselineFiles.ts';
import type { ContextClassifier } from '../../inference/types.ts';
import type { Log } from '../../log.ts';
import type { BuildsRepo } from '../dataset/index.ts';
import type { DeployedEndpoints } from './endpoints.ts';
import type { TriageSettings } from './settings.ts';

/**
 * Which model answers triage: LOGTUNE_ENDPOINT_NAME if set, else the most recent endpoint logtune deployed, else
 * the free baseline of the newest dataset that has one (useful on day one; the reply says plainly that it is the
 * baseline and what it scored). Opened models are kept for a few minutes, so a burst of pastes opens them once.
 */
export type ModelSource =
  | { readonly kind: 'endpoint'; readonly endpointName: string; readonly datasetId: string }
  | { readonly kind: 'baseline'; readonly datasetId: string; readonly macroF1: number };

export interface TriageModel {
  readonly classifier: ContextClassifier;
  readonly stats: StoredStats;
  readonly source: ModelSource;
}

export interface TriageModelDeps {
  readonly settings: TriageSettings;
  readonly data: DataSettings;
  readonly endpoints: DeployedEndpoints | undefined;
  readonly builds: BuildsRepo;
  /** The endpoint classifier for a dataset (Runtime client and inference settings bound by the caller). */
  readonly openEndpoint: (endpointName: string, dataset: StoredDataset) => ContextClassifier;
  /** The dataset behind an endpoint logtune did not record (its tags), when LOGTUNE_ENDPOINT_NAME names one. */
  readonly endpointDataset: (endpointName: string) => Promise<string | undefined>;
  readonly log: Log;
  readonly now: () => number;
}

const KEEP_MS = 5 * 60_000;
const BASELINE_CANDIDATES = 10;

export class TriageModels {
  private cached: { model: TriageModel | undefined; at: number } | undefined;

  constructor(private readonly deps: TriageModelDeps) {}

  async current(): Promise<TriageModel | undefined> {
    const now = this.deps.now();
    const wanted = this.wantedEndpoint();
    const cached = this.cached;
    const stillWanted =
      cached?.model?.source.kind === 'endpoint'
        ? cached.model.source.endpointName === wanted?.endpointName
        : wanted === undefined;
    if (cached && now - cached.at < KEEP_MS && stillWanted) return cached.model;
    const model = wanted ? await this.endpointModel(wanted) : await this.baselineModel();
    // "No model" is not kept: the first dataset or endpoint is used as soon as it exists.
    this.cached = model === undefined ? undefined : { model, at: now };
    return model;
  }

  private wantedEndpoint(): { endpointName: string; datasetId: string | undefined } | undefined {
    const named = this.deps.settings.endpointName;
    if (named !== undefined) return { endpointName: named, datasetId: this.deps.endpoints?.datasetOf(named) };
    const current = this.deps.endpoints?.current();
    return current && { endpointName: current.endpointName, datasetId: current.datasetId };
  }

  private async endpointModel(wanted: {
    endpointName: string;
    datasetId: string | undefined;
  }): Promise<TriageModel | undefined> {
    const datasetId = wanted.datasetId ?? (await this.deps.endpointDataset(wanted.endpointName));
    if (datasetId === undefined) {
      this.deps.log.warn('triage endpoint has no known dataset (not deployed by logtune?)', {
        endpointName: wanted.endpointName,
      });
      return undefined;
    }
    const dataset = await openStoredDataset(datasetId, this.deps.data.artifactsUri, {
      s3ForcePathStyle: this.deps.data.s3ForcePathStyle,
    });
    return {
      classifier: this.deps.openEndpoint(wanted.endpointName, dataset),
      stats: dataset.stats,
      source: { kind: 'endpoint', endpointName: wanted.endpointName, datasetId },
    };
  }

  private async baselineModel(): Promise<TriageModel | undefined> {
    const finished = this.deps.builds
      .listRecent(BASELINE_CANDIDATES * 3)
      .filter((b) => b.state === 'succeeded')
      .slice(0, BASELINE_CANDIDATES);
    for (const build of finished) {
      try {
        const dataset = await openStoredDataset(build.id, this.deps.data.artifactsUri, {
          s3ForcePathStyle: this.deps.data.s3ForcePathStyle,
        });
        const evaluation = await readBaselineEvaluation(dataset);
        if (evaluation === undefined) continue;
        return {
          classifier: await loadBaselineClassifier(dataset),
          stats: dataset.stats,
          source: { kind: 'baseline', datasetId: build.id, macroF1: evaluation.report.macroF1 },
        };
      } catch (error) {
        this.deps.log.warn('baseline not usable for triage', { datasetId: build.id, error });
      }
    }
    return undefined;
  }
}
