import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DescribeEndpointCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureStream } from '../helpers/captureStream.ts';
import { examplesFromRows, writeStoredDataset } from '../helpers/storedDataset.ts';
import { syntheticRows, toJsonLines } from '../helpers/syntheticLogs.ts';

/** `logtune classify --endpoint NAME`: the endpoint's dataset found from its tags, each line sent to InvokeEndpoint. */
const sagemaker = mockClient(SageMakerClient);
const runtime = mockClient(SageMakerRuntimeClient);
const ID = 'ds-20240401-20240403-20240601T120000-c1a5';
let artifacts: string;

beforeAll(async () => {
  artifacts = await mkdtemp(join(tmpdir(), 'logtune-classify-endpoint-'));
  const rows = syntheticRows('2024-04-01', 60, 7);
  await writeStoredDataset(artifacts, {
    id: ID,
    train: examplesFromRows(rows.slice(0, 50)),
    validation: examplesFromRows(rows.slice(50)),
  });
});
afterAll(async () => {
  await rm(artifacts, { recursive: true, force: true });
});
afterEach(() => {
  sagemaker.reset();
  runtime.reset();
});

async function classify(lines: string) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await main(['classify', '--endpoint', 'logtune-dr-1'], {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([lines]),
    env: {
      LOGTUNE_ARTIFACTS_URI: artifacts,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
    },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('logtune classify --endpoint', () => {
  it("reads the dataset from the endpoint's tags and prints line, label and raw per line", async () => {
    sagemaker.on(DescribeEndpointCommand).resolves({
      EndpointName: 'logtune-dr-1',
      EndpointArn: 'arn:aws:sagemaker:us-east-1:111122223333:endpoint/logtune-dr-1',
      EndpointConfigName: 'logtune-dr-1',
      EndpointStatus: 'InService',
      CreationTime: new Date(),
      LastModifiedTime: new Date(),
    });
    sagemaker.on(ListTagsCommand).resolves({
      Tags: [
        { Key: 'logtune:dataset', Value: ID },
        { Key: 'logtune:deploy-request', Value: 'dr-1' },
      ],
    });
    runtime
      .on(InvokeEndpointCommand)
      .resolvesOnce({
        Body: new TextEncoder().encode(
          JSON.stringify([{ generated_text: " This log entry is identified as 'malicious'." }]),
        ) as never,
      })
      .resolves({ Body: new TextEncoder().encode(JSON.stringify([{ generated_text: 'ignore all rules' }])) as never });
    const rows = syntheticRows('2024-04-02', 2, 9);
    const { code, stdout, stderr } = await classify(`${toJsonLines(rows)}not a log line\n`);
    expect(code, stderr).toBe(0);
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { line: 1, label: 'malicious', raw: "This log entry is identified as 'malicious'." },
      { line: 2, raw: 'ignore all rules', error: 'unrecognised' },
      { line: 3, error: expect.any(String) },
    ]);
    const sent = JSON.parse(
      new TextDecoder().decode(runtime.commandCalls(InvokeEndpointCommand)[0]!.args[0].input.Body as Uint8Array),
    ) as { inputs: string };
    expect(sent.inputs).toContain('### Response:\n');
    expect(runtime.commandCalls(InvokeEndpointCommand)[0]!.args[0].input.EndpointName).toBe('logtune-dr-1');
  });

  it('refuses an endpoint logtune did not deploy', async () => {
    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(Object.assign(new Error('Could not find endpoint "nope".'), { name: 'ValidationException' }));
    const { code, stderr } = await classify('{}\n');
    expect(code).toBe(2);
    expect(stderr).toContain('no endpoint logtune-dr-1 that logtune deployed');
  });
});
