import { datasetFeature } from '../features/dataset/index.ts';
import { deployFeature } from '../features/deploy/index.ts';
import { doctorFeature } from '../features/doctor/index.ts';
import { evaluationFeature } from '../features/evaluation/index.ts';
import { statusFeature } from '../features/status/index.ts';
import { trainingFeature } from '../features/training/index.ts';
import { triageFeature } from '../features/triage/index.ts';

/**
 * The one list of what the bot can do, in the order features are made (a feature may use those listed before it
 * while it is made, and any of them afterwards). `/logtune help`, the command router, Bolt's listeners, the
 * trackers' kinds, `/logtune status`, the settings and the database schema are all derived from it.
 */
export const FEATURES = [
  datasetFeature,
  trainingFeature,
  deployFeature,
  evaluationFeature,
  triageFeature,
  statusFeature,
  doctorFeature,
] as const;
