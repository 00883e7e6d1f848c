import { setTimeout as delay } from 'node:timers/promises';
import type { CreateOutcome, EndpointDescription, SageMakerHosting } from '../aws/sagemakerHosting.ts';
import { CancelledError, UsageError, throwIfAborted } from '../errors.ts';
import { TAG_KEYS, type DeployInputs, type DeployNames } from './requests.ts';

/**
 * Deploy and undeploy as sequences of idempotent SageMaker calls. Approving the same request twice (a double
 * click, a retry after a restart) asks for the same names: while one deployment of a name is under way in this
 * process the second approval joins it, and across processes SageMaker's "already existing" answer stops it.
 */
export type Hosting = Pick<
  SageMakerHosting,
  | 'createModel'
  | 'createEndpointConfig'
  | 'createEndpoint'
  | 'describeEndpoint'
  | 'describeEndpointConfig'
  | 'tags'
  | 'listTagged'
  | 'deleteEndpoint'
  | 'deleteEndpointConfig'
  | 'deleteModel'
>;

export interface DeployStarted {
  readonly names: DeployNames;
  readonly model: CreateOutcome;
  readonly endpointConfig: CreateOutcome;
  readonly endpoint: CreateOutcome;
}

export class Deployer {
  private readonly inFlight = new Map<string, Promise<DeployStarted>>();

  constructor(private readonly hosting: Hosting) {}

  /** Creates model, endpoint config and endpoint, in that order; resolves once SageMaker has accepted all three. */
  start(inputs: DeployInputs, signal?: AbortSignal): Promise<DeployStarted> {
    const key = inputs.names.endpoint;
    const running = this.inFlight.get(key);
    if (running !== undefined) return running;
    const started = this.create(inputs, signal).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  private async create(inputs: DeployInputs, signal: AbortSignal | undefined): Promise<DeployStarted> {
    const model = await this.hosting.createModel(inputs.createModel, signal);
    throwIfAborted(signal);
    const endpointConfig = await this.hosting.createEndpointConfig(inputs.createEndpointConfig, signal);
    throwIfAborted(signal);
    const endpoint = await this.hosting.createEndpoint(inputs.createEndpoint, signal);
    return { names: inputs.names, model, endpointConfig, endpoint };
  }
}

export type EndpointOutcome =
  | { readonly state: 'in_service'; readonly endpoint: EndpointDescription }
  | { readonly state: 'failed'; readonly endpoint: EndpointDescription; readonly reason: string }
  | { readonly state: 'gone' }
  | { readonly state: 'timed_out'; readonly endpoint: EndpointDescription | undefined };

export interface WatchOptions {
  /** The Python SDK polls endpoints every 30 s; an endpoint takes minutes to come up. */
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called whenever the status changes (and once at the start). */
  readonly onStatus?: (endpoint: EndpointDescription) => void;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const abortableSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, { signal }).catch(() => {
    throw new CancelledError();
  });

// States an endpoint being created does not leave by itself.
const FAILED_STATES = new Set(['Failed', 'OutOfService', 'UpdateRollbackFailed', 'Deleting']);

/** Where a new endpoint stands; unknown statuses (the list may grow) count as pending. */
export function endpointPhase(status: string): 'pending' | 'in_service' | 'failed' {
  if (status === 'InService') return 'in_service';
  return FAILED_STATES.has(status) ? 'failed' : 'pending';
}

/** Polls until the endpoint is InService, has failed or gone, or the time is up. Unknown states count as pending. */
export async function watchEndpoint(
  hosting: Pick<Hosting, 'describeEndpoint'>,
  name: string,
  options: WatchOptions = {},
): Promise<EndpointOutcome> {
  const { intervalMs = 30_000, timeoutMs = 90 * 60_000, signal, onStatus, sleep = abortableSleep } = options;
  const deadline = Date.now() + timeoutMs;
  let last: EndpointDescription | undefined;
  for (;;) {
    throwIfAborted(signal);
    const endpoint = await hosting.describeEndpoint(name, signal);
    if (endpoint === undefined) return { state: 'gone' };
    if (endpoint.status !== last?.status) onStatus?.(endpoint);
    last = endpoint;
    const phase = endpointPhase(endpoint.status);
    if (phase === 'in_service') return { state: 'in_service', endpoint };
    if (phase === 'failed') return { state: 'failed', endpoint, reason: endpoint.failureReason ?? endpoint.status };
    const left = deadline - Date.now();
    if (left <= 0) return { state: 'timed_out', endpoint };
    await sleep(Math.min(intervalMs, left), signal);
  }
}

export interface UndeployResult {
  readonly endpoint: string;
  readonly deleted: readonly {
    readonly kind: 'endpoint' | 'endpoint_config' | 'model';
    readonly name: string;
    readonly outcome: 'deleted' | 'absent';
  }[];
}

/**
 * Deletes an endpoint, its config and its models. Only logtune's own: the name must be one logtune gives, and an
 * existing endpoint must carry logtune's deploy tag, so a mistyped name cannot take down someone else's endpoint.
 * What is already gone is reported as absent, so undeploying twice is harmless.
 */
export async function undeploy(hosting: Hosting, endpointName: string, signal?: AbortSignal): Promise<UndeployResult> {
  if (!endpointName.startsWith('logtune-'))
    throw new UsageError(`${endpointName} is not an endpoint logtune deployed (their names start with "logtune-")`);
  const endpoint = await hosting.describeEndpoint(endpointName, signal);
  if (endpoint !== undefined) {
    const tags = await hosting.tags(endpoint.arn, signal);
    if (tags[TAG_KEYS.deployRequest] === undefined)
      throw new UsageError(`${endpointName} has no ${TAG_KEYS.deployRequest} tag: logtune did not deploy it`);
  }
  // Without the endpoint, fall back to the names logtune gives all three.
  const configName = endpoint?.configName ?? endpointName;
  const config = await hosting.describeEndpointConfig(configName, signal);
  const models = config?.modelNames ?? [endpointName];
  const deleted: UndeployResult['deleted'][number][] = [];
  deleted.push({ kind: 'endpoint', name: endpointName, outcome: await hosting.deleteEndpoint(endpointName, signal) });
  deleted.push({
    kind: 'endpoint_config',
    name: configName,
    outcome: await hosting.deleteEndpointConfig(configName, signal),
  });
  for (const model of models)
    deleted.push({ kind: 'model', name: model, outcome: await hosting.deleteModel(model, signal) });
  return { endpoint: endpointName, deleted };
}
