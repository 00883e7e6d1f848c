import { join } from 'node:path';
import { exampleLine, responseFor, toContext, type ContextOptions } from '../../src/dataset/examples/example.ts';
import { DATASET_FILES } from '../../src/dataset/output/folder.ts';
import type { StoredExample } from '../../src/dataset/output/stored.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import type { ObjectStore } from '../../src/objectStore/store.ts';

/** A finished dataset folder (train/, validation/, stats.json) written from examples, as the builder lays it out. */
export interface DatasetSpec {
  readonly id: string;
  readonly train: readonly StoredExample[];
  readonly validation: readonly StoredExample[];
  readonly sourceColumns?: readonly string[];
  readonly sourceFormat?: 'csv' | 'w3c' | 'jsonl';
  readonly labelField?: string;
  readonly dropFields?: readonly string[];
  readonly seed?: number;
}

export const CONTEXT_OPTIONS: ContextOptions = Object.freeze({
  labelField: 'ThreatLevel',
  dropFields: ['x-edge-request-id'],
  format: 'compact',
});

/** Rows (label column included) → examples, through the training transform. */
export function examplesFromRows(
  rows: readonly Readonly<Record<string, string>>[],
  options: ContextOptions = CONTEXT_OPTIONS,
): StoredExample[] {
  return rows.map((row) => ({ context: toContext(row, options), label: row[options.labelField]! }));
}

/** Writes the dataset under `<artifacts>/datasets/<id>` and returns that folder. */
export async function writeStoredDataset(artifacts: string, spec: DatasetSpec): Promise<string> {
  const folder = join(artifacts, 'datasets', spec.id);
  await writeDatasetFiles(new LocalStore(folder), spec);
  return folder;
}

/** The dataset's files at the root of `store` (a local folder or an S3 prefix). */
export async function writeDatasetFiles(store: ObjectStore, spec: DatasetSpec): Promise<void> {
  const folder = store.uri;
  const lines = (examples: readonly StoredExample[]) =>
    examples.map((e) => `${exampleLine(e.context, JSON.stringify(responseFor(e.label)))}\n`).join('');
  const labels: Record<string, { scanned: number; unique: number; train: number; validation: number }> = {};
  for (const [split, examples] of [
    ['train', spec.train],
    ['validation', spec.validation],
  ] as const) {
    for (const e of examples) {
      const counts = (labels[e.label] ??= { scanned: 0, unique: 0, train: 0, validation: 0 });
      counts.scanned++;
      counts.unique++;
      counts[split]++;
    }
  }
  const stats = {
    datasetId: spec.id,
    range: { start: '2024-04-01', end: '2024-04-03' },
    logsUri: '/logs',
    outUri: folder,
    settings: {
      labelField: spec.labelField ?? 'ThreatLevel',
      dropFields: spec.dropFields ?? ['x-edge-request-id'],
      contextFormat: 'compact',
      maxInputLength: 1024,
      seed: spec.seed ?? 42,
      validationRatio: 0.1,
    },
    rows: { train: spec.train.length, validation: spec.validation.length },
    labels,
    tokens: { totalTokens: 0, meanTokens: 0, maxTokens: 0 },
    ...(spec.sourceColumns !== undefined ? { sourceColumns: spec.sourceColumns } : {}),
    ...(spec.sourceFormat !== undefined ? { sourceFormat: spec.sourceFormat } : {}),
  };
  await store.put(DATASET_FILES.train, lines(spec.train));
  await store.put(DATASET_FILES.validation, lines(spec.validation));
  await store.put(DATASET_FILES.stats, JSON.stringify(stats));
}
