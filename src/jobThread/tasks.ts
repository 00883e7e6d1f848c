import { buildDataset } from '../dataset/build.ts';
import { openStoredDataset } from '../dataset/output/stored.ts';
import type { BuildProgress, BuildRequest, BuildSummary } from '../dataset/types.ts';
import { runBaseline } from '../evaluation/baseline.ts';
import { writeBaseline } from '../evaluation/baselineFiles.ts';
import type { BaselineEvaluation } from '../evaluation/report.ts';

export interface TaskHooks<P> {
  readonly signal: AbortSignal;
  readonly onProgress: (progress: P) => void;
}

/** Work the bot runs on a thread of its own, named so that only data (structured-clonable) crosses over. */
interface Task<I, O, P = never> {
  (input: I, hooks: TaskHooks<P>): Promise<O>;
}

export interface BaselineInput {
  /** The dataset folder the baseline is trained on, and written beside. */
  readonly outUri: string;
  readonly s3ForcePathStyle: boolean;
}

/** The local engine, or (--engine athena|auto) the engine choice, loaded only then: a local build never loads Athena's SDK. */
const build: Task<BuildRequest, BuildSummary, BuildProgress> = async (request, hooks) =>
  (request.engine ?? 'local') === 'local'
    ? buildDataset(request, hooks)
    : (await import('../athena/runBuild.ts')).buildWithEngine(request, hooks);

const baseline: Task<BaselineInput, BaselineEvaluation> = async (input, { signal }) => {
  const dataset = await openStoredDataset(input.outUri, undefined, { s3ForcePathStyle: input.s3ForcePathStyle });
  const run = await runBaseline(dataset, { signal });
  await writeBaseline(dataset, run, signal);
  return run.evaluation;
};

export const TASKS = { build, baseline };

export type TaskName = keyof typeof TASKS;
export type TaskInput<N extends TaskName> = Parameters<(typeof TASKS)[N]>[0];
export type TaskOutput<N extends TaskName> = Awaited<ReturnType<(typeof TASKS)[N]>>;
export type TaskProgress<N extends TaskName> = (typeof TASKS)[N] extends Task<never, unknown, infer P> ? P : never;
