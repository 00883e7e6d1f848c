import type { CliCommand } from '../command.ts';
import { baselineCommand } from './baseline.ts';
import { classifyCommand } from './classify.ts';
import { datasetCommand } from './dataset.ts';
import { doctorCommand } from './doctor.ts';
import { estimateCommand } from './estimate.ts';
import { evaluateCommand } from './evaluate.ts';

/** Every `logtune` command, in the order `logtune help` lists them. Each lives in its own file. */
export const CLI_COMMANDS: readonly CliCommand[] = [
  datasetCommand,
  doctorCommand,
  estimateCommand,
  baselineCommand,
  classifyCommand,
  evaluateCommand,
];
