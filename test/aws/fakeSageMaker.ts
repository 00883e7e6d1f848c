import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
  /** Where the fake listens: AWS_ENDPOINT_URL_SAGEMAKER for clients the code under test builds itself. */
  readonly endpoint: string;
  /** Requests received: operation and parsed body. */
  readonly requests: { operation: string; body: Record<string, unknown> }[];
  loadSequence(fixture: string): string;
  answerNext(operation: string, answer: FakeAnswer): void;
  /**
   * From now on a CreateTrainingJob (with no answer queued) makes a job of its name and tags, whose describes follow
   * this fixture; a second create of the name answers ResourceInUse, as SageMaker does (aws.md §5.5). Jobs made so
   * also answer ListTrainingJobs and ListTags.
   */
  runJobs(fixture: string): void;
  /** The next `count` requests of `operation` are acted on (a create creates) but never answered. */
  hang(operation: string, count?: number): void;
  /** How many requests of `operation` arrived (for `name`, when given: its TrainingJobName). */
  count(operation: string, name?: string): number;
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
  const created = new Map<string, { arn: string; tags: unknown[] }>();
  const hanging = new Map<string, number>();
  const unanswered: ServerResponse[] = [];
  let jobsFixture: string | undefined;
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^SageMaker\./, '');
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      requests.push({ operation, body });
      let answer: FakeAnswer;
      const queuedAnswer = queued.get(operation)?.shift();
      if (queuedAnswer) answer = queuedAnswer;
      else if (operation === 'CreateTrainingJob' && jobsFixture !== undefined) {
        answer = createJob(body, jobsFixture);
      } else if (operation === 'ListTrainingJobs') {
        answer = { status: 200, body: { TrainingJobSummaries: listJobs(body) } };
      } else if (operation === 'ListEndpoints') {
        answer = { status: 200, body: { Endpoints: [] } }; // this fake hosts nothing
      } else if (operation === 'ListTags') {
        const job = [...created.values()].find((j) => j.arn === body.ResourceArn);
        answer = { status: 200, body: { Tags: job?.tags ?? [] } };
      } else if (operation === 'DescribeTrainingJob') {
        const sequence = sequences.get(String(body.TrainingJobName));
        if (sequence === undefined) answer = awsError('ResourceNotFound', `Requested resource not found.`);
        else {
          answer = { status: 200, body: sequence.polls[Math.min(sequence.next, sequence.polls.length - 1)] };
          sequence.next++;
        }
      } else {
        answer = {
          status: 200,
          body:
            operation === 'CreateTrainingJob'
              ? { TrainingJobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/x' }
              : {},
        };
      }
      const hangs = hanging.get(operation) ?? 0;
      if (hangs > 0) {
        hanging.set(operation, hangs - 1);
        unanswered.push(res); // the request was acted on; its answer never leaves
        return;
      }
      res.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': 'fake-request-id',
      });
      res.end(JSON.stringify(answer.body));
    });
  });
  const arnOf = (name: string) => `arn:aws:sagemaker:us-east-1:111122223333:training-job/${name}`;
  function createJob(body: Record<string, unknown>, fixture: string): FakeAnswer {
    const name = String(body.TrainingJobName);
    if (created.has(name))
      return awsError(
        'ResourceInUse',
        `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arnOf(name)})`,
      );
    const { polls } = loadFixture(fixture);
    const renamed = JSON.parse(JSON.stringify(polls).replaceAll(String(polls[0]!.TrainingJobName), name)) as Record<
      string,
      unknown
    >[];
    sequences.set(name, { polls: renamed, next: 0 });
    created.set(name, { arn: arnOf(name), tags: (body.Tags as unknown[] | undefined) ?? [] });
    return { status: 200, body: { TrainingJobArn: arnOf(name) } };
  }
  // ListTrainingJobs' TrainingJobSummary (aws-sdk-js-v3 codegen/sdk-codegen/aws-models/sagemaker.json): epoch seconds.
  function listJobs(body: Record<string, unknown>): unknown[] {
    return [...created.keys()].flatMap((name) => {
      const sequence = sequences.get(name)!;
      const poll = sequence.polls[Math.min(sequence.next, sequence.polls.length - 1)]!;
      if (typeof body.NameContains === 'string' && !name.includes(body.NameContains)) return [];
      if (body.StatusEquals !== undefined && poll.TrainingJobStatus !== body.StatusEquals) return [];
      return [
        {
          TrainingJobName: name,
          TrainingJobArn: arnOf(name),
          CreationTime: poll.CreationTime,
          TrainingJobStatus: poll.TrainingJobStatus,
          SecondaryStatus: poll.SecondaryStatus,
        },
      ];
    });
  }
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
    endpoint: `http://127.0.0.1:${port}`,
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
    runJobs(fixture) {
      jobsFixture = fixture;
    },
    hang(operation, count = 1) {
      hanging.set(operation, (hanging.get(operation) ?? 0) + count);
    },
    count: (operation, name) =>
      requests.filter((r) => r.operation === operation && (name === undefined || r.body.TrainingJobName === name))
        .length,
    async close() {
      client.destroy();
      for (const res of unanswered) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
