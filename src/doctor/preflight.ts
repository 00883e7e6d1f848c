import type { Clock } from '../shared/clock.ts';
import type { TrainingInstanceType } from '../training/instanceTypes.ts';
import { AWS_CHECKS } from './awsChecks.ts';
import { failed, runChecks, type CheckResult } from './check.ts';
import type { DoctorContext } from './context.ts';
import { modelArtifactsCheck } from './objects.ts';

/** What is about to be asked for approval: a fine-tune on one instance type, or an endpoint of one job's model. */
export type PreflightAsk =
  | { readonly use: 'train'; readonly instanceType: string | undefined }
  | { readonly use: 'deploy'; readonly instanceType: string; readonly modelArtifacts: string };

export const PREFLIGHT_TTL_MS = 5 * 60_000;
const CHECK_TIMEOUT_MS = 15_000;

/**
 * The doctor's checks that concern a `train` or a `deploy` (identity and region, the execution role and PassRole,
 * the quota of the type chosen, the spec's objects or the job's model), run before an approval is posted, so that a
 * job that cannot start is refused with the failing line instead of being approved. A pass is remembered for a few
 * minutes, in memory by the injected clock: it is a cache of cheap answers, not state, so a restart asks again. A
 * failure is not remembered: the fix (a quota granted, a role created) shows at the next try.
 */
export class Preflight {
  private readonly passed = new Map<string, number>();

  constructor(
    private readonly options: {
      readonly context: () => Promise<DoctorContext>;
      readonly clock: Clock;
      readonly ttlMs?: number;
    },
  ) {}

  /** The failing checks, or an empty list when none fails ("not checked" lets it through). */
  async failures(ask: PreflightAsk): Promise<readonly CheckResult[]> {
    const base = await this.options.context();
    const ctx = await this.contextFor(base, ask);
    const key = JSON.stringify([
      ask.use,
      ctx.training.instanceType,
      ctx.hosting.instanceType,
      ask.use === 'deploy' && ask.modelArtifacts,
    ]);
    const now = this.options.clock.now();
    if ((this.passed.get(key) ?? -Infinity) > now) return [];
    const checks = ask.use === 'deploy' ? [...AWS_CHECKS, modelArtifactsCheck(ask.modelArtifacts)] : AWS_CHECKS;
    const failing = failed(await runChecks(checks, ctx, { use: ask.use, timeoutMs: CHECK_TIMEOUT_MS }));
    if (failing.length === 0) this.passed.set(key, now + (this.options.ttlMs ?? PREFLIGHT_TTL_MS));
    return failing;
  }

  /** The checks look at the one type being asked for, not every type the spec offers. */
  private async contextFor(ctx: DoctorContext, ask: PreflightAsk): Promise<DoctorContext> {
    if (ask.use === 'deploy') return { ...ctx, hosting: { ...ctx.hosting, instanceType: ask.instanceType } };
    const instanceType =
      ask.instanceType ?? ctx.training.instanceType ?? (await ctx.recipe()).training.defaultInstanceType;
    return { ...ctx, training: { ...ctx.training, instanceType: instanceType as TrainingInstanceType } };
  }
}
