import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGenerated, runtimeInvoker, textGenerationRequest, type Invoke } from '../../src/aws/sagemakerRuntime.ts';
import { CancelledError } from '../../src/errors.ts';
import { startFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime.ts';

let fake: FakeRuntime;
let invoke: Invoke;
const request = textGenerationRequest('Below is an instruction…\n\n### Response:\n', 17);

beforeAll(async () => {
  fake = await startFakeRuntime();
  invoke = runtimeInvoker(fake.client);
});

afterAll(async () => {
  await fake.close();
});

describe('InvokeEndpoint through the real SDK against a loopback fake', () => {
  it('sends the text-generation payload as JSON, with the EULA attribute, to the named endpoint', async () => {
    fake.reply({
      status: 200,
      body: JSON.stringify([{ generated_text: " This log entry is identified as 'benign'." }]),
    });
    const outcome = await invoke('logtune-dep-1', request);
    expect(outcome).toEqual({ kind: 'text', text: " This log entry is identified as 'benign'." });
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/endpoints/logtune-dep-1/invocations');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers.accept).toBe('application/json');
    expect(sent.headers['x-amzn-sagemaker-custom-attributes']).toBe('accept_eula=true');
    expect(JSON.parse(sent.body)).toEqual({
      inputs: 'Below is an instruction…\n\n### Response:\n',
      parameters: { max_new_tokens: 17, do_sample: false, return_full_text: false, stop: ['\n'], details: false },
    });
  });

  it('reads a model error (HTTP 424) with the container status', async () => {
    fake.reply({
      status: 424,
      errorType: 'ModelError',
      body: JSON.stringify({
        message: 'Received server error (500) from primary',
        OriginalStatusCode: 500,
        OriginalMessage: 'CUDA out of memory',
      }),
    });
    expect(await invoke('e', request)).toEqual({ kind: 'model_error', status: 424, originalStatus: 500 });
  });

  it('reads the container refusing work (429 inside a model error), the service throttling and being unavailable as throttled', async () => {
    fake.reply(
      {
        status: 424,
        errorType: 'ModelError',
        body: JSON.stringify({ message: 'overloaded', OriginalStatusCode: 429 }),
      },
      { status: 400, errorType: 'ThrottlingException', body: JSON.stringify({ message: 'Rate exceeded' }) },
      { status: 503, errorType: 'ServiceUnavailable', body: JSON.stringify({ message: 'unavailable' }) },
    );
    for (let i = 0; i < 3; i++) expect(await invoke('e', request)).toEqual({ kind: 'throttled' });
  });

  it('reads a model that is not ready, and an unknown endpoint as a failure naming the error', async () => {
    fake.reply(
      { status: 429, errorType: 'ModelNotReadyException', body: JSON.stringify({ message: 'not ready' }) },
      {
        status: 400,
        errorType: 'ValidationError',
        body: JSON.stringify({ message: 'Endpoint e of account 1 not found.' }),
      },
    );
    expect(await invoke('e', request)).toEqual({ kind: 'not_ready' });
    expect(await invoke('e', request)).toEqual({ kind: 'failed', name: 'ValidationError', status: 400 });
  });

  it('ends a call that outlives its deadline as a timeout, and one cancelled by the caller as a cancellation', async () => {
    fake.reply({ hang: true }, { hang: true });
    const started = Date.now();
    expect(await invoke('e', request, AbortSignal.timeout(150))).toEqual({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(invoke('e', request, controller.signal)).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('reading generated text', () => {
  const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

  it('takes TGI and legacy DJL answers', () => {
    expect(parseGenerated(bytes([{ generated_text: 'a' }]))).toEqual({ kind: 'text', text: 'a' });
    expect(parseGenerated(bytes([{ generation: 'b' }]))).toEqual({ kind: 'text', text: 'b' });
    expect(parseGenerated(bytes({ generated_text: 'c' }))).toEqual({ kind: 'text', text: 'c' });
  });

  it('calls anything else garbage', () => {
    for (const body of ['not json', '[]', '{"error":"x"}', '[{"generated_text":5}]', 'null']) {
      expect(parseGenerated(bytes(body))).toEqual({ kind: 'garbage', bytes: body.length });
    }
    expect(parseGenerated(undefined)).toEqual({ kind: 'garbage', bytes: 0 });
  });
});
