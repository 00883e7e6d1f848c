import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateEndpointCommand,
  CreateModelCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListTagsCommand,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SageMakerHosting } from '../../src/aws/sagemakerHosting.ts';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const client = new SageMakerClient({ region: 'us-east-1', credentials });
const sagemaker = mockClient(client);
const hosting = new SageMakerHosting(client);

afterEach(() => {
  sagemaker.reset();
});

const validation = (message: string) =>
  new SageMakerServiceException({
    name: 'ValidationException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message,
  });

describe('SageMakerHosting', () => {
  it('reports a resource that already exists under that name as existing, and other failures as they are', async () => {
    sagemaker
      .on(CreateModelCommand)
      .rejectsOnce(validation('Cannot create already existing model "arn:aws:sagemaker:us-east-1:1:model/logtune-x".'));
    expect(await hosting.createModel({ ModelName: 'logtune-x' })).toBe('existing');
    sagemaker
      .on(CreateEndpointCommand)
      .resolvesOnce({ EndpointArn: 'arn' })
      .rejectsOnce(
        new SageMakerServiceException({
          name: 'ResourceLimitExceeded',
          $fault: 'client',
          $metadata: {},
          message: "The account-level service limit 'ml.g5.2xlarge for endpoint usage' is 0 Instances",
        }),
      );
    expect(await hosting.createEndpoint({ EndpointName: 'logtune-x', EndpointConfigName: 'logtune-x' })).toBe(
      'created',
    );
    await expect(
      hosting.createEndpoint({ EndpointName: 'logtune-x', EndpointConfigName: 'logtune-x' }),
    ).rejects.toThrow(/service limit/);
  });

  it('describes an endpoint, and answers undefined for one that does not exist', async () => {
    const created = new Date('2024-06-01T12:00:00Z');
    sagemaker
      .on(DescribeEndpointCommand, { EndpointName: 'logtune-x' })
      .resolves({
        EndpointName: 'logtune-x',
        EndpointArn: 'arn:aws:sagemaker:us-east-1:1:endpoint/logtune-x',
        EndpointConfigName: 'logtune-x',
        EndpointStatus: 'Failed',
        FailureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.',
        CreationTime: created,
        LastModifiedTime: new Date('2024-06-01T12:20:00Z'),
        ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: 1 }],
      })
      .on(DescribeEndpointCommand, { EndpointName: 'gone' })
      .rejects(validation('Could not find endpoint "arn:aws:sagemaker:us-east-1:1:endpoint/gone".'));
    expect(await hosting.describeEndpoint('logtune-x')).toEqual({
      name: 'logtune-x',
      arn: 'arn:aws:sagemaker:us-east-1:1:endpoint/logtune-x',
      status: 'Failed',
      failureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.',
      configName: 'logtune-x',
      createdAt: created,
      modifiedAt: new Date('2024-06-01T12:20:00Z'),
      instanceCount: 1,
    });
    expect(await hosting.describeEndpoint('gone')).toBeUndefined();
  });

  it('refuses a DescribeEndpoint answer without the fields it relies on', async () => {
    sagemaker.on(DescribeEndpointCommand).resolves({ EndpointName: 'x' });
    await expect(hosting.describeEndpoint('x')).rejects.toThrow();
  });

  it('describes an endpoint config by its models and instances', async () => {
    sagemaker.on(DescribeEndpointConfigCommand).resolves({
      EndpointConfigName: 'logtune-x',
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: 'logtune-x', InstanceType: 'ml.g5.2xlarge', InitialInstanceCount: 1 },
      ],
    });
    expect(await hosting.describeEndpointConfig('logtune-x')).toEqual({
      name: 'logtune-x',
      modelNames: ['logtune-x'],
      instanceType: 'ml.g5.2xlarge',
      instanceCount: 1,
    });
  });

  it('reads every page of tags', async () => {
    sagemaker
      .on(ListTagsCommand, { ResourceArn: 'arn', NextToken: undefined })
      .resolves({ Tags: [{ Key: 'a', Value: '1' }], NextToken: 't' })
      .on(ListTagsCommand, { ResourceArn: 'arn', NextToken: 't' })
      .resolves({ Tags: [{ Key: 'b', Value: '2' }] });
    expect(await hosting.tags('arn')).toEqual({ a: '1', b: '2' });
  });

  it('deletes, and reports what was already gone as absent', async () => {
    sagemaker
      .on(DeleteModelCommand)
      .resolvesOnce({})
      .rejectsOnce(validation('Could not find model "arn:aws:sagemaker:us-east-1:1:model/logtune-x".'));
    expect(await hosting.deleteModel('logtune-x')).toBe('deleted');
    expect(await hosting.deleteModel('logtune-x')).toBe('absent');
  });
});

describe('SageMaker errors as the real SDK reads them off the wire', () => {
  it('recognises "already existing" and "could not find" in awsJson1_1 error responses', async () => {
    const replies = [
      {
        __type: 'ValidationException',
        Message:
          'Cannot create already existing endpoint configuration "arn:aws:sagemaker:us-east-1:1:endpoint-config/logtune-x".',
      },
      {
        __type: 'ValidationException',
        Message: 'Could not find endpoint "arn:aws:sagemaker:us-east-1:1:endpoint/logtune-x".',
      },
    ];
    const targets: string[] = [];
    const server = createServer((req, res) => {
      targets.push(String(req.headers['x-amz-target']));
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(replies.shift()));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const real = new SageMakerClient({
      region: 'us-east-1',
      credentials,
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      maxAttempts: 1,
    });
    try {
      const wire = new SageMakerHosting(real);
      expect(await wire.createEndpointConfig({ EndpointConfigName: 'logtune-x', ProductionVariants: [] })).toBe(
        'existing',
      );
      expect(await wire.deleteEndpoint('logtune-x')).toBe('absent');
      expect(targets).toEqual(['SageMaker.CreateEndpointConfig', 'SageMaker.DeleteEndpoint']);
    } finally {
      real.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
