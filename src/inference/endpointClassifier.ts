import { setTimeout as delay } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import {
  classifyInvokeError,
  textGenerationRequest,
  type Invoke,
  type InvokeOutcome,
  type TextGenerationRequest,
} from '../aws/sagemakerRuntime.ts';
import { answerLabel } from '../dataset/examples/answer.ts';
import { CancelledError, throwIfAborted } from '../errors.ts';
import type { Log } from '../log.ts';
import { classificationPrompt } from './prompt.ts';
import { shortenAnswer } from './shortenAnswer.ts';
import type { ContextClassifier, Verdict } from './types.ts';

/**
 * A fine-tuned endpoint as a ContextClassifier. Each context becomes the training prompt (cut to the token limit),
 * calls run a few at a time, each attempt has its own deadline, and only throttling is retried (with backoff and
 * jitter). The model's text is trusted for nothing but a label: an answer naming one of the dataset's labels in the
 * trained form gives that label, anything else is "unrecognised" with the text shortened. One bad line never fails
 * the others. Logs carry counts and sizes, never pasted text or model output.
 */
export type EndpointError =
  'unrecognised' | 'bad_response' | 'model_error' | 'timeout' | 'throttled' | 'not_ready' | 'failed';

export interface EndpointVerdict extends Verdict {
  readonly error?: EndpointError;
  /** Why there is no label, from codes and counts only (nothing pasted, nothing the model said). */
  readonly detail?: string;
  /** Context tokens cut to fit the prompt limit. */
  readonly cutTokens?: number;
}

export interface EndpointClassifierOptions {
  readonly endpointName: string;
  readonly labels: readonly string[];
  readonly invoke: Invoke;
  readonly maxPromptTokens: number;
  readonly maxNewTokens: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Attempts per line when throttled (default 4). */
  readonly maxAttempts?: number;
  /** Full-jitter exponential backoff between throttled attempts. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly random?: () => number;
  readonly log?: Log;
}

export class EndpointClassifier implements ContextClassifier {
  readonly name: string;
  readonly labels: readonly string[];
  private readonly known: ReadonlySet<string>;
  // One limit per endpoint, shared by concurrent classify() calls (several triage messages at once).
  private readonly limit: LimitFunction;

  constructor(private readonly options: EndpointClassifierOptions) {
    this.name = `endpoint:${options.endpointName}`;
    this.labels = Object.freeze([...options.labels]);
    this.known = new Set(options.labels);
    this.limit = pLimit(options.concurrency);
    classificationPrompt('', options.maxPromptTokens); // refuses a limit no prompt fits, now rather than per line
  }

  async classify(contexts: readonly string[], signal?: AbortSignal): Promise<EndpointVerdict[]> {
    throwIfAborted(signal);
    const started = Date.now();
    const verdicts = await Promise.all(contexts.map((context) => this.limit(() => this.classifyOne(context, signal))));
    const errors: Record<string, number> = {};
    for (const v of verdicts) if (v.error !== undefined) errors[v.error] = (errors[v.error] ?? 0) + 1;
    this.options.log?.info('endpoint classified', {
      endpoint: this.options.endpointName,
      lines: contexts.length,
      labelled: verdicts.filter((v) => v.label !== undefined).length,
      errors,
      cut: verdicts.filter((v) => v.cutTokens !== undefined).length,
      ms: Date.now() - started,
    });
    return verdicts;
  }

  private async classifyOne(context: string, signal: AbortSignal | undefined): Promise<EndpointVerdict> {
    throwIfAborted(signal);
    const { maxAttempts = 4, backoff = { baseMs: 500, maxMs: 8000 }, random = Math.random } = this.options;
    const prompt = classificationPrompt(context, this.options.maxPromptTokens);
    const request = textGenerationRequest(prompt.text, this.options.maxNewTokens);
    const cut = prompt.cutTokens > 0 ? { cutTokens: prompt.cutTokens } : {};
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(request, signal);
      if (outcome.kind === 'throttled' && attempt < maxAttempts) {
        const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (attempt - 1));
        await delay(random() * ceiling, undefined, { signal }).catch(() => {
          throw new CancelledError();
        });
        continue;
      }
      if (outcome.kind !== 'text') {
        this.options.log?.debug('endpoint call failed', {
          endpoint: this.options.endpointName,
          kind: outcome.kind,
          attempt,
        });
      }
      return { ...this.verdictOf(outcome, attempt), ...cut };
    }
  }

  private async attempt(request: TextGenerationRequest, signal: AbortSignal | undefined): Promise<InvokeOutcome> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    try {
      return await this.options.invoke(
        this.options.endpointName,
        request,
        signal === undefined ? deadline : AbortSignal.any([signal, deadline]),
      );
    } catch (error) {
      if (signal?.aborted || error instanceof CancelledError) throw new CancelledError();
      return classifyInvokeError(error);
    }
  }

  private verdictOf(outcome: InvokeOutcome, attempts: number): EndpointVerdict {
    switch (outcome.kind) {
      case 'text': {
        const label = answerLabel(outcome.text, this.labels);
        // The text rides along (shortened) for `logtune classify`; surfaces that show it escape it.
        if (label !== undefined && this.known.has(label)) return { label, raw: shortenAnswer(outcome.text) };
        return { label: undefined, error: 'unrecognised', raw: shortenAnswer(outcome.text) };
      }
      case 'garbage':
        return {
          label: undefined,
          error: 'bad_response',
          detail: `a ${outcome.bytes}-byte response in no known format`,
        };
      case 'model_error': {
        const own = outcome.originalStatus === undefined ? '' : `, the model answered ${outcome.originalStatus}`;
        return { label: undefined, error: 'model_error', detail: `HTTP ${outcome.status ?? 424}${own}` };
      }
      case 'throttled':
        return { label: undefined, error: 'throttled', detail: `still throttled after ${attempts} attempts` };
      case 'not_ready':
        return { label: undefined, error: 'not_ready', detail: 'the endpoint is not ready' };
      case 'timeout':
        return { label: undefined, error: 'timeout', detail: `no answer within ${this.options.timeoutMs / 1000} s` };
      case 'failed':
        return {
          label: undefined,
          error: 'failed',
          detail:
            outcome.status === undefined
              ? `${outcome.name}${outcome.message === undefined ? '' : `: ${outcome.message}`}`
              : `${outcome.name} (HTTP ${outcome.status})`,
        };
    }
  }
}
