import { joinUri } from '../../objectStore/uri.ts';

/**
 * Where each file of a dataset lives under its folder. The two channel folders are what SageMaker is given: the
 * JumpStart Llama 2 script trains on every `.jsonl` in the `training` channel and takes a `*.json` there as the
 * template, so `train/` holds exactly train.jsonl and template.json, `validation/` exactly validation.jsonl, and
 * stats.json (written last: its presence marks a complete dataset) stays outside both.
 */
export const DATASET_FILES = Object.freeze({
  train: 'train/train.jsonl',
  template: 'train/template.json',
  validation: 'validation/validation.jsonl',
  stats: 'stats.json',
});

/** Where each of a dataset's files is, as stats.json records them (`outputs`). */
export function outputUris(datasetUri: string): Record<keyof typeof DATASET_FILES, string> {
  return {
    train: joinUri(datasetUri, DATASET_FILES.train),
    validation: joinUri(datasetUri, DATASET_FILES.validation),
    template: joinUri(datasetUri, DATASET_FILES.template),
    stats: joinUri(datasetUri, DATASET_FILES.stats),
  };
}

/** The channel folders as URIs ending in `/`: an S3 prefix without it would also match sibling keys. */
export function channelUris(datasetUri: string): { readonly training: string; readonly validation: string } {
  return { training: joinUri(datasetUri, 'train/'), validation: joinUri(datasetUri, 'validation/') };
}
