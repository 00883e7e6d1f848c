import { ListEndpointsCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRAINING_JOB_PREFIX, TRAINING_REQUEST_TAG, trainingJobs } from '../../src/aws/sagemakerTraining.ts';
import { listTaggedEndpoints } from '../../src/aws/taggedResources.ts';
import { startFakeSageMaker, type FakeSageMaker } from './fakeSageMaker.ts';

/**
 * Finding logtune's resources from the cloud alone: running training jobs over the wire (loopback SageMaker, the real
 * SDK parsing epoch-second timestamps), endpoints with aws-sdk-client-mock (shapes: ListEndpointsOutput, ListTagsOutput
 * in aws-sdk-js-v3 codegen/sdk-codegen/aws-models/sagemaker.json).
 */
let fake: FakeSageMaker;

beforeAll(async () => {
  fake = await startFakeSageMaker();
  fake.runJobs('training-capacity-retry.json');
});

afterAll(async () => {
  await fake.close();
});

const create = (name: string, tags: { Key: string; Value: string }[]) =>
  trainingJobs(fake.client).create({
    TrainingJobName: name,
    RoleArn: 'arn:aws:iam::111122223333:role/r',
    Tags: tags,
  } as never);

describe('listing what logtune runs', () => {
  it('lists running jobs named and tagged as logtune names and tags them, and no other', async () => {
    await create(`${TRAINING_JOB_PREFIX}tr-1-aaaa`, [{ Key: TRAINING_REQUEST_TAG, Value: 'tr-1' }]);
    await create(`${TRAINING_JOB_PREFIX}lookalike`, [{ Key: 'team', Value: 'data' }]);
    await create('someone-elses-job', [{ Key: TRAINING_REQUEST_TAG, Value: 'tr-2' }]);
    const found = await trainingJobs(fake.client).listRunning();
    expect(found.map((j) => j.name)).toEqual([`${TRAINING_JOB_PREFIX}tr-1-aaaa`]);
    expect(found[0]).toMatchObject({ status: 'InProgress', tags: { [TRAINING_REQUEST_TAG]: 'tr-1' } });
    expect(found[0]!.createdAt).toBeInstanceOf(Date);
    expect(fake.requests.find((r) => r.operation === 'ListTrainingJobs')?.body).toMatchObject({
      NameContains: TRAINING_JOB_PREFIX,
      StatusEquals: 'InProgress',
    });
  });

  it('lists endpoints across pages, keeping those with the tag and leaving out those being deleted', async () => {
    const client = new SageMakerClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 's' },
    });
    const mock = mockClient(client);
    const summary = (name: string, status: 'InService' | 'Creating' | 'Deleting') => ({
      EndpointName: name,
      EndpointArn: `arn:aws:sagemaker:us-east-1:111122223333:endpoint/${name}`,
      EndpointStatus: status,
      CreationTime: new Date('2026-12-01T00:00:00Z'),
      LastModifiedTime: new Date('2026-12-01T00:00:00Z'),
    });
    mock
      .on(ListEndpointsCommand)
      .resolvesOnce({
        Endpoints: [summary('logtune-dep-1', 'InService'), summary('other', 'InService')],
        NextToken: 'p2',
      })
      .resolvesOnce({ Endpoints: [summary('logtune-dep-2', 'Deleting'), summary('logtune-dep-3', 'Creating')] });
    mock.on(ListTagsCommand).callsFake((input: { ResourceArn: string }) => ({
      Tags: input.ResourceArn.endsWith('dep-3') ? [] : [{ Key: 'logtune:deploy-request', Value: 'dep-1' }],
    }));
    const found = await listTaggedEndpoints(client, 'logtune-', 'logtune:deploy-request');
    expect(found.map((e) => [e.name, e.status])).toEqual([['logtune-dep-1', 'InService']]);
    expect(mock.commandCalls(ListEndpointsCommand)[1]!.args[0].input).toMatchObject({ NextToken: 'p2' });
  });
});
