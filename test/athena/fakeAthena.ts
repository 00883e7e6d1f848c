import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AthenaClient } from '@aws-sdk/client-athena';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { LocalS3 } from '../helpers/s3rver.ts';

/**
 * A loopback Athena speaking its wire protocol: awsJson1_1 (POST /, Content-Type application/x-amz-json-1.1,
 * X-Amz-Target AmazonAthena.<Operation>), errors as `{ "__type": …, "Message": … }` with HTTP 400. Shapes, limits and
 * error names are the service model's (aws-sdk-js-v3, codegen/sdk-codegen/aws-models/athena.json):
 *
 * - StartQueryExecution: ClientRequestToken is an IdempotencyToken of 32 to 128 characters; the same token answers
 *   the same QueryExecutionId and starts nothing, and "an error is returned if a parameter, such as QueryString, has
 *   changed" (StartQueryExecutionInput docs) — InvalidRequestException here;
 * - GetQueryExecution: QueryExecution.Status.State is QUEUED | RUNNING | SUCCEEDED | FAILED | CANCELLED, AthenaError
 *   { ErrorCategory, ErrorType, Retryable, ErrorMessage }, Statistics.DataScannedInBytes; an unknown id is an
 *   InvalidRequestException;
 * - StopQueryExecution is idempotent (`smithy.api#idempotent`): stopping an ended query answers {};
 * - UpdateWorkGroup: BytesScannedCutoffPerQuery is a BytesScannedCutoffValue, `range { min: 10000000 }`.
 *
 * Each query goes QUEUED → RUNNING → its end, one state per GetQueryExecution; the end is what the test's executor
 * says when the query reaches it (it may write UNLOAD output to s3rver, and the fake then writes the manifest
 * `<OutputLocation><id>-manifest.csv` listing those files, as Athena does for UNLOAD).
 */
export interface ExecutionResult {
  readonly scannedBytes: number;
  /** FAILED with this message (Athena's ErrorCategory 2: the query's fault, e.g. a file it cannot read). */
  readonly failure?: string;
  /** s3:// URIs the query wrote (UNLOAD): listed in the manifest. */
  readonly files?: readonly string[];
}

export type Executor = (query: {
  id: string;
  sql: string;
  database: string;
  workGroup: string;
}) => Promise<ExecutionResult>;

interface Query {
  readonly id: string;
  readonly sql: string;
  readonly token: string;
  readonly database: string;
  readonly workGroup: string;
  readonly outputLocation: string;
  /** Polls before RUNNING and before the end. */
  step: number;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  result?: ExecutionResult;
  reason?: string;
  submitted: number;
}

export interface FakeAthena {
  readonly endpoint: string;
  readonly client: AthenaClient;
  /** Every request: operation and body. */
  readonly requests: { operation: string; body: Record<string, unknown> }[];
  readonly queries: Map<string, Query>;
  /** Workgroups' BytesScannedCutoffPerQuery as last updated. */
  readonly cutoffs: Map<string, number>;
  count(operation: string): number;
  /** How many polls a query stays QUEUED, then RUNNING (default 1 and 1). */
  pace(queued: number, running: number): void;
  /** Holds the queries whose SQL passes RUNNING until released with false (a restart mid-query). */
  hold(held: boolean | ((sql: string) => boolean)): void;
  close(): Promise<void>;
}

class AthenaWireError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Where the loopback Athena writes a query's manifest: its s3:// location in an s3rver bucket (the results bucket). */
export function manifestWriter(s3: () => LocalS3, bucket: string): (uri: string, body: string) => Promise<void> {
  return async (uri, body) => {
    await s3().client.send(
      new PutObjectCommand({ Bucket: bucket, Key: uri.slice(`s3://${bucket}/`.length), Body: body }),
    );
  };
}

export async function startFakeAthena(
  executor: Executor,
  writeManifest: (uri: string, body: string) => Promise<void>,
): Promise<FakeAthena> {
  const queries = new Map<string, Query>();
  const byToken = new Map<string, string>();
  const cutoffs = new Map<string, number>();
  const requests: { operation: string; body: Record<string, unknown> }[] = [];
  let queuedPolls = 1;
  let runningPolls = 1;
  let held: (sql: string) => boolean = () => false;

  async function advance(q: Query): Promise<void> {
    if (q.state === 'QUEUED') {
      if (++q.step >= queuedPolls) {
        q.state = 'RUNNING';
        q.step = 0;
      }
      return;
    }
    if (q.state !== 'RUNNING' || held(q.sql)) return;
    if (++q.step < runningPolls) return;
    const result = await executor({ id: q.id, sql: q.sql, database: q.database, workGroup: q.workGroup });
    q.result = result;
    if (result.failure !== undefined) {
      q.state = 'FAILED';
      q.reason = result.failure;
      return;
    }
    if (/^\s*UNLOAD\b/i.test(q.sql)) {
      await writeManifest(
        `${q.outputLocation}${q.id}-manifest.csv`,
        (result.files ?? []).map((f) => `${f}\n`).join(''),
      );
    }
    q.state = 'SUCCEEDED';
  }

  function describe(q: Query): Record<string, unknown> {
    const scanned = q.result?.scannedBytes ?? 0;
    return {
      QueryExecutionId: q.id,
      Query: q.sql,
      StatementType: /^\s*(CREATE|DROP|ALTER)\b/i.test(q.sql) ? 'DDL' : 'DML',
      WorkGroup: q.workGroup,
      QueryExecutionContext: { Database: q.database },
      ResultConfiguration: { OutputLocation: `${q.outputLocation}${q.id}.csv` },
      Status: {
        State: q.state,
        SubmissionDateTime: q.submitted / 1000,
        ...(q.reason !== undefined && { StateChangeReason: q.reason }),
        ...(q.state === 'FAILED' && {
          AthenaError: { ErrorCategory: 2, ErrorType: 1000, Retryable: false, ErrorMessage: q.reason },
        }),
      },
      Statistics: {
        DataScannedInBytes: q.state === 'RUNNING' ? 0 : scanned,
        TotalExecutionTimeInMillis: Date.now() - q.submitted,
        EngineExecutionTimeInMillis: 0,
        QueryQueueTimeInMillis: 0,
      },
    };
  }

  async function handle(operation: string, body: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'StartQueryExecution': {
        const token = body.ClientRequestToken;
        if (typeof token !== 'string' || token.length < 32 || token.length > 128)
          throw new AthenaWireError('InvalidRequestException', 'ClientRequestToken must be 32 to 128 characters');
        const sql = String(body.QueryString ?? '');
        const existing = byToken.get(token);
        if (existing !== undefined) {
          if (queries.get(existing)!.sql !== sql)
            throw new AthenaWireError(
              'InvalidRequestException',
              'Idempotent parameters do not match: the ClientRequestToken was used with another QueryString',
            );
          return { QueryExecutionId: existing };
        }
        const id = randomUUID();
        const output = (body.ResultConfiguration as { OutputLocation?: string } | undefined)?.OutputLocation;
        if (output === undefined) throw new AthenaWireError('InvalidRequestException', 'No output location provided');
        queries.set(id, {
          id,
          sql,
          token,
          database: String((body.QueryExecutionContext as { Database?: string } | undefined)?.Database ?? 'default'),
          workGroup: String(body.WorkGroup ?? 'primary'),
          outputLocation: output.endsWith('/') ? output : `${output}/`,
          step: 0,
          state: 'QUEUED',
          submitted: Date.now(),
        });
        byToken.set(token, id);
        return { QueryExecutionId: id };
      }
      case 'GetQueryExecution': {
        const q = queries.get(String(body.QueryExecutionId));
        if (q === undefined)
          throw new AthenaWireError(
            'InvalidRequestException',
            `QueryExecution ${String(body.QueryExecutionId)} was not found`,
          );
        await advance(q);
        return { QueryExecution: describe(q) };
      }
      case 'StopQueryExecution': {
        const q = queries.get(String(body.QueryExecutionId));
        if (q === undefined)
          throw new AthenaWireError(
            'InvalidRequestException',
            `QueryExecution ${String(body.QueryExecutionId)} was not found`,
          );
        if (q.state === 'QUEUED' || q.state === 'RUNNING') {
          q.state = 'CANCELLED';
          q.reason = 'Query cancelled by user';
        }
        return {};
      }
      case 'GetWorkGroup': {
        const name = String(body.WorkGroup);
        const cutoff = cutoffs.get(name);
        return {
          WorkGroup: {
            Name: name,
            State: 'ENABLED',
            Configuration: cutoff === undefined ? {} : { BytesScannedCutoffPerQuery: cutoff },
          },
        };
      }
      case 'UpdateWorkGroup': {
        const updates = body.ConfigurationUpdates as { BytesScannedCutoffPerQuery?: number } | undefined;
        const cutoff = updates?.BytesScannedCutoffPerQuery;
        if (cutoff !== undefined) {
          if (!Number.isInteger(cutoff) || cutoff < 10_000_000)
            throw new AthenaWireError(
              'InvalidRequestException',
              `BytesScannedCutoffPerQuery must be at least 10000000, got ${cutoff}`,
            );
          cutoffs.set(String(body.WorkGroup), cutoff);
        }
        return {};
      }
      default:
        throw new AthenaWireError('UnknownOperationException', `the fake does not implement ${operation}`);
    }
  }

  const server: Server = createServer((req, res) => {
    void readBody(req).then(async (text) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.replace(/^AmazonAthena\./, '');
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      requests.push({ operation, body });
      let status = 200;
      let answer: unknown;
      if (!target.startsWith('AmazonAthena.') || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
        status = 400;
        answer = { __type: 'UnknownOperationException', Message: `not an Athena request: ${target}` };
      } else {
        try {
          answer = await handle(operation, body);
        } catch (error) {
          status = 400;
          answer =
            error instanceof AthenaWireError
              ? { __type: error.type, Message: error.message }
              : { __type: 'InternalServerException', Message: (error as Error).message };
          if (!(error instanceof AthenaWireError)) status = 500;
        }
      }
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new AthenaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' },
    maxAttempts: 1,
  });
  return {
    endpoint,
    client,
    requests,
    queries,
    cutoffs,
    count: (operation) => requests.filter((r) => r.operation === operation).length,
    pace(queued, running) {
      queuedPolls = queued;
      runningPolls = running;
    },
    hold(value) {
      held = typeof value === 'function' ? value : () => value;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
