import { paginateListServiceQuotas, type ServiceQuota } from '@aws-sdk/client-service-quotas';
import { isAccessDenied } from './awsErrors.ts';
import { fail, notChecked, ok, type Check, type CheckUse } from './check.ts';
import { hostingType, trainingTypes, type DoctorContext } from './context.ts';
import type { ModelRecipe } from '../jumpstart/recipe.ts';

async function sagemakerQuotas(ctx: DoctorContext, signal: AbortSignal): Promise<ServiceQuota[]> {
  const all: ServiceQuota[] = [];
  for await (const page of paginateListServiceQuotas(
    { client: ctx.quotas },
    { ServiceCode: 'sagemaker' },
    { abortSignal: signal },
  ))
    all.push(...(page.Quotas ?? []));
  return all;
}

/**
 * SageMaker names its quotas "<type> for training job usage" / "<type> for endpoint usage"; a fresh account has 0
 * for most GPU types, the commonest first failure (a CreateTrainingJob refused with ResourceLimitExceeded).
 */
function quotaCheck(
  name: string,
  use: CheckUse,
  wanted: (ctx: DoctorContext, recipe: ModelRecipe) => readonly string[],
): Check<DoctorContext> {
  return {
    name,
    uses: [use],
    async run(ctx, signal) {
      const names = wanted(ctx, await ctx.recipe());
      let listed: ServiceQuota[];
      try {
        listed = await sagemakerQuotas(ctx, signal);
      } catch (error) {
        if (isAccessDenied(error)) return notChecked('servicequotas:ListServiceQuotas is not allowed');
        throw error;
      }
      const zero: string[] = [];
      const unknown: string[] = [];
      for (const quotaName of names) {
        const quota = listed.find((q) => q.QuotaName === quotaName);
        if (quota === undefined) unknown.push(quotaName);
        else if (!((quota.Value ?? 0) > 0)) zero.push(quotaName);
      }
      if (zero.length > 0)
        return fail(
          `0 in ${ctx.region}: ${zero.join(', ')}`,
          'request an increase in the Service Quotas console (Amazon SageMaker), or choose another instance type',
        );
      if (unknown.length === names.length) return notChecked(`no quota listed for ${names.join(', ')}`);
      return ok(`above 0: ${names.filter((n) => !unknown.includes(n)).join(', ')}`);
    },
  };
}

export const trainingQuota = quotaCheck('training quota', 'train', (ctx, recipe) =>
  trainingTypes(ctx, recipe).map((t) => `${t} for training job usage`),
);

export const hostingQuota = quotaCheck('hosting quota', 'deploy', (ctx, recipe) => [
  `${hostingType(ctx, recipe)} for endpoint usage`,
]);
