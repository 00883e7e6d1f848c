import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { sageMakerClient, sageMakerRuntimeClient, type AwsTimeouts } from '../aws/clients.ts';
import { SageMakerHosting } from '../aws/sagemakerHosting.ts';
import { endpointOrigin } from '../deploy/endpoints.ts';
import { deployAws, type DeployAws } from './deploy/aws.ts';
import { trainingAws, type TrainingAws } from './training/aws.ts';

/** Every AWS client the bot's features use, built from the SDK's own settings; tests replace any of them. */
export interface BotAws {
  readonly training: TrainingAws;
  /** Create, describe and delete endpoints, configs and models. */
  readonly deploy: DeployAws;
  readonly sagemaker: SageMakerClient;
  /** InvokeEndpoint; the endpoint classifier does its own retries, so the SDK's are off. */
  readonly runtime: SageMakerRuntimeClient;
}

export function botAws(overrides: Partial<BotAws> = {}, timeouts?: AwsTimeouts): BotAws {
  const sagemaker = overrides.sagemaker ?? sageMakerClient(timeouts);
  return {
    sagemaker,
    training: overrides.training ?? trainingAws(sagemaker, timeouts),
    deploy: overrides.deploy ?? deployAws(sagemaker),
    runtime: overrides.runtime ?? sageMakerRuntimeClient(timeouts),
  };
}

/** The dataset an endpoint's model learnt, from the tags logtune put on it (undefined for someone else's endpoint). */
export function endpointDatasetFromTags(
  sagemaker: SageMakerClient,
): (endpointName: string) => Promise<string | undefined> {
  const hosting = new SageMakerHosting(sagemaker);
  return async (endpointName) => (await endpointOrigin(hosting, endpointName))?.datasetId;
}
