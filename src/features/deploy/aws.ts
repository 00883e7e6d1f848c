import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { sageMakerClient } from '../../aws/clients.ts';
import { SageMakerHosting } from '../../aws/sagemakerHosting.ts';
import { sageMakerRegion } from '../../aws/sagemakerTraining.ts';
import type { Hosting } from '../../deploy/deployer.ts';

/** The AWS side of deploys as the bot uses it; tests pass their own (an in-memory SageMaker hosting). */
export interface DeployAws {
  readonly hosting: Hosting;
  /** The region endpoints run in (the SageMaker client's, from the SDK's own settings). */
  region(): Promise<string | undefined>;
}

export function deployAws(sagemaker: SageMakerClient = sageMakerClient()): DeployAws {
  return { hosting: new SageMakerHosting(sagemaker), region: () => sageMakerRegion(sagemaker) };
}
