import { createHash } from 'node:crypto';
import type {
  CreateEndpointConfigInput,
  CreateEndpointInput,
  CreateModelInput,
  ProductionVariantInstanceType,
  Tag,
} from '@aws-sdk/client-sagemaker';
import { UsageError } from '../errors.ts';
import type { HostingConfig } from './hosting.ts';

/**
 * The three SageMaker requests that host a fine-tuned model (shared/reference/aws.md §3.2), as pure data. Names come
 * from the deploy request id alone, so a retried or repeated approval asks for the same resources again and
 * SageMaker's "already existing" answer makes it harmless. Tags tie the endpoint back to its training job and
 * dataset, where its labels live.
 */
/** Every name a deploy gives (model, endpoint config, endpoint) starts with it. */
export const ENDPOINT_PREFIX = 'logtune-';

export const TAG_KEYS = Object.freeze({
  deployRequest: 'logtune:deploy-request',
  dataset: 'logtune:dataset',
  trainingJob: 'logtune:training-job',
});

export interface DeployRequest {
  /** The deploy request's own id (one per approval message): every name derives from it. */
  readonly requestId: string;
  readonly trainingJobName: string;
  readonly datasetId: string;
  /** `DescribeTrainingJob.ModelArtifacts.S3ModelArtifacts`: a prefix (uncompressed output) or a .tar.gz. */
  readonly modelArtifacts: string;
  readonly roleArn: string;
  /** The JumpStart model the job fine-tuned, tagged as the Python SDK tags it. */
  readonly jumpstart?: { readonly modelId: string; readonly version: string };
}

export interface DeployNames {
  readonly model: string;
  readonly endpointConfig: string;
  readonly endpoint: string;
}

export interface DeployInputs {
  readonly names: DeployNames;
  readonly createModel: CreateModelInput;
  readonly createEndpointConfig: CreateEndpointConfigInput;
  readonly createEndpoint: CreateEndpointInput;
}

const MAX_NAME = 63;
const PREFIX = ENDPOINT_PREFIX;

/**
 * A SageMaker name (`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`) for a request id. Ids that do not fit as they are get a
 * short hash of the original, so two ids never share a name. Model, endpoint config and endpoint live in separate
 * namespaces, so all three share it, as the Python SDK's deploy() does.
 */
export function deployNames(requestId: string): DeployNames {
  const cleaned = requestId.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  let name = `${PREFIX}${cleaned}`;
  if (cleaned !== requestId || name.length > MAX_NAME) {
    const hash = createHash('sha256').update(requestId).digest('hex').slice(0, 8);
    const room = MAX_NAME - PREFIX.length - hash.length - 1;
    const kept = cleaned.slice(0, room).replace(/-+$/, '');
    name = `${PREFIX}${kept}${kept === '' ? '' : '-'}${hash}`;
  }
  return { model: name, endpointConfig: name, endpoint: name };
}

/** Where SageMaker loads the model from: an uncompressed output is a prefix (with its `/`), a .tar.gz a file. */
export function modelData(
  artifacts: string,
): Pick<NonNullable<CreateModelInput['PrimaryContainer']>, 'ModelDataUrl' | 'ModelDataSource'> {
  if (!/^s3:\/\/[^/]+\/./.test(artifacts))
    throw new UsageError(`the training job's model artifacts are not an S3 location: ${artifacts}`);
  if (artifacts.endsWith('.tar.gz')) return { ModelDataUrl: artifacts };
  const prefix = artifacts.endsWith('/') ? artifacts : `${artifacts}/`;
  return { ModelDataSource: { S3DataSource: { S3Uri: prefix, S3DataType: 'S3Prefix', CompressionType: 'None' } } };
}

export function deployTags(request: DeployRequest): Tag[] {
  return [
    { Key: TAG_KEYS.deployRequest, Value: request.requestId },
    { Key: TAG_KEYS.dataset, Value: request.datasetId },
    { Key: TAG_KEYS.trainingJob, Value: request.trainingJobName },
    ...(request.jumpstart === undefined
      ? []
      : [
          { Key: 'sagemaker-sdk:jumpstart-model-id', Value: request.jumpstart.modelId },
          { Key: 'sagemaker-sdk:jumpstart-model-version', Value: request.jumpstart.version },
        ]),
  ];
}

export function deployInputs(request: DeployRequest, hosting: HostingConfig): DeployInputs {
  const names = deployNames(request.requestId);
  const tags = deployTags(request);
  return {
    names,
    createModel: {
      ModelName: names.model,
      ExecutionRoleArn: request.roleArn,
      PrimaryContainer: {
        Image: hosting.image,
        Environment: { ...hosting.environment },
        ...modelData(request.modelArtifacts),
      },
      // As the spec says (weights come from S3, the image from ECR); on for quotes that predate recording it.
      EnableNetworkIsolation: hosting.networkIsolation ?? true,
      Tags: tags,
    },
    createEndpointConfig: {
      EndpointConfigName: names.endpointConfig,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: names.model,
          InitialVariantWeight: 1,
          InitialInstanceCount: 1,
          // A type newer than this SDK's list is still sent as given.
          InstanceType: hosting.instanceType as ProductionVariantInstanceType,
          ...(hosting.modelDataDownloadTimeoutSeconds !== undefined || hosting.startupTimeoutSeconds !== undefined
            ? {
                ModelDataDownloadTimeoutInSeconds:
                  hosting.modelDataDownloadTimeoutSeconds ?? hosting.startupTimeoutSeconds,
              }
            : {}),
          ...(hosting.startupTimeoutSeconds !== undefined && {
            ContainerStartupHealthCheckTimeoutInSeconds: hosting.startupTimeoutSeconds,
          }),
        },
      ],
      Tags: tags,
    },
    createEndpoint: { EndpointName: names.endpoint, EndpointConfigName: names.endpointConfig, Tags: tags },
  };
}
