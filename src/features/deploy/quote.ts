import { z } from 'zod';

/**
 * What a deploy approval shows and what the creates then use, frozen when the request is made: the endpoint is
 * created with exactly the image, settings and price the approver saw, whatever the settings say by then. Stored as
 * JSON and parsed back with this schema.
 */
export const deployQuoteSchema = z.object({
  trainingJobName: z.string(),
  /** Who asked for the training job. */
  trainedBy: z.string(),
  datasetId: z.string(),
  modelArtifacts: z.string(),
  roleArn: z.string(),
  region: z.string(),
  jumpstartVersion: z.string(),
  /** Absent in quotes made before the model id was recorded: logtune's one model then. */
  jumpstartModelId: z.string().optional(),
  hosting: z.object({
    image: z.string(),
    environment: z.record(z.string(), z.string()),
    instanceType: z.string(),
    startupTimeoutSeconds: z.number().int().positive().optional(),
    modelDataDownloadTimeoutSeconds: z.number().int().positive().optional(),
    networkIsolation: z.boolean().optional(),
  }),
  instanceCount: z.number().int().positive(),
  usdPerHour: z.number().positive(),
  priceNote: z.string(),
});

export type DeployQuote = z.infer<typeof deployQuoteSchema>;

export function parseDeployQuote(json: string): DeployQuote | undefined {
  try {
    const parsed = deployQuoteSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
