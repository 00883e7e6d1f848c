import { deployNames } from '../../deploy/requests.ts';
import type { CreateOutcome } from '../../aws/sagemakerHosting.ts';
import type { CreationKind } from '../../spend/creation.ts';
import { now, type DeployContext } from './context.ts';
import type { DeployRecord } from './deployRequestsRepo.ts';

/** Past this, a create answer this process never saw cannot still be on its way. */
const SETTLE_WINDOW_MS = 86_400_000;

/**
 * After a restart: a deploy request cancelled while its creates were in flight, whose endpoint this process never
 * recorded (it stopped, or crashed, before CreateEndpoint answered). DescribeEndpoint on the derived name settles it:
 * an endpoint found is recorded and removed at once, as when the answer arrives after the cancel (creator.ts).
 */
export async function settleCancelledCreations(
  ctx: DeployContext,
  kind: Pick<CreationKind<DeployRecord, CreateOutcome>, 'created'>,
): Promise<void> {
  const at = now(ctx).getTime();
  for (const record of ctx.requests.cancelledDuringCreation()) {
    const name = deployNames(record.id).endpoint;
    if (ctx.endpoints.get(name) !== undefined) continue;
    if (at > Date.parse(record.decidedAt ?? record.createdAt) + SETTLE_WINDOW_MS) continue;
    let found;
    try {
      found = await ctx.aws.hosting.describeEndpoint(name);
    } catch (error) {
      ctx.log.warn('could not settle a deploy cancelled in flight; asking again on the next start', {
        requestId: record.id,
        error,
      });
      continue;
    }
    if (found !== undefined) await kind.created(record, 'existing');
  }
}
