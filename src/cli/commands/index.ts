import type { CliCommand } from '../command.ts';
import { datasetCommand } from './dataset.ts';
import { estimateCommand } from './estimate.ts';

/** Every `logtune` command, in the order `logtune help` lists them. Each lives in its own file. */
export const CLI_COMMANDS: readonly CliCommand[] = [datasetCommand, estimateCommand];
