import { DATASET_USAGE } from '../../dataset/args.ts';

/**
 * Every /logtune subcommand of the product, the unavailable ones included, so `help` tells the whole story and a
 * test can check that each available entry is wired to a handler.
 */
export const COMMAND = '/logtune';

export interface SubcommandInfo {
  readonly name: string;
  readonly args: string;
  readonly summary: string;
  readonly example: string;
  readonly available: boolean;
}

export const SUBCOMMANDS: readonly SubcommandInfo[] = [
  { name: 'help', args: '', summary: 'Show this list', example: `${COMMAND} help`, available: true },
  {
    name: 'dataset',
    args: '<range> [flags]',
    summary: 'Build a fine-tuning dataset from the CloudFront logs of a date range',
    example: `${COMMAND} dataset april-may --max-examples 20000 --balance balanced`,
    available: true,
  },
  { name: 'status', args: '', summary: 'Recent datasets, their state and a link to each thread', example: `${COMMAND} status`, available: true },
  { name: 'train', args: '<dataset-id>', summary: 'Fine-tune Llama 2 on a dataset', example: `${COMMAND} train ds-20240401-20240531-…`, available: false },
  { name: 'cancel', args: '<job-id>', summary: 'Stop a training job (dataset builds have a Cancel button)', example: `${COMMAND} cancel job-…`, available: false },
  { name: 'deploy', args: '<model-id>', summary: 'Serve a trained model from an endpoint', example: `${COMMAND} deploy model-…`, available: false },
  { name: 'undeploy', args: '<endpoint>', summary: 'Remove a model endpoint', example: `${COMMAND} undeploy logtune-endpoint`, available: false },
  {
    name: 'classify',
    args: '<log line>',
    summary: 'Classify a log line with the deployed model',
    example: `${COMMAND} classify 2024-05-01 12:00:00 DFW3 … /wp-admin 404`,
    available: false,
  },
];

export const RANGE_EXAMPLES = ['april-may', '2024-04-01..2024-05-31', 'last 7 days', 'last month'] as const;

/** The CLI usage line as a Slack user may type it: operator-only flags (--logs, --out) left out. */
export const SLACK_DATASET_USAGE = `/${DATASET_USAGE.replace(/\s*\[--(?:logs|out) [^\]]*\]/g, '')}`;
