import { GetRoleCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { isAccessDenied } from './awsErrors.ts';
import { fail, notChecked, ok, type Check } from './check.ts';
import type { DoctorContext } from './context.ts';

type DoctorCheck = Check<DoctorContext>;

const TRUSTS_SAGEMAKER = /"Service"\s*:\s*(\[[^\]]*)?"sagemaker\.amazonaws\.com"/;
const ROLE_NOT_SET = 'LOGTUNE_SAGEMAKER_ROLE_ARN is not set';

export const executionRole: DoctorCheck = {
  name: 'execution role',
  uses: ['train', 'deploy'],
  async run(ctx, signal) {
    const arn = ctx.training.roleArn;
    if (arn === undefined) return fail(ROLE_NOT_SET, 'create the role of docs/iam.md and set it');
    const name = arn.split('/').at(-1)!;
    try {
      const got = await ctx.iam.send(new GetRoleCommand({ RoleName: name }), { abortSignal: signal });
      const policy = decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? '');
      if (!TRUSTS_SAGEMAKER.test(policy))
        return fail(`${arn} does not trust sagemaker.amazonaws.com`, 'add SageMaker to its trust policy (docs/iam.md)');
      return ok(`${arn} exists and trusts SageMaker`);
    } catch (error) {
      if (isAccessDenied(error)) return notChecked(`iam:GetRole on ${arn} is not allowed for these credentials`);
      if ((error as Error).name === 'NoSuchEntityException')
        return fail(`${arn} does not exist`, 'create it as docs/iam.md describes');
      throw error;
    }
  },
};

const ASSUMED_ROLE = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const IAM_PRINCIPAL = /^arn:aws[\w-]*:iam::\d{12}:(user|role)\//;

/**
 * The IAM principal whose policies the caller's requests are evaluated against, as SimulatePrincipalPolicy takes it
 * (a user, group or role; not an STS session). An assumed-role ARN drops the role's path, so the role's own ARN is
 * read with GetRole, and rebuilt without a path when that is not allowed (right for the usual path "/").
 * hashicorp/terraform-provider-aws#19957 (aws_iam_session_context) discusses exactly this.
 */
async function principalOf(ctx: DoctorContext, callerArn: string, signal: AbortSignal): Promise<string | undefined> {
  if (IAM_PRINCIPAL.test(callerArn)) return callerArn;
  const assumed = ASSUMED_ROLE.exec(callerArn);
  if (!assumed) return undefined;
  const [, partition, account, roleName] = assumed;
  try {
    const got = await ctx.iam.send(new GetRoleCommand({ RoleName: roleName }), { abortSignal: signal });
    if (got.Role?.Arn) return got.Role.Arn;
  } catch (error) {
    if (!isAccessDenied(error)) throw error;
  }
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/**
 * CreateTrainingJob and CreateModel hand the execution role to SageMaker, which needs iam:PassRole on it; without it
 * the create fails after the approval. IAM's policy simulator answers for the caller's own principal, where the
 * caller may ask it (iam:SimulatePrincipalPolicy); elsewhere the line says "not checked".
 * Request and answer: SimulatePrincipalPolicy (PolicySourceArn, ActionNames, ResourceArns, ContextEntries) →
 * EvaluationResults[].EvalDecision ∈ allowed | explicitDeny | implicitDeny (aws-sdk-js-v3 clients/client-iam).
 */
export const passRole: DoctorCheck = {
  name: 'iam:PassRole',
  uses: ['train', 'deploy'],
  async run(ctx, signal) {
    const roleArn = ctx.training.roleArn;
    if (roleArn === undefined) return notChecked(`${ROLE_NOT_SET} (see the execution role)`);
    let caller: string | undefined;
    try {
      caller = (await ctx.sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal })).Arn;
    } catch {
      return notChecked('the caller is unknown (see AWS identity)');
    }
    const principal = caller === undefined ? undefined : await principalOf(ctx, caller, signal);
    if (principal === undefined) return notChecked(`IAM cannot simulate the policies of ${caller ?? 'this caller'}`);
    let decision: string | undefined;
    try {
      const answer = await ctx.iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: principal,
          ActionNames: ['iam:PassRole'],
          ResourceArns: [roleArn],
          ContextEntries: [
            {
              ContextKeyName: 'iam:PassedToService',
              ContextKeyType: 'string',
              ContextKeyValues: ['sagemaker.amazonaws.com'],
            },
          ],
        }),
        { abortSignal: signal },
      );
      decision = answer.EvaluationResults?.find((r) => r.EvalActionName === 'iam:PassRole')?.EvalDecision;
    } catch (error) {
      if (isAccessDenied(error)) return notChecked(`iam:SimulatePrincipalPolicy on ${principal} is not allowed`);
      throw error;
    }
    if (decision === 'allowed') return ok(`${principal} may pass ${roleArn} to SageMaker (simulated)`);
    if (decision === undefined) return notChecked('the policy simulator gave no decision for iam:PassRole');
    return fail(
      `${principal} may not pass ${roleArn} to SageMaker (${decision})`,
      'allow iam:PassRole on the execution role for sagemaker.amazonaws.com (docs/iam.md, RoleCheckAndPass)',
    );
  },
};
