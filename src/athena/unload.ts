import { type z } from 'zod';
import { gunzip, isGzip } from '../logs/formats/gzip.ts';
import { openStore, type OpenStoreOptions } from '../objectStore/open.ts';
import { parseStorageUri } from '../objectStore/uri.ts';

/**
 * The rows an `UNLOAD … WITH (format = 'JSON')` wrote, read back file by file. Athena writes the files in parallel
 * under the TO location and lists them in `<query result location><QueryExecutionId>-manifest.csv`, one s3:// URI
 * a line (Athena User Guide, "Find query output files in Amazon S3": UNLOAD's manifest; "UNLOAD": no global order of
 * files, each file gzip-compressed by default). Only the manifest's files are read: a failed earlier attempt may
 * have left orphans beside them ("Orphaned data not deleted").
 */
export async function* unloadedRows<T>(
  manifestUri: string,
  schema: z.ZodType<T>,
  options: OpenStoreOptions & { readonly signal?: AbortSignal; readonly maxBytes?: number } = {},
): AsyncIterable<T> {
  const { bucket, key } = splitS3(manifestUri);
  const store = await openStore(`s3://${bucket}/`, options);
  const manifest = new TextDecoder().decode(await store.get(key, options.signal));
  const files = manifest
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  for (const file of files) {
    const location = splitS3(file);
    if (location.bucket !== bucket)
      throw new Error(`the UNLOAD manifest ${manifestUri} lists ${file}, in another bucket than its own`);
    const raw = await store.get(location.key, options.signal);
    const bytes = isGzip(raw) ? gunzip(raw, options.maxBytes) : raw;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    let n = 0;
    for (const line of text.split('\n')) {
      n++;
      if (line.trim() === '') continue;
      const parsed = schema.safeParse(parseJson(line));
      if (!parsed.success)
        throw new Error(`${file}:${n} is not a row logtune's query writes: ${parsed.error.issues[0]?.message}`);
      yield parsed.data;
    }
  }
}

function splitS3(uri: string): { bucket: string; key: string } {
  const location = parseStorageUri(uri);
  if (location.kind !== 's3') throw new Error(`expected an s3:// URI, got ${uri}`);
  const path = uri.slice(`s3://${location.bucket}/`.length);
  return { bucket: location.bucket, key: path };
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
