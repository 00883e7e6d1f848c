import {
  paginateListEndpoints,
  paginateListTags,
  paginateListTrainingJobs,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { z } from 'zod';

/**
 * SageMaker resources logtune made, found from the cloud alone (for reconciling after the database was lost): the
 * List call narrowed by logtune's name prefix, then ListTags on each to keep only those carrying `tagKey`, so a
 * look-alike name of someone else's is never adopted. Paging is the SDK's own paginators'; every page is checked
 * with zod all the same. Shapes from @aws-sdk/client-sagemaker
 * dist-types/commands/{ListTrainingJobs,ListEndpoints,ListTags}Command.d.ts (aws-sdk-js-v3
 * codegen/sdk-codegen/aws-models/sagemaker.json: TrainingJobSummary, EndpointSummary, ListTagsOutput).
 */
export interface TaggedResource {
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  readonly createdAt: Date;
  readonly tags: Readonly<Record<string, string>>;
}

const tagsPage = z.object({
  Tags: z.array(z.object({ Key: z.string(), Value: z.string().optional() })).optional(),
  NextToken: z.string().optional(),
});
const jobsPage = z.object({
  TrainingJobSummaries: z.array(
    z.object({
      TrainingJobName: z.string(),
      TrainingJobArn: z.string(),
      TrainingJobStatus: z.string(),
      CreationTime: z.date(),
    }),
  ),
  NextToken: z.string().optional(),
});
const endpointsPage = z.object({
  Endpoints: z.array(
    z.object({ EndpointName: z.string(), EndpointArn: z.string(), EndpointStatus: z.string(), CreationTime: z.date() }),
  ),
  NextToken: z.string().optional(),
});

export async function resourceTags(
  client: SageMakerClient,
  arn: string,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const raw of paginateListTags({ client }, { ResourceArn: arn }, { abortSignal: signal })) {
    for (const tag of tagsPage.parse(raw).Tags ?? []) out[tag.Key] = tag.Value ?? '';
  }
  return out;
}

async function keepTagged(
  client: SageMakerClient,
  found: Omit<TaggedResource, 'tags'>[],
  tagKey: string,
  signal: AbortSignal | undefined,
): Promise<TaggedResource[]> {
  const out: TaggedResource[] = [];
  for (const resource of found) {
    const tags = await resourceTags(client, resource.arn, signal);
    if (tags[tagKey] !== undefined) out.push({ ...resource, tags });
  }
  return out;
}

/** Training jobs still InProgress whose name starts with `prefix` and that carry `tagKey`. */
export async function listRunningTrainingJobs(
  client: SageMakerClient,
  prefix: string,
  tagKey: string,
  signal?: AbortSignal,
): Promise<TaggedResource[]> {
  const found: Omit<TaggedResource, 'tags'>[] = [];
  const input = { NameContains: prefix, StatusEquals: 'InProgress' as const };
  for await (const raw of paginateListTrainingJobs({ client, pageSize: 100 }, input, { abortSignal: signal })) {
    for (const job of jobsPage.parse(raw).TrainingJobSummaries) {
      if (!job.TrainingJobName.startsWith(prefix)) continue;
      found.push({
        name: job.TrainingJobName,
        arn: job.TrainingJobArn,
        status: job.TrainingJobStatus,
        createdAt: job.CreationTime,
      });
    }
  }
  return keepTagged(client, found, tagKey, signal);
}

/** Endpoints (any status but Deleting) whose name starts with `prefix` and that carry `tagKey`. */
export async function listTaggedEndpoints(
  client: SageMakerClient,
  prefix: string,
  tagKey: string,
  signal?: AbortSignal,
): Promise<TaggedResource[]> {
  const found: Omit<TaggedResource, 'tags'>[] = [];
  const pages = paginateListEndpoints({ client, pageSize: 100 }, { NameContains: prefix }, { abortSignal: signal });
  for await (const raw of pages) {
    for (const e of endpointsPage.parse(raw).Endpoints) {
      if (!e.EndpointName.startsWith(prefix) || e.EndpointStatus === 'Deleting') continue;
      found.push({ name: e.EndpointName, arn: e.EndpointArn, status: e.EndpointStatus, createdAt: e.CreationTime });
    }
  }
  return keepTagged(client, found, tagKey, signal);
}
