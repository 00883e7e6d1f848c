import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListTagsCommand,
  SageMakerClient,
  SageMakerServiceException,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SageMakerHosting } from '../../src/aws/sagemakerHosting.ts';
import { Deployer, endpointPhase, undeploy, watchEndpoint } from '../../src/deploy/deployer.ts';
import { endpointOrigin } from '../../src/deploy/endpoints.ts';
import { hostingCost } from '../../src/deploy/cost.ts';
import { hostingConfig } from '../../src/deploy/hosting.ts';
import { fixtureRecipe } from '../helpers/fakeJumpStart.ts';
import { deployInputs, deployTags, type DeployRequest } from '../../src/deploy/requests.ts';
import { loadHostingSettings } from '../../src/deploy/settings.ts';
import { CancelledError, UsageError } from '../../src/errors.ts';

const client = new SageMakerClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
});
const sagemaker = mockClient(client);
const hosting = new SageMakerHosting(client);

const request: DeployRequest = {
  requestId: 'dep-42',
  trainingJobName: 'logtune-ft-1',
  datasetId: 'ds-20240401-20240531-20240601T120000-abcd',
  modelArtifacts: 's3://ml/out/logtune-ft-1/output/model',
  roleArn: 'arn:aws:iam::123456789012:role/sm',
};
const inputs = deployInputs(request, hostingConfig(fixtureRecipe(), loadHostingSettings({})));
const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/logtune-dep-42';

const validation = (message: string) =>
  new SageMakerServiceException({
    name: 'ValidationException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message,
  });

/** SageMaker's answer to a create, from what exists: a name can be created once. */
function createOnce(kind: string): (name: string) => Promise<object> {
  const existing = new Set<string>();
  return async (name) => {
    await new Promise((resolve) => setTimeout(resolve, 5)); // calls overlap, as two clicks' would
    if (existing.has(name))
      throw validation(`Cannot create already existing ${kind} "arn:aws:sagemaker:us-east-1:1:${kind}/${name}".`);
    existing.add(name);
    return {};
  };
}

function endpoint(
  status: string,
  extra: Partial<DescribeEndpointCommandOutput> = {},
): Partial<DescribeEndpointCommandOutput> {
  return {
    EndpointName: 'logtune-dep-42',
    EndpointArn: ARN,
    EndpointConfigName: 'logtune-dep-42',
    EndpointStatus: status as 'Creating',
    CreationTime: new Date(0),
    LastModifiedTime: new Date(0),
    ...extra,
  };
}

beforeEach(() => {
  const models = createOnce('model');
  const configs = createOnce('endpoint-config');
  const endpoints = createOnce('endpoint');
  sagemaker.on(CreateModelCommand).callsFake((input: { ModelName: string }) => models(input.ModelName));
  sagemaker
    .on(CreateEndpointConfigCommand)
    .callsFake((input: { EndpointConfigName: string }) => configs(input.EndpointConfigName));
  sagemaker.on(CreateEndpointCommand).callsFake((input: { EndpointName: string }) => endpoints(input.EndpointName));
});

afterEach(() => {
  sagemaker.reset();
});

const creates = () =>
  [
    sagemaker.commandCalls(CreateModelCommand),
    sagemaker.commandCalls(CreateEndpointConfigCommand),
    sagemaker.commandCalls(CreateEndpointCommand),
  ].map((calls) => calls.length);

describe('Deployer', () => {
  it('makes the three Create calls once, in order, however many times the same request is approved at once', async () => {
    const deployer = new Deployer(hosting);
    const results = await Promise.all([deployer.start(inputs), deployer.start(inputs), deployer.start(inputs)]);
    expect(creates()).toEqual([1, 1, 1]);
    expect(results[0]).toEqual({
      names: inputs.names,
      model: 'created',
      endpointConfig: 'created',
      endpoint: 'created',
    });
    expect(results[1]).toBe(results[0]);
    expect(sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input).toEqual(inputs.createModel);
    expect(sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input).toEqual(inputs.createEndpointConfig);
    expect(sagemaker.commandCalls(CreateEndpointCommand)[0]!.args[0].input).toEqual(inputs.createEndpoint);
  });

  it('creates nothing twice when approved again later, or from another process', async () => {
    await new Deployer(hosting).start(inputs);
    expect(await new Deployer(hosting).start(inputs)).toEqual({
      names: inputs.names,
      model: 'existing',
      endpointConfig: 'existing',
      endpoint: 'existing',
    });
  });

  it('picks up where a failed attempt stopped', async () => {
    sagemaker.on(CreateEndpointConfigCommand).rejectsOnce(
      new SageMakerServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: {},
        message: 'Rate exceeded',
      }),
    );
    const deployer = new Deployer(hosting);
    await expect(deployer.start(inputs)).rejects.toThrow('Rate exceeded');
    expect(sagemaker.commandCalls(CreateEndpointCommand)).toHaveLength(0);
    sagemaker.on(CreateEndpointConfigCommand).resolves({});
    expect(await deployer.start(inputs)).toMatchObject({
      model: 'existing',
      endpointConfig: 'created',
      endpoint: 'created',
    });
  });
});

describe('watchEndpoint', () => {
  const fast = { intervalMs: 1, sleep: async () => undefined };

  it('follows the endpoint until InService, reporting each new status once', async () => {
    sagemaker
      .on(DescribeEndpointCommand)
      .resolvesOnce(endpoint('Creating'))
      .resolvesOnce(endpoint('Creating'))
      .resolves(endpoint('InService'));
    const seen: string[] = [];
    const outcome = await watchEndpoint(hosting, 'logtune-dep-42', { ...fast, onStatus: (e) => seen.push(e.status) });
    expect(outcome.state).toBe('in_service');
    expect(seen).toEqual(['Creating', 'InService']);
  });

  it('gives the failure reason, or says the endpoint is gone', async () => {
    sagemaker
      .on(DescribeEndpointCommand)
      .resolvesOnce(endpoint('Creating'))
      .resolves(
        endpoint('Failed', { FailureReason: 'CapacityError: Unable to provision requested ML compute capacity.' }),
      );
    expect(await watchEndpoint(hosting, 'logtune-dep-42', fast)).toMatchObject({
      state: 'failed',
      reason: 'CapacityError: Unable to provision requested ML compute capacity.',
    });
    sagemaker.reset();
    sagemaker.on(DescribeEndpointCommand).rejects(validation('Could not find endpoint "x".'));
    expect(await watchEndpoint(hosting, 'logtune-dep-42', fast)).toEqual({ state: 'gone' });
  });

  it('reads SageMaker statuses as pending, in service or failed, unknown ones as pending', () => {
    expect(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'SomethingNew'].map(endpointPhase)).toEqual(
      Array(5).fill('pending'),
    );
    expect(endpointPhase('InService')).toBe('in_service');
    expect(['Failed', 'OutOfService', 'UpdateRollbackFailed', 'Deleting'].map(endpointPhase)).toEqual(
      Array(4).fill('failed'),
    );
  });

  it('stops at its deadline, and when cancelled', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves(endpoint('Creating'));
    expect(await watchEndpoint(hosting, 'logtune-dep-42', { intervalMs: 5, timeoutMs: 30 })).toMatchObject({
      state: 'timed_out',
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(
      watchEndpoint(hosting, 'logtune-dep-42', { intervalMs: 10_000, signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('undeploy', () => {
  const deletes = () =>
    [
      sagemaker.commandCalls(DeleteEndpointCommand),
      sagemaker.commandCalls(DeleteEndpointConfigCommand),
      sagemaker.commandCalls(DeleteModelCommand),
    ].map((calls) => calls.length);

  it('deletes the endpoint, its config and its models', async () => {
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves(endpoint('InService'))
      .on(ListTagsCommand)
      .resolves({ Tags: deployTags(request) })
      .on(DescribeEndpointConfigCommand)
      .resolves({
        EndpointConfigName: 'logtune-dep-42',
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'logtune-dep-42' }],
      })
      .on(DeleteEndpointCommand)
      .resolves({})
      .on(DeleteEndpointConfigCommand)
      .resolves({})
      .on(DeleteModelCommand)
      .resolves({});
    expect(await undeploy(hosting, 'logtune-dep-42')).toEqual({
      endpoint: 'logtune-dep-42',
      deleted: [
        { kind: 'endpoint', name: 'logtune-dep-42', outcome: 'deleted' },
        { kind: 'endpoint_config', name: 'logtune-dep-42', outcome: 'deleted' },
        { kind: 'model', name: 'logtune-dep-42', outcome: 'deleted' },
      ],
    });
  });

  it('finishes a half-done undeploy by the names logtune gives', async () => {
    const gone = validation('Could not find it.');
    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(gone)
      .on(DescribeEndpointConfigCommand)
      .rejects(gone)
      .on(DeleteEndpointCommand)
      .rejects(gone)
      .on(DeleteEndpointConfigCommand)
      .rejects(gone)
      .on(DeleteModelCommand)
      .resolves({});
    const result = await undeploy(hosting, 'logtune-dep-42');
    expect(result.deleted.map((d) => d.outcome)).toEqual(['absent', 'absent', 'deleted']);
    expect(sagemaker.commandCalls(DeleteModelCommand)[0]!.args[0].input).toEqual({ ModelName: 'logtune-dep-42' });
  });

  it('refuses endpoints logtune did not deploy, deleting nothing', async () => {
    await expect(undeploy(hosting, 'prod-recommender')).rejects.toBeInstanceOf(UsageError);
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves(endpoint('InService'))
      .on(ListTagsCommand)
      .resolves({ Tags: [{ Key: 'team', Value: 'ml' }] });
    await expect(undeploy(hosting, 'logtune-dep-42')).rejects.toThrow(/logtune did not deploy it/);
    expect(deletes()).toEqual([0, 0, 0]);
  });
});

describe('endpoint origin and cost', () => {
  it('traces an endpoint back to its dataset and training job by its tags', async () => {
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves(endpoint('InService'))
      .on(ListTagsCommand)
      .resolves({ Tags: deployTags(request) });
    expect(await endpointOrigin(hosting, 'logtune-dep-42')).toEqual({
      endpointName: 'logtune-dep-42',
      datasetId: request.datasetId,
      trainingJobName: 'logtune-ft-1',
      deployRequestId: 'dep-42',
    });
    sagemaker.on(ListTagsCommand).resolves({ Tags: [] });
    expect(await endpointOrigin(hosting, 'logtune-dep-42')).toBeUndefined();
  });

  it('costs an endpoint per hour, per day and since it was created', () => {
    const cost = hostingCost(1.515, 1, new Date('2024-06-01T00:00:00Z'), new Date('2024-06-02T12:00:00Z'));
    expect(cost.perHourUsd).toBeCloseTo(1.515);
    expect(cost.perDayUsd).toBeCloseTo(36.36);
    expect(cost.soFarUsd).toBeCloseTo(54.54);
    expect(hostingCost(7.09, 2, new Date(10_000), new Date(0)).soFarUsd).toBe(0);
  });
});
