import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';

export interface LocalS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  /** The AWS SDK's own settings that point every default client (the app's included) at this server. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./s3rverChild.mjs', import.meta.url));

/**
 * An s3rver on a free loopback port with the given buckets, files in a temp directory removed on close. It runs in
 * a child process with OpenSSL's legacy provider, which s3rver needs to paginate listings (its continuation tokens
 * are DES-encrypted); in-process it fails past 1,000 keys. Waits at most `timeoutMs` for the port.
 */
export async function startLocalS3(buckets: readonly string[], timeoutMs = 15_000): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'logtune-s3-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, directory, ...buckets], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => reject(new Error(`s3rver child did not start within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver child exited with code ${code}: ${stderr}`));
    });
  });
  const { endpoint, client, env } = connectLocalS3(port);
  return {
    endpoint,
    client,
    env,
    async close() {
      client.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        // Bounded: a child that ignores SIGTERM is killed outright after 5 s.
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A client for an s3rver on a loopback port, and the SDK settings that point default clients at it. */
function connectLocalS3(port: number): Omit<LocalS3, 'close'> {
  const endpoint = `http://127.0.0.1:${port}`;
  const env = {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    // s3rver predates the SDK's default CRC checksums on uploads.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  const client = new S3Client({
    endpoint,
    region: env.AWS_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return { endpoint, client, env };
}
