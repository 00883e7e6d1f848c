import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  type CreateEndpointConfigInput,
  type CreateEndpointInput,
  type CreateModelInput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { listTaggedEndpoints, resourceTags, type TaggedResource } from './taggedResources.ts';

/**
 * SageMaker hosting, thin: the calls a deployment needs, each answering in logtune's terms. Creating something
 * that already exists under that name is "existing", deleting something already gone is "absent": SageMaker reports
 * both as a ValidationException ("Cannot create already existing …", "Could not find …"), which is how a retried
 * deploy or undeploy stays harmless.
 */
export type CreateOutcome = 'created' | 'existing';
export type DeleteOutcome = 'deleted' | 'absent';

export interface EndpointDescription {
  readonly name: string;
  readonly arn: string;
  /** Creating, InService, Failed, Updating, Deleting, …: SageMaker's own word, unknown ones included. */
  readonly status: string;
  readonly failureReason: string | undefined;
  readonly configName: string | undefined;
  readonly createdAt: Date;
  readonly modifiedAt: Date;
  /** Instances serving now, summed over variants; undefined before any is up. */
  readonly instanceCount: number | undefined;
}

export interface EndpointConfigDescription {
  readonly name: string;
  readonly modelNames: readonly string[];
  readonly instanceType: string | undefined;
  readonly instanceCount: number;
}

const endpointSchema = z.object({
  EndpointName: z.string(),
  EndpointArn: z.string(),
  EndpointStatus: z.string(),
  FailureReason: z.string().optional(),
  EndpointConfigName: z.string().optional(),
  CreationTime: z.date(),
  LastModifiedTime: z.date(),
  ProductionVariants: z.array(z.object({ CurrentInstanceCount: z.number().optional() })).optional(),
});

const endpointConfigSchema = z.object({
  EndpointConfigName: z.string(),
  ProductionVariants: z.array(
    z.object({
      ModelName: z.string().optional(),
      InstanceType: z.string().optional(),
      InitialInstanceCount: z.number().optional(),
    }),
  ),
});

function isValidation(error: unknown, message: RegExp): boolean {
  const e = error as { name?: unknown; message?: unknown };
  return e.name === 'ValidationException' && typeof e.message === 'string' && message.test(e.message);
}

export const isAlreadyExisting = (error: unknown): boolean => isValidation(error, /already existing/i);
export const isNotFound = (error: unknown): boolean =>
  (error as { name?: unknown }).name === 'ResourceNotFound' || isValidation(error, /could not find/i);

export class SageMakerHosting {
  constructor(private readonly client: SageMakerClient) {}

  createModel(input: CreateModelInput, signal?: AbortSignal): Promise<CreateOutcome> {
    return this.create(() => this.client.send(new CreateModelCommand(input), { abortSignal: signal }));
  }

  createEndpointConfig(input: CreateEndpointConfigInput, signal?: AbortSignal): Promise<CreateOutcome> {
    return this.create(() => this.client.send(new CreateEndpointConfigCommand(input), { abortSignal: signal }));
  }

  createEndpoint(input: CreateEndpointInput, signal?: AbortSignal): Promise<CreateOutcome> {
    return this.create(() => this.client.send(new CreateEndpointCommand(input), { abortSignal: signal }));
  }

  /** The endpoint as it stands, or undefined when there is none of that name. */
  async describeEndpoint(name: string, signal?: AbortSignal): Promise<EndpointDescription | undefined> {
    const out = await this.absentAsUndefined(() =>
      this.client.send(new DescribeEndpointCommand({ EndpointName: name }), { abortSignal: signal }),
    );
    if (out === undefined) return undefined;
    const e = endpointSchema.parse(out);
    const counts = (e.ProductionVariants ?? [])
      .map((v) => v.CurrentInstanceCount)
      .filter((n): n is number => n !== undefined);
    return {
      name: e.EndpointName,
      arn: e.EndpointArn,
      status: e.EndpointStatus,
      failureReason: e.FailureReason,
      configName: e.EndpointConfigName,
      createdAt: e.CreationTime,
      modifiedAt: e.LastModifiedTime,
      instanceCount: counts.length === 0 ? undefined : counts.reduce((a, b) => a + b, 0),
    };
  }

  async describeEndpointConfig(name: string, signal?: AbortSignal): Promise<EndpointConfigDescription | undefined> {
    const out = await this.absentAsUndefined(() =>
      this.client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }), { abortSignal: signal }),
    );
    if (out === undefined) return undefined;
    const c = endpointConfigSchema.parse(out);
    return {
      name: c.EndpointConfigName,
      modelNames: c.ProductionVariants.map((v) => v.ModelName).filter((m): m is string => m !== undefined),
      instanceType: c.ProductionVariants[0]?.InstanceType,
      instanceCount: c.ProductionVariants.reduce((sum, v) => sum + (v.InitialInstanceCount ?? 0), 0),
    };
  }

  /** Every tag of a resource (by ARN), as a record. */
  tags(arn: string, signal?: AbortSignal): Promise<Record<string, string>> {
    return resourceTags(this.client, arn, signal);
  }

  /** Endpoints named `prefix…` that carry `tagKey`: what a lost database still leaves billing. */
  listTagged(prefix: string, tagKey: string, signal?: AbortSignal): Promise<TaggedResource[]> {
    return listTaggedEndpoints(this.client, prefix, tagKey, signal);
  }

  deleteEndpoint(name: string, signal?: AbortSignal): Promise<DeleteOutcome> {
    return this.delete(() =>
      this.client.send(new DeleteEndpointCommand({ EndpointName: name }), { abortSignal: signal }),
    );
  }

  deleteEndpointConfig(name: string, signal?: AbortSignal): Promise<DeleteOutcome> {
    return this.delete(() =>
      this.client.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name }), { abortSignal: signal }),
    );
  }

  deleteModel(name: string, signal?: AbortSignal): Promise<DeleteOutcome> {
    return this.delete(() => this.client.send(new DeleteModelCommand({ ModelName: name }), { abortSignal: signal }));
  }

  private async create(send: () => Promise<unknown>): Promise<CreateOutcome> {
    try {
      await send();
      return 'created';
    } catch (error) {
      if (isAlreadyExisting(error)) return 'existing';
      throw error;
    }
  }

  private async delete(send: () => Promise<unknown>): Promise<DeleteOutcome> {
    try {
      await send();
      return 'deleted';
    } catch (error) {
      if (isNotFound(error)) return 'absent';
      throw error;
    }
  }

  private async absentAsUndefined<T>(send: () => Promise<T>): Promise<T | undefined> {
    try {
      return await send();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
