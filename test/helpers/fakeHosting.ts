import type { CreateEndpointConfigInput, CreateEndpointInput, CreateModelInput, Tag } from '@aws-sdk/client-sagemaker';
import type {
  CreateOutcome,
  DeleteOutcome,
  EndpointConfigDescription,
  EndpointDescription,
} from '../../src/aws/sagemakerHosting.ts';
import type { TaggedResource } from '../../src/aws/taggedResources.ts';
import type { Hosting } from '../../src/deploy/deployer.ts';
import type { DeployAws } from '../../src/features/deploy/aws.ts';

/** What an endpoint answers to DescribeEndpoint, one step per call (the last repeats). */
export type EndpointStep = { readonly status: string; readonly failureReason?: string };

export const COMES_UP: readonly EndpointStep[] = [
  { status: 'Creating' },
  { status: 'Creating' },
  { status: 'InService' },
];

type Operation =
  'CreateModel' | 'CreateEndpointConfig' | 'CreateEndpoint' | 'DeleteEndpoint' | 'DeleteEndpointConfig' | 'DeleteModel';

interface FakeEndpoint {
  readonly arn: string;
  readonly configName: string;
  readonly tags: Tag[];
  readonly createdAt: Date;
  readonly steps: readonly EndpointStep[];
  next: number;
}

const ACCOUNT = '111122223333';

/**
 * SageMaker hosting in memory, as the deploy feature sees it (DeployAws): a name can be created once (then "existing",
 * as SageMaker answers), creates take a few milliseconds so concurrent clicks overlap, an endpoint walks through the
 * steps queued for it, deletes answer "absent" for what is gone. Failures are queued per operation.
 */
export class FakeDeployAws implements DeployAws {
  /** Every call that reached "SageMaker", in order. */
  readonly calls: { readonly operation: Operation; readonly name: string }[] = [];
  readonly modelInputs: CreateModelInput[] = [];
  readonly configInputs: CreateEndpointConfigInput[] = [];
  regionName: string | undefined = 'us-east-1';
  /** The next CreateEndpoint creates the endpoint but its answer is lost (a timeout, a reset connection). */
  loseCreateEndpointAnswer = false;
  /** While set, CreateEndpoint waits for it before SageMaker acts (a slow answer). */
  holdCreateEndpoint: Promise<void> | undefined;
  private readonly failures = new Map<Operation, Error[]>();
  private readonly scripts: (readonly EndpointStep[])[] = [];
  private readonly models = new Map<string, Tag[]>();
  private readonly configs = new Map<string, EndpointConfigDescription>();
  private readonly endpoints = new Map<string, FakeEndpoint>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** The next endpoint created follows these steps. */
  willRun(steps: readonly EndpointStep[]): this {
    this.scripts.push(steps);
    return this;
  }

  failNext(operation: Operation, error: Error): this {
    this.failures.set(operation, [...(this.failures.get(operation) ?? []), error]);
    return this;
  }

  count(operation: Operation, name?: string): number {
    return this.calls.filter((c) => c.operation === operation && (name === undefined || c.name === name)).length;
  }

  exists(kind: 'model' | 'config' | 'endpoint', name: string): boolean {
    return (kind === 'model' ? this.models : kind === 'config' ? this.configs : this.endpoints).has(name);
  }

  /** An endpoint someone else made, without logtune's tags. */
  addForeignEndpoint(name: string): void {
    this.endpoints.set(name, {
      arn: this.arn(name),
      configName: name,
      tags: [],
      createdAt: this.now(),
      steps: [{ status: 'InService' }],
      next: 0,
    });
  }

  async region(): Promise<string | undefined> {
    return this.regionName;
  }

  readonly hosting: Hosting = {
    createModel: (input) =>
      this.create('CreateModel', input.ModelName!, this.models, () => {
        this.modelInputs.push(input);
        return input.Tags ?? [];
      }),
    createEndpointConfig: (input) =>
      this.create('CreateEndpointConfig', input.EndpointConfigName!, this.configs, () => {
        this.configInputs.push(input);
        const variant = input.ProductionVariants![0]!;
        return {
          name: input.EndpointConfigName!,
          modelNames: [variant.ModelName!],
          instanceType: variant.InstanceType,
          instanceCount: variant.InitialInstanceCount ?? 1,
        };
      }),
    createEndpoint: async (input: CreateEndpointInput) => {
      if (this.holdCreateEndpoint) await this.holdCreateEndpoint;
      const outcome = await this.create('CreateEndpoint', input.EndpointName!, this.endpoints, () => ({
        arn: this.arn(input.EndpointName!),
        configName: input.EndpointConfigName!,
        tags: input.Tags ?? [],
        createdAt: this.now(),
        steps: this.scripts.shift() ?? COMES_UP,
        next: 0,
      }));
      if (this.loseCreateEndpointAnswer) {
        this.loseCreateEndpointAnswer = false;
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return outcome;
    },
    describeEndpoint: async (name): Promise<EndpointDescription | undefined> => {
      const endpoint = this.endpoints.get(name);
      if (!endpoint) return undefined;
      const step = endpoint.steps[Math.min(endpoint.next, endpoint.steps.length - 1)]!;
      endpoint.next++;
      return {
        name,
        arn: endpoint.arn,
        status: step.status,
        failureReason: step.failureReason,
        configName: endpoint.configName,
        createdAt: endpoint.createdAt,
        modifiedAt: this.now(),
        instanceCount: step.status === 'InService' ? 1 : undefined,
      };
    },
    describeEndpointConfig: async (name) => this.configs.get(name),
    tags: async (arn) => {
      const endpoint = [...this.endpoints.values()].find((e) => e.arn === arn);
      return Object.fromEntries((endpoint?.tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
    },
    // ListEndpoints(NameContains) + ListTags, as src/aws/taggedResources.ts asks them.
    listTagged: async (prefix, tagKey): Promise<TaggedResource[]> =>
      [...this.endpoints.entries()].flatMap(([name, e]) => {
        const tags = Object.fromEntries(e.tags.map((t) => [t.Key!, t.Value ?? '']));
        if (!name.startsWith(prefix) || tags[tagKey] === undefined) return [];
        const status = e.steps[Math.min(e.next, e.steps.length - 1)]!.status;
        return [{ name, arn: e.arn, status, createdAt: e.createdAt, tags }];
      }),
    deleteEndpoint: (name) => this.delete('DeleteEndpoint', name, this.endpoints),
    deleteEndpointConfig: (name) => this.delete('DeleteEndpointConfig', name, this.configs),
    deleteModel: (name) => this.delete('DeleteModel', name, this.models),
  };

  private arn(name: string): string {
    return `arn:aws:sagemaker:${this.regionName ?? 'us-east-1'}:${ACCOUNT}:endpoint/${name}`;
  }

  private async create<T>(
    operation: Operation,
    name: string,
    store: Map<string, T>,
    make: () => T,
  ): Promise<CreateOutcome> {
    await new Promise((resolve) => setTimeout(resolve, 5)); // two clicks' calls overlap, as they would against SageMaker
    this.calls.push({ operation, name });
    const failure = this.failures.get(operation)?.shift();
    if (failure) throw failure;
    if (store.has(name)) return 'existing';
    store.set(name, make());
    return 'created';
  }

  private async delete(operation: Operation, name: string, store: Map<string, unknown>): Promise<DeleteOutcome> {
    this.calls.push({ operation, name });
    const failure = this.failures.get(operation)?.shift();
    if (failure) throw failure;
    return store.delete(name) ? 'deleted' : 'absent';
  }
}
