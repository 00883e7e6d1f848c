import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Papa from 'papaparse';
import pLimit from 'p-limit';
import { loadDataSettings } from '../src/dataset/settings.ts';
import { buildDataset } from '../src/dataset/build.ts';
import { INSTRUCTION, responseFor } from '../src/dataset/examples/example.ts';
import { resolveBuildRequest } from '../src/dataset/request/request.ts';
import { parseStorageUri } from '../src/objectStore/uri.ts';
import { printJobResult, type JobResult } from './jobResult.ts';

/**
 * One measurement, run in its own process by bench/run.ts so that peak RSS is the job's own.
 * Prints one JSON line: {seconds, rows, bytes, files, maxRssMB, ...}.
 */
const BUCKET = 'bench-logs';
const PREFIX = 'logs/';

async function listAll(client: S3Client): Promise<{ key: string; size: number }[]> {
  const keys: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) keys.push({ key: o.Key!, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function getBytes(client: S3Client, key: string): Promise<Uint8Array> {
  const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return response.Body!.transformToByteArray();
}

/** The floor: list, then GET every object with 16 in flight; no parsing, nothing written. */
async function floor(): Promise<JobResult> {
  const client = new S3Client({ forcePathStyle: true });
  const started = performance.now();
  const keys = await listAll(client);
  const limit = pLimit(16);
  let bytes = 0;
  await Promise.all(
    keys.map((k) =>
      limit(async () => {
        const body = await getBytes(client, k.key);
        bytes += body.byteLength;
      }),
    ),
  );
  return { seconds: (performance.now() - started) / 1000, rows: 0, bytes, files: keys.length, concurrency: 16 };
}

/**
 * The published notebook's approach, ported to JS: one object at a time, every row parsed into an object and kept
 * (the DataFrame), then examples built in memory, shuffled, split and written whole: to S3 with one PutObject per
 * file, or to a local directory.
 */
async function notebook(outUri: string): Promise<JobResult> {
  const client = new S3Client({ forcePathStyle: true });
  const started = performance.now();
  const keys = await listAll(client);
  const frame: Record<string, string>[] = [];
  let bytes = 0;
  for (const { key } of keys) {
    const body = await getBytes(client, key);
    bytes += body.byteLength;
    const parsed = Papa.parse<Record<string, string>>(new TextDecoder().decode(body), {
      header: true,
      skipEmptyLines: true,
    });
    for (const row of parsed.data) frame.push(row);
  }
  const examples: string[] = [];
  for (const row of frame) {
    const { ThreatLevel: label, 'x-edge-request-id': _dropped, ...context } = row;
    if (!label) continue;
    examples.push(
      JSON.stringify({ instruction: INSTRUCTION, context: JSON.stringify(context), response: responseFor(label) }),
    );
  }
  examples.sort(() => Math.random() - 0.5);
  const cut = Math.floor(examples.length * 0.9);
  const outputs = {
    'train.jsonl': examples.slice(0, cut).join('\n'),
    'validation.jsonl': examples.slice(cut).join('\n'),
  };
  const out = parseStorageUri(outUri);
  for (const [name, body] of Object.entries(outputs)) {
    if (out.kind === 's3')
      await client.send(new PutObjectCommand({ Bucket: out.bucket, Key: `${out.prefix}${name}`, Body: body }));
    else await mkdir(out.directory, { recursive: true }).then(() => writeFile(join(out.directory, name), body));
  }
  return { seconds: (performance.now() - started) / 1000, rows: frame.length, bytes, files: keys.length };
}

/** `maxExamples` (a number or `all`, the default) chooses between the streaming and the capped (sampled) build. */
async function build(logsUri: string, outUri: string, range: string, maxExamples = 'all'): Promise<JobResult> {
  const config = loadDataSettings({ ...process.env, LOGTUNE_LOGS_URI: logsUri, LOGTUNE_S3_FORCE_PATH_STYLE: 'true' });
  const cap = maxExamples === 'all' ? 'all' : Number(maxExamples);
  const request = resolveBuildRequest(config, { rangeText: range, outUri, maxExamples: cap }, new Date());
  const summary = await buildDataset(request);
  return {
    seconds: summary.seconds,
    rows: summary.rows.scanned,
    bytes: summary.files.bytes,
    files: summary.files.read,
    concurrency: summary.fetchConcurrency,
  };
}

const [kind, ...args] = process.argv.slice(2);
const result =
  kind === 'floor'
    ? await floor()
    : kind === 'notebook'
      ? await notebook(args[0]!)
      : await build(args[0]!, args[1]!, args[2]!, args[3]);
printJobResult(result);
