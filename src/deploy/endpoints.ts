import type { SageMakerHosting } from '../aws/sagemakerHosting.ts';
import { TAG_KEYS } from './requests.ts';

/**
 * Where an endpoint came from, read back from the tags logtune put on it: the dataset (whose labels and token limit
 * the classifier needs), the training job and the deploy request. Undefined when there is no such endpoint or
 * logtune did not deploy it.
 */
export interface EndpointOrigin {
  readonly endpointName: string;
  readonly datasetId: string;
  readonly trainingJobName: string | undefined;
  readonly deployRequestId: string;
}

export async function endpointOrigin(
  hosting: Pick<SageMakerHosting, 'describeEndpoint' | 'tags'>,
  endpointName: string,
  signal?: AbortSignal,
): Promise<EndpointOrigin | undefined> {
  const endpoint = await hosting.describeEndpoint(endpointName, signal);
  if (endpoint === undefined) return undefined;
  const tags = await hosting.tags(endpoint.arn, signal);
  const datasetId = tags[TAG_KEYS.dataset];
  const deployRequestId = tags[TAG_KEYS.deployRequest];
  if (datasetId === undefined || deployRequestId === undefined) return undefined;
  return { endpointName: endpoint.name, datasetId, trainingJobName: tags[TAG_KEYS.trainingJob], deployRequestId };
}
