import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { sageMakerClient, sageMakerRuntimeClient, type AwsTimeouts } from '../aws/clients.ts';
import { SageMakerHosting } from '../aws/sagemakerHosting.ts';
import type { StoredDataset } from '../dataset/output/stored.ts';
import type { DoctorAws } from '../doctor/context.ts';
import { doctorAws } from '../doctor/open.ts';
import { endpointOrigin } from '../deploy/endpoints.ts';
import type { HostingSettings } from '../deploy/settings.ts';
import { openEndpointClassifier } from '../inference/openEndpointClassifier.ts';
import type { InferenceSettings } from '../inference/settings.ts';
import type { ContextClassifier } from '../inference/types.ts';
import type { Log } from '../log.ts';
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
  /** STS, IAM, Service Quotas and S3 for `/logtune doctor` and the checks before an approval is posted. */
  readonly doctor: DoctorAws;
}

export function botAws(overrides: Partial<BotAws> = {}, timeouts?: AwsTimeouts): BotAws {
  const sagemaker = overrides.sagemaker ?? sageMakerClient(timeouts);
  return {
    sagemaker,
    training: overrides.training ?? trainingAws(sagemaker, timeouts),
    deploy: overrides.deploy ?? deployAws(sagemaker),
    runtime: overrides.runtime ?? sageMakerRuntimeClient(timeouts),
    doctor: overrides.doctor ?? doctorAws({}, timeouts),
  };
}

/** The dataset an endpoint's model learnt, from the tags logtune put on it (undefined for someone else's endpoint). */
export function endpointDatasetFromTags(
  sagemaker: SageMakerClient,
): (endpointName: string) => Promise<string | undefined> {
  const hosting = new SageMakerHosting(sagemaker);
  return async (endpointName) => (await endpointOrigin(hosting, endpointName))?.datasetId;
}

/** The endpoint classifier for a dataset, with the bot's Runtime client and inference settings bound. */
export function endpointOpener(
  aws: BotAws,
  settings: { readonly inference: InferenceSettings; readonly hosting: HostingSettings },
  log: Log,
): (endpointName: string, dataset: StoredDataset) => ContextClassifier {
  return (endpointName, dataset) =>
    openEndpointClassifier({ endpointName, dataset, client: aws.runtime, settings, log });
}
