import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  InvokeEndpointCommand,
  SageMakerRuntimeClient,
  type InvokeEndpointCommandInput,
} from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClassifyCommand, openBaselineBackend } from '../../src/cli/commands/classify.ts';
import { createEvaluateCommand } from '../../src/cli/commands/evaluate.ts';
import { CLI_COMMANDS } from '../../src/cli/commands/index.ts';
import { main } from '../../src/cli/main.ts';
import { CANONICAL_FIELDS, responseFor } from '../../src/dataset/examples/example.ts';
import { BASELINE_FILES } from '../../src/evaluation/baselineFiles.ts';
import {
  baselineEvaluationSchema,
  evaluationReportSchema,
  type EvaluationReport,
} from '../../src/evaluation/report.ts';
import type { ContextClassifier } from '../../src/inference/types.ts';
import { captureStream } from '../helpers/captureStream.ts';
import { examplesFromRows, writeStoredDataset } from '../helpers/storedDataset.ts';
import { LABEL_FIELD, syntheticRows, toCsv, toJsonLines, toW3c } from '../helpers/syntheticLogs.ts';

const ID = 'ds-20240401-20240403-cli';
// Every Runtime client the command makes answers from here; nothing leaves the process.
const runtime = mockClient(SageMakerRuntimeClient);
afterEach(() => runtime.reset());
let root: string;
let artifacts: string;
let folder: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-cli-eval-'));
  artifacts = join(root, 'artifacts');
  folder = await writeStoredDataset(artifacts, {
    id: ID,
    train: examplesFromRows(syntheticRows('2024-04-01', 500, 1)),
    validation: examplesFromRows(syntheticRows('2024-04-02', 150, 2)),
    sourceColumns: [...CANONICAL_FIELDS, LABEL_FIELD],
    sourceFormat: 'csv',
  });
  const { code } = await run(['baseline', ID, '--seed', '4']);
  expect(code).toBe(0);
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function run(argv: string[], stdin = '', commands = CLI_COMMANDS) {
  const stdout = captureStream();
  const stderr = captureStream();
  const env = { LOGTUNE_ARTIFACTS_URI: artifacts };
  const code = await main(
    argv,
    { stdout: stdout.stream, stderr: stderr.stream, stdin: Readable.from([Buffer.from(stdin)]), env },
    commands,
  );
  return { code, stdout, stderr };
}

describe('logtune baseline', () => {
  it('writes the model and eval.json, prints tables on stderr and eval.json as one line on stdout', async () => {
    const { code, stdout, stderr } = await run(['baseline', folder, '--seed', '4']);
    expect(code).toBe(0);
    expect(stdout.writes).toHaveLength(1);
    const printed = baselineEvaluationSchema.parse(JSON.parse(stdout.text()));
    expect(printed).toEqual(JSON.parse(await readFile(join(folder, BASELINE_FILES.evaluation), 'utf8')));
    expect(printed.report.examples).toBe(150);
    expect(printed.training.seed).toBe(4);
    expect((await stat(join(folder, BASELINE_FILES.model))).size).toBe(printed.training.modelBytes);
    expect(stderr.text()).toMatch(/macro-F1/);
    expect(stderr.text()).toMatch(/confusion \(rows: true label, columns: predicted\)/);
  });

  it('answers bad input with exit code 2 and a reason', async () => {
    expect((await run(['baseline'])).stderr.text()).toMatch(/expected one dataset/);
    const seed = await run(['baseline', ID, '--seed', 'abc']);
    expect([seed.code, seed.stderr.text()]).toEqual([2, expect.stringMatching(/--seed expects a whole number/)]);
    const missing = await run(['baseline', join(root, 'nothing')]);
    expect([missing.code, missing.stderr.text()]).toEqual([2, expect.stringMatching(/no finished dataset/)]);
  });
});

describe('logtune classify --baseline', () => {
  const rows = syntheticRows('2024-04-03', 4, 77);
  const csv = toCsv(rows).trimEnd().split('\n'); // header + 4 rows
  const w3c = toW3c(rows.slice(2, 3))
    .trimEnd()
    .split('\n')[2]!
    .split('\t')
    .slice(0, CANONICAL_FIELDS.length)
    .join('\t');
  const json = toJsonLines(rows.slice(3)).trimEnd();

  it('reads CSV (with and without the header), W3C and JSON lines and gives one verdict per line, in order', async () => {
    const input = [csv[0], csv[1], csv[2], '', w3c, json, 'not,a,log,line', '{"broken":'].join('\n');
    const { code, stdout, stderr } = await run(['classify', '--baseline', ID], input);
    expect(code).toBe(0);
    const lines = stdout
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.line)).toEqual([2, 3, 5, 6, 7, 8]);
    expect(lines.slice(0, 4).map((l) => l.label)).toEqual(rows.map((r) => r.ThreatLevel));
    for (const l of lines.slice(0, 4)) {
      expect(Object.keys(l.scores as object).sort()).toEqual(['benign', 'malicious', 'suspicious']);
      expect(l.error).toBeUndefined();
    }
    expect(lines[4]).toEqual({ line: 7, error: expect.stringMatching(/4 comma-separated fields/) });
    expect(lines[5]).toEqual({ line: 8, error: 'starts with "{" but is not valid JSON' });
    expect(stderr.text()).toMatch(/4 lines classified, 2 could not be read/);
  });

  it('gives the same verdicts whatever the batching of the input', async () => {
    const input = csv.slice(1).join('\n');
    const whole = await run(['classify', '--baseline', ID], input);
    const stdout = captureStream();
    const stderr = captureStream();
    // One byte at a time: lines split across chunks, and a multi-byte character split too.
    // (A JSON line needs a few of the dataset's fields to be classified at all.)
    const bytes = Buffer.from(`${input}\n{"cs(User-Agent)":"é","cs-method":"GET","cs-uri-stem":"/"}`);
    const stdin = Readable.from([...bytes].map((b) => Buffer.from([b])));
    await main(['classify', '--baseline', ID], {
      stdout: stdout.stream,
      stderr: stderr.stream,
      stdin,
      env: { LOGTUNE_ARTIFACTS_URI: artifacts },
    });
    const split = stdout.text().trimEnd().split('\n');
    expect(split.slice(0, 4).join('\n')).toBe(whole.stdout.text().trimEnd());
    expect(JSON.parse(split[4]!)).toMatchObject({ line: 5, label: expect.any(String) });
  });

  it('answers an over-long line with an error and reads on', async () => {
    const { stdout } = await run(['classify', '--baseline', ID], `${'x'.repeat(100_000)}\n${csv[1]}\n`);
    const [long, next] = stdout
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(long).toEqual({ line: 1, error: expect.stringMatching(/longer than/) });
    expect(next).toMatchObject({ line: 2, label: rows[0]!.ThreatLevel });
  });

  it('needs exactly one backend', async () => {
    expect((await run(['classify'])).code).toBe(2);
    expect((await run(['classify', '--baseline', ID, '--endpoint', 'x'])).code).toBe(2);
  });

  it('takes any classifier through the backend seam, and prints raw text and errors as the model gives them', async () => {
    let calls = 0;
    const fake: ContextClassifier = {
      name: 'endpoint:fake',
      labels: ['benign'],
      classify: (contexts) =>
        Promise.resolve(
          contexts.map(() =>
            calls++ === 0
              ? { label: 'benign', raw: "This log entry is identified as 'benign'." }
              : { label: undefined, raw: 'Sure!', error: 'unrecognised' },
          ),
        ),
    };
    const command = createClassifyCommand({
      baseline: () => Promise.reject(new Error('not used here')),
      endpoint: async (_name, io) => ({ classifier: fake, dataset: (await openBaselineBackend(ID, io)).dataset }),
    });
    const { stdout } = await run(['classify', '--endpoint', 'fake'], `${csv[1]}\n${csv[2]}`, [command]);
    expect(
      stdout
        .text()
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { line: 1, label: 'benign', raw: "This log entry is identified as 'benign'." },
      { line: 2, raw: 'Sure!', error: 'unrecognised' },
    ]);
  });
});

describe('logtune evaluate', () => {
  it('scores a deployed endpoint through SageMaker Runtime with the training prompt', async () => {
    const prompts: string[] = [];
    runtime.on(InvokeEndpointCommand).callsFake((input: InvokeEndpointCommandInput) => {
      const prompt = (JSON.parse(new TextDecoder().decode(input.Body as Uint8Array)) as { inputs: string }).inputs;
      prompts.push(prompt);
      expect(input.EndpointName).toBe('logtune-dep-1');
      // A model that only knows scanners.
      const label = /sqlmap|Nikto|masscan|python-requests/.test(prompt) ? 'malicious' : 'benign';
      return { Body: new TextEncoder().encode(JSON.stringify([{ generated_text: ` ${responseFor(label)}` }])) };
    });
    const { code, stdout, stderr } = await run(['evaluate', ID, '--endpoint', 'logtune-dep-1', '--max-examples', '30']);
    expect(stderr.text()).not.toMatch(/logtune: /);
    expect(code).toBe(0);
    const { report } = JSON.parse(stdout.text()) as { report: EvaluationReport };
    expect(prompts).toHaveLength(30);
    expect(prompts[0]).toContain('### Response:');
    expect(report).toMatchObject({ model: 'endpoint:logtune-dep-1', examples: 30, unanswered: 0 });
    expect(report.perLabel.find((s) => s.label === 'suspicious')).toMatchObject({ recall: 0, predicted: 0 });
    expect((await run(['evaluate', ID])).stderr.text()).toMatch(/--endpoint NAME is required/);
  });

  it('scores an endpoint on a stratified sample of validation, beside the baseline on the same examples', async () => {
    const seen: string[][] = [];
    const alwaysBenign: ContextClassifier = {
      name: 'endpoint:always-benign',
      labels: ['benign', 'malicious', 'suspicious'],
      classify: (contexts) => {
        seen.push([...contexts]);
        return Promise.resolve(contexts.map(() => ({ label: 'benign' })));
      },
    };
    const command = createEvaluateCommand((name, dataset) => {
      expect([name, dataset.stats.datasetId]).toEqual(['always-benign', ID]);
      return Promise.resolve(alwaysBenign);
    });
    const { code, stdout, stderr } = await run(
      ['evaluate', ID, '--endpoint', 'always-benign', '--max-examples', '40', '--seed', '1'],
      '',
      [command],
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout.text()) as { report: unknown; baseline: unknown };
    const report = evaluationReportSchema.parse(out.report);
    const baseline = evaluationReportSchema.parse(out.baseline);
    expect(seen.flat()).toHaveLength(40);
    expect(report).toMatchObject({ model: 'endpoint:always-benign', examples: 40, sample: { of: 150, seed: 1 } });
    // Always "benign" is exactly the majority class.
    expect(report.accuracy).toBe(report.majority.accuracy);
    expect(baseline).toMatchObject({ model: `baseline:${ID}`, examples: 40, majority: report.majority });
    expect(baseline.macroF1).toBeGreaterThan(report.macroF1);
    expect(stderr.text()).toMatch(/endpoint:always-benign\s+baseline:ds-/);
  });
});
