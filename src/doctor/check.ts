/**
 * One line of `logtune doctor`, as SkyPilot's `sky check` prints them: what was checked, ✓ or ✗, and for ✗ the fix.
 * "not checked" is neither: the caller may not read what would tell (e.g. iam:GetRole denied), and the line says so.
 */
export type CheckStatus = 'ok' | 'fail' | 'not_checked';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about a ✗. */
  readonly fix?: string;
}

/** What a check is about, so `train` and `deploy` run only those that concern them. */
export type CheckUse = 'train' | 'deploy';

export interface Check<Ctx> {
  readonly name: string;
  readonly uses: readonly CheckUse[];
  run(ctx: Ctx, signal: AbortSignal): Promise<Omit<CheckResult, 'name'>>;
}

export const ok = (detail: string) => ({ status: 'ok' as const, detail });
export const fail = (detail: string, fix: string) => ({ status: 'fail' as const, detail, fix });
export const notChecked = (detail: string) => ({ status: 'not_checked' as const, detail });

const MARK: Record<CheckStatus, string> = { ok: '✓', fail: '✗', not_checked: '·' };

export function checkLine(result: CheckResult): string {
  const fix = result.fix === undefined ? '' : ` — fix: ${result.fix}`;
  const note = result.status === 'not_checked' ? 'not checked: ' : '';
  return `${MARK[result.status]} ${result.name}: ${note}${result.detail}${fix}`;
}

/** Runs the checks one after another (each bounded), turning a thrown error into a ✗ line with its message. */
export async function runChecks<Ctx>(
  checks: readonly Check<Ctx>[],
  ctx: Ctx,
  options: { readonly timeoutMs?: number; readonly use?: CheckUse } = {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    if (options.use !== undefined && !check.uses.includes(options.use)) continue;
    const signal = AbortSignal.timeout(options.timeoutMs ?? 20_000);
    try {
      results.push({ name: check.name, ...(await check.run(ctx, signal)) });
    } catch (error) {
      const message = signal.aborted ? 'no answer in time' : (error as Error).message;
      results.push({ name: check.name, status: 'fail', detail: message, fix: 'see the message' });
    }
  }
  return results;
}

export const failed = (results: readonly CheckResult[]) => results.filter((r) => r.status === 'fail');
