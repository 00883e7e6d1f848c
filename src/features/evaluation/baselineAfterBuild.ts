import type { DataSettings } from '../../dataset/settings.ts';
import type { BuildSummary } from '../../dataset/types.ts';
import { isLogtuneError } from '../../errors.ts';
import type { BaselineEvaluation } from '../../evaluation/report.ts';
import type { EvaluationSettings } from '../../evaluation/settings.ts';
import { runOnJobThread } from '../../jobThread/run.ts';
import type { Log } from '../../log.ts';

export type BaselineOutcome = { readonly evaluation: BaselineEvaluation } | { readonly problem: string };
export type BaselineScorer = (summary: BuildSummary, signal: AbortSignal) => Promise<BaselineOutcome | undefined>;

/**
 * Above this many training examples the baseline is left to the CLI: training it holds every example's features in
 * memory (≈ 660 MB peak at 200,000 examples, measured by `npm run bench -- --baseline`), too much inside the bot.
 */
export const BOT_BASELINE_MAX_EXAMPLES = 100_000;

/**
 * The free baseline, trained and scored right after a dataset is built (cheap enough to always run;
 * LOGTUNE_BASELINE=false turns it off), written beside the dataset; its scores and warnings go in the summary.
 */
export function baselineAfterBuild(
  settings: EvaluationSettings,
  data: DataSettings,
  log: Log,
): BaselineScorer | undefined {
  if (!settings.baseline) return undefined;
  return async (summary, signal) => {
    if (summary.rows.validation === 0)
      return { problem: 'the dataset has no validation split to score it on (--validation 0)' };
    if (summary.rows.train > BOT_BASELINE_MAX_EXAMPLES) {
      return {
        problem: `${summary.rows.train} training examples are more than the bot trains on (${BOT_BASELINE_MAX_EXAMPLES}); run \`logtune baseline ${summary.datasetId}\``,
      };
    }
    try {
      // Training is CPU work for seconds: on a thread of its own, the bot's event loop keeps answering Slack.
      const input = { outUri: summary.outUri, s3ForcePathStyle: data.s3ForcePathStyle };
      const evaluation = await runOnJobThread('baseline', input, { signal });
      log.info('baseline scored', {
        datasetId: summary.datasetId,
        macroF1: evaluation.report.macroF1,
        warnings: evaluation.warnings.length,
      });
      return { evaluation };
    } catch (error) {
      if (signal.aborted) throw error;
      log.warn('baseline failed', { datasetId: summary.datasetId, error });
      return { problem: isLogtuneError(error) ? error.message : `it failed (${(error as Error).message})` };
    }
  };
}
