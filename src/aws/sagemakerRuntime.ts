import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { z } from 'zod';
import { CancelledError } from '../errors.ts';
import { isThrottling } from './throttling.ts';

/**
 * InvokeEndpoint for a text-generation endpoint, thin: one request in, one outcome out. Every way a call can go
 * wrong is an outcome, not an exception (the classifier decides what to retry and what to report); only
 * cancellation by the caller rejects. The response is checked with zod: TGI answers `[{"generated_text"}]`, the
 * legacy DJL containers `[{"generation"}]` (shared/reference/aws.md §3.3); anything else is garbage.
 */
export interface TextGenerationRequest {
  readonly inputs: string;
  readonly parameters: {
    readonly max_new_tokens: number;
    readonly do_sample: false;
    readonly return_full_text: false;
    readonly stop: readonly string[];
    readonly details: false;
  };
}

export type InvokeOutcome =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'garbage'; readonly bytes: number }
  /** The container answered an error: SageMaker's ModelError, HTTP 424, with the container's own status. */
  | { readonly kind: 'model_error'; readonly status: number | undefined; readonly originalStatus: number | undefined }
  | { readonly kind: 'throttled' }
  | { readonly kind: 'not_ready' }
  | { readonly kind: 'timeout' }
  | {
      readonly kind: 'failed';
      readonly name: string;
      readonly status: number | undefined;
      /** Only for a request that never got an answer (no region, no credentials, connection refused): the SDK's or
       * Node's own words, never anything the model said. */
      readonly message?: string;
    };

export type Invoke = (
  endpointName: string,
  request: TextGenerationRequest,
  signal?: AbortSignal,
) => Promise<InvokeOutcome>;

/** Greedy decoding of a short answer that ends at the first newline. */
export function textGenerationRequest(prompt: string, maxNewTokens: number): TextGenerationRequest {
  return {
    inputs: prompt,
    parameters: {
      max_new_tokens: maxNewTokens,
      do_sample: false,
      return_full_text: false,
      stop: ['\n'],
      details: false,
    },
  };
}

const generated = z.union([
  z
    .array(z.object({ generated_text: z.string() }))
    .min(1)
    .transform((items) => items[0]!.generated_text),
  z
    .array(z.object({ generation: z.string() }))
    .min(1)
    .transform((items) => items[0]!.generation),
  z.object({ generated_text: z.string() }).transform((item) => item.generated_text),
]);

const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

export function classifyInvokeError(error: unknown): Exclude<InvokeOutcome, { kind: 'text' | 'garbage' }> {
  const e = (error ?? {}) as {
    name?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
    OriginalStatusCode?: unknown;
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = e.$metadata?.httpStatusCode;
  const originalStatus = typeof e.OriginalStatusCode === 'number' ? e.OriginalStatusCode : undefined;
  if (name === 'ModelError' || status === 424) {
    // TGI answers 429 when more requests are queued than it accepts: the model is busy, not broken.
    if (originalStatus === 429) return { kind: 'throttled' };
    return { kind: 'model_error', status, originalStatus };
  }
  // Before the status: SageMaker answers "not ready" with HTTP 429 too.
  if (name === 'ModelNotReadyException') return { kind: 'not_ready' };
  // "Slow down" in any of its forms, ServiceUnavailable (503) included, as the tracker service reads them.
  if (isThrottling(error)) return { kind: 'throttled' };
  if (TIMEOUTS.has(name)) return { kind: 'timeout' };
  const message = (error as { message?: unknown } | undefined)?.message;
  return {
    kind: 'failed',
    name,
    status,
    ...(status === undefined && typeof message === 'string' && message !== '' && { message: message.slice(0, 200) }),
  };
}

export function parseGenerated(body: Uint8Array | undefined): InvokeOutcome {
  const bytes = body?.byteLength ?? 0;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return { kind: 'garbage', bytes };
  }
  const parsed = generated.safeParse(json);
  return parsed.success ? { kind: 'text', text: parsed.data } : { kind: 'garbage', bytes };
}

const isTimeout = (reason: unknown): boolean => (reason as { name?: unknown } | undefined)?.name === 'TimeoutError';

/**
 * The SDK is given the signal too, but the outcome does not wait for it to notice: when the signal fires the call
 * is over, as a timeout if the signal's reason is one (AbortSignal.timeout), otherwise as a cancellation.
 */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  work.catch(() => undefined); // settles after the race is decided; nobody else awaits it
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

export function runtimeInvoker(client: SageMakerRuntimeClient): Invoke {
  return async (endpointName, request, signal) => {
    const command = new InvokeEndpointCommand({
      EndpointName: endpointName,
      ContentType: 'application/json',
      Accept: 'application/json',
      // Needed by the legacy DJL Llama 2 endpoints, ignored by TGI.
      CustomAttributes: 'accept_eula=true',
      Body: new TextEncoder().encode(JSON.stringify(request)),
    });
    try {
      // Promise.resolve: a stubbed client may answer synchronously.
      const output = await untilAborted(Promise.resolve(client.send(command, { abortSignal: signal })), signal);
      return parseGenerated(output.Body);
    } catch (error) {
      if (signal?.aborted) {
        if (isTimeout(signal.reason)) return { kind: 'timeout' };
        throw new CancelledError();
      }
      return classifyInvokeError(error);
    }
  };
}
