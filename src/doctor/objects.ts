import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { parseStorageUri } from '../objectStore/uri.ts';
import { errorText } from './awsErrors.ts';
import { fail, ok, type Check } from './check.ts';
import type { DoctorContext } from './context.ts';

/** Why the object at `uri` cannot be read (HeadObject), or undefined when it exists. */
export async function missingObject(ctx: DoctorContext, uri: string, signal: AbortSignal): Promise<string | undefined> {
  const { bucket, prefix } = parseStorageUri(uri) as { bucket: string; prefix: string };
  const key = prefix.replace(/\/$/, '');
  try {
    await ctx.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return undefined;
  } catch (error) {
    return `${uri}: ${errorText(error)}`;
  }
}

/** For `deploy`: the training job's model.tar.gz, which the endpoint's model is made of, is still there. */
export function modelArtifactsCheck(uri: string): Check<DoctorContext> {
  return {
    name: 'model artifacts',
    uses: ['deploy'],
    async run(ctx, signal) {
      const problem = await missingObject(ctx, uri, signal);
      if (problem === undefined) return ok(`${uri} exists`);
      return fail(
        problem,
        "the job's output was moved or deleted, or the bot may not read it: allow s3:GetObject on the artifacts location (docs/iam.md)",
      );
    },
  };
}
