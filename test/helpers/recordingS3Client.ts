import { S3Client } from '@aws-sdk/client-s3';

/**
 * A path-style client for a loopback S3 (s3rver or a scripted server) that records the name of every command it
 * sends: shows which requests went through the SDK. One attempt only, so a test sees each request once.
 */
export function recordingS3Client(
  endpoint: string,
  credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
): { client: S3Client; commands: string[] } {
  const commands: string[] = [];
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { client, commands };
}
