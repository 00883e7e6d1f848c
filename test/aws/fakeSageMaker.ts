import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';

/**
 * A loopback SageMaker speaking its JSON 1.1 protocol: each DescribeTrainingJob for a job answers the next recorded
 * poll of its fixture (the last one repeats); CreateTrainingJob and StopTrainingJob answer what the test queued.
 * The real SDK client talks to it, so wire timestamps, error names and messages go through the SDK's own parsing.
 */
export interface FakeAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface FakeSageMaker {
  readonly client: SageMakerClient;
  /** Requests received: operation and parsed body. */
  readonly requests: { operation: string; body: Record<string, unknown> }[];
  loadSequence(fixture: string): string;
  answerNext(operation: 'CreateTrainingJob' | 'StopTrainingJob', answer: FakeAnswer): void;
  close(): Promise<void>;
}

export function loadFixture(fixture: string): { polls: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(new URL(`../fixtures/sagemaker/${fixture}`, import.meta.url), 'utf8')) as {
    polls: Record<string, unknown>[];
  };
}

export const awsError = (type: string, message: string, status = 400): FakeAnswer => ({
  status,
  body: { __type: type, Message: message },
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeSageMaker(): Promise<FakeSageMaker> {
  const sequences = new Map<string, { polls: Record<string, unknown>[]; next: number }>();
  const queued = new Map<string, FakeAnswer[]>();
  const requests: { operation: string; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^SageMaker\./, '');
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      requests.push({ operation, body });
      let answer: FakeAnswer;
      if (operation === 'DescribeTrainingJob') {
        const sequence = sequences.get(String(body.TrainingJobName));
        if (sequence === undefined) answer = awsError('ResourceNotFound', `Requested resource not found.`);
        else {
          answer = { status: 200, body: sequence.polls[Math.min(sequence.next, sequence.polls.length - 1)] };
          sequence.next++;
        }
      } else {
        answer = queued.get(operation)?.shift() ?? {
          status: 200,
          body:
            operation === 'CreateTrainingJob'
              ? { TrainingJobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/x' }
              : {},
        };
      }
      res.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': 'fake-request-id',
      });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new SageMakerClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
    maxAttempts: 1,
  });
  return {
    client,
    requests,
    loadSequence(fixture) {
      const { polls } = loadFixture(fixture);
      const name = String(polls[0]!.TrainingJobName);
      sequences.set(name, { polls, next: 0 });
      return name;
    },
    answerNext(operation, answer) {
      queued.set(operation, [...(queued.get(operation) ?? []), answer]);
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
