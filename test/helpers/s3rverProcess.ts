import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectLocalS3, type LocalS3 } from './s3rver.ts';

const CHILD = fileURLToPath(new URL('./s3rverChild.mjs', import.meta.url));

/**
 * Like `startLocalS3`, but the server runs in a child process with OpenSSL's legacy provider, which s3rver needs to
 * paginate listings (its continuation tokens are DES-encrypted). Waits at most `timeoutMs` for the port.
 */
export async function startLocalS3Process(buckets: readonly string[], timeoutMs = 15_000): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'logtune-s3p-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, directory, ...buckets], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`s3rver child did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
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
