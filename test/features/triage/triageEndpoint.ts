import { ModelError, type InvokeEndpointCommandInput } from '@aws-sdk/client-sagemaker-runtime';
import { responseFor } from '../../../src/dataset/examples/example.ts';

/** The fine-tuned endpoint as the triage tests mock it at the SDK (InvokeEndpoint, TGI's answer shape). */
export const prompt = (input: InvokeEndpointCommandInput) =>
  (JSON.parse(new TextDecoder().decode(input.Body as Uint8Array)) as { inputs: string }).inputs;

const answer = (text: string) => ({
  Body: new TextEncoder().encode(JSON.stringify([{ generated_text: text }])) as never,
});

/** When set, the model answers outside the label set for every line (what a broken or wrong model does). */
export const endpointMode = { unrecognised: false };

/** A model that labels by what it sees: scanners malicious, admin paths suspicious, the rest benign; one path breaks it. */
export function endpoint(input: InvokeEndpointCommandInput) {
  const p = prompt(input);
  if (endpointMode.unrecognised) return answer(' I am not sure what this line is; it could be anything at all.');
  if (p.includes('/crash'))
    throw new ModelError({
      message: 'Received server error (500) from primary',
      $metadata: { httpStatusCode: 424 },
      OriginalStatusCode: 500,
    });
  if (p.includes('ignore previous'))
    return answer(" This log entry is identified as 'harmless'. <!channel> <https://evil.test|click here>");
  return answer(
    ` ${responseFor(/sqlmap|UNION|passwd|script/.test(p) ? 'malicious' : /wp-admin|\.env|\.git|admin\.php/.test(p) ? 'suspicious' : 'benign')}`,
  );
}
