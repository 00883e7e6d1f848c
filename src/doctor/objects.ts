import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
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

/** Why nothing is stored under the prefix `uri` (an uncompressed model's folder), or undefined when something is. */
async function emptyPrefix(ctx: DoctorContext, uri: string, signal: AbortSignal): Promise<string | undefined> {
  const { bucket, prefix } = parseStorageUri(uri.endsWith('/') ? uri : `${uri}/`) as { bucket: string; prefix: string };
  try {
    const listed = await ctx.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }), {
      abortSignal: signal,
    });
    return (listed.KeyCount ?? listed.Contents?.length ?? 0) > 0 ? undefined : `no object under ${uri}`;
  } catch (error) {
    return `${uri}: ${errorText(error)}`;
  }
}

/**
 * For `deploy`: the training job's model, which the endpoint is made of, is still there — a model.tar.gz, or the
 * folder of an uncompressed output (as deploy/requests.ts modelData reads the job's S3ModelArtifacts).
 */
export function modelArtifactsCheck(uri: string): Check<DoctorContext> {
  return {
    name: 'model artifacts',
    uses: ['deploy'],
    async run(ctx, signal) {
      const problem = uri.endsWith('.tar.gz')
        ? await missingObject(ctx, uri, signal)
        : await emptyPrefix(ctx, uri, signal);
      if (problem === undefined) return ok(`${uri} exists`);
      return fail(
        problem,
        "the job's output was moved or deleted, or the bot may not read it: allow s3:GetObject and s3:ListBucket on the artifacts location (docs/iam.md)",
      );
    },
  };
}
