import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetWorkGroupCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  UpdateWorkGroupCommand,
} from '@aws-sdk/client-athena';
import { z } from 'zod';
import { requestHandler, type AwsTimeouts } from './clients.ts';

/**
 * StartQueryExecution, GetQueryExecution, StopQueryExecution and the workgroup's per-query cutoff, with the answers
 * logtune acts on validated (zod) and named. Region, endpoint (AWS_ENDPOINT_URL_ATHENA) and credentials are the SDK's
 * own settings. Shapes from the service model (aws-sdk-js-v3, codegen/sdk-codegen/aws-models/athena.json):
 * QueryExecutionState is QUEUED | RUNNING | SUCCEEDED | FAILED | CANCELLED; Status.AthenaError carries ErrorCategory
 * (1 system, 2 user, 3 other), ErrorType, Retryable and ErrorMessage; Statistics.DataScannedInBytes is what is billed.
 */
export function athenaClient(timeouts?: AwsTimeouts): AthenaClient {
  return new AthenaClient({ requestHandler: requestHandler(timeouts) });
}

export const QUERY_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type QueryState = (typeof QUERY_STATES)[number];

export function isTerminal(state: QueryState): boolean {
  return state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED';
}

const executionSchema = z.object({
  QueryExecutionId: z.string().min(1),
  Status: z.object({
    State: z.enum(QUERY_STATES),
    StateChangeReason: z.string().optional(),
    AthenaError: z
      .object({
        ErrorCategory: z.number().int().optional(),
        ErrorType: z.number().int().optional(),
        Retryable: z.boolean().optional(),
        ErrorMessage: z.string().optional(),
      })
      .optional(),
  }),
  Statistics: z
    .object({
      DataScannedInBytes: z.number().nonnegative().optional(),
      EngineExecutionTimeInMillis: z.number().nonnegative().optional(),
      TotalExecutionTimeInMillis: z.number().nonnegative().optional(),
      QueryQueueTimeInMillis: z.number().nonnegative().optional(),
    })
    .optional(),
  ResultConfiguration: z.object({ OutputLocation: z.string().optional() }).optional(),
});

export interface QueryExecution {
  readonly id: string;
  readonly state: QueryState;
  /** StateChangeReason, or AthenaError's message when that says more. */
  readonly reason: string | undefined;
  /** ErrorCategory 2: the query itself (a bad file, bad SQL); 1 is Athena's side, 3 other. */
  readonly errorCategory: number | undefined;
  readonly retryable: boolean;
  readonly scannedBytes: number;
  readonly elapsedMs: number;
  readonly outputLocation: string | undefined;
}

export interface StartQuery {
  readonly sql: string;
  /**
   * Makes the start idempotent: "If another StartQueryExecution request is received, the same response is returned
   * and another query is not created" (StartQueryExecutionInput.ClientRequestToken, service model; 32 to 128
   * characters, IdempotencyToken). Derived from the build and the query, never from the clock.
   */
  readonly token: string;
  readonly workgroup: string;
  readonly database: string;
  /** s3://…/ where the query's result file goes (UNLOAD writes under its own TO location). */
  readonly outputLocation: string;
}

/** The operations the Athena engine uses: the adapter below, or a test's double. */
export interface AthenaApi {
  start(query: StartQuery, signal?: AbortSignal): Promise<string>;
  get(id: string, signal?: AbortSignal): Promise<QueryExecution>;
  stop(id: string, signal?: AbortSignal): Promise<void>;
  /** The workgroup's BytesScannedCutoffPerQuery (undefined: none). */
  cutoff(workgroup: string, signal?: AbortSignal): Promise<number | undefined>;
  setCutoff(workgroup: string, bytes: number, signal?: AbortSignal): Promise<void>;
}

export function athenaApi(client: AthenaClient): AthenaApi {
  return {
    async start(query, signal) {
      const answer = await client.send(
        new StartQueryExecutionCommand({
          QueryString: query.sql,
          ClientRequestToken: query.token,
          WorkGroup: query.workgroup,
          QueryExecutionContext: { Database: query.database },
          ResultConfiguration: { OutputLocation: query.outputLocation },
        }),
        { abortSignal: signal },
      );
      return z.object({ QueryExecutionId: z.string().min(1) }).parse(answer).QueryExecutionId;
    },
    async get(id, signal) {
      const answer = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: signal });
      const parsed = z.object({ QueryExecution: executionSchema }).parse(answer).QueryExecution;
      const error = parsed.Status.AthenaError;
      return {
        id: parsed.QueryExecutionId,
        state: parsed.Status.State,
        reason: error?.ErrorMessage ?? parsed.Status.StateChangeReason,
        errorCategory: error?.ErrorCategory,
        retryable: error?.Retryable === true,
        scannedBytes: parsed.Statistics?.DataScannedInBytes ?? 0,
        elapsedMs: parsed.Statistics?.TotalExecutionTimeInMillis ?? 0,
        outputLocation: parsed.ResultConfiguration?.OutputLocation,
      };
    },
    async stop(id, signal) {
      await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: signal });
    },
    async cutoff(workgroup, signal) {
      const answer = await client.send(new GetWorkGroupCommand({ WorkGroup: workgroup }), { abortSignal: signal });
      return z
        .object({
          WorkGroup: z.object({
            Configuration: z.object({ BytesScannedCutoffPerQuery: z.number().optional() }).optional(),
          }),
        })
        .parse(answer).WorkGroup.Configuration?.BytesScannedCutoffPerQuery;
    },
    async setCutoff(workgroup, bytes, signal) {
      await client.send(
        new UpdateWorkGroupCommand({
          WorkGroup: workgroup,
          ConfigurationUpdates: { BytesScannedCutoffPerQuery: bytes },
        }),
        { abortSignal: signal },
      );
    },
  };
}
