import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

/**
 * A loopback stand-in for the SageMaker Runtime HTTP API (restJson1): records each InvokeEndpoint request and
 * answers with the next scripted reply, so tests see what the real SDK serialises and how it reads real error
 * responses (status, `x-amzn-ErrorType`, JSON body).
 */
export interface RecordedInvoke {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Reply =
  | { readonly status: number; readonly body: string; readonly errorType?: string }
  /** Never answers (until the server closes): for timeouts. */
  | { readonly hang: true };

export interface FakeRuntime {
  readonly client: SageMakerRuntimeClient;
  readonly requests: RecordedInvoke[];
  reply(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startFakeRuntime(): Promise<FakeRuntime> {
  const requests: RecordedInvoke[] = [];
  const queue: Reply[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = queue.shift() ?? {
        status: 500,
        body: '{"message":"no reply scripted"}',
        errorType: 'InternalFailure',
      };
      if ('hang' in reply) return;
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        ...(reply.errorType === undefined ? {} : { 'x-amzn-errortype': reply.errorType }),
      });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new SageMakerRuntimeClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  return {
    client,
    requests,
    reply: (...replies) => void queue.push(...replies),
    close: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
