import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { syntheticRows, toCsv } from '../test/helpers/syntheticLogs.ts';

/** The bench's input: seed-layout CSV files of ~200 rows (~0.5 KB each), a few hundred per day. */
export interface BenchShape {
  readonly days: readonly string[];
  readonly filesPerDay: number;
  readonly rowsPerFile: number;
}

export function* benchFiles(shape: BenchShape): Generator<{ key: string; body: string }> {
  let seed = 1;
  for (const day of shape.days) {
    for (let f = 0; f < shape.filesPerDay; f++) {
      const key = `${day.replaceAll('-', '/')}/part-${String(f).padStart(4, '0')}.csv`;
      yield { key, body: toCsv(syntheticRows(day, shape.rowsPerFile, seed++)) };
    }
  }
}

export async function writeLocal(root: string, shape: BenchShape): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const { key, body } of benchFiles(shape)) {
    const path = join(root, key);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, body);
    files++;
    bytes += Buffer.byteLength(body);
  }
  return { files, bytes };
}

export async function uploadS3(client: S3Client, bucket: string, prefix: string, shape: BenchShape): Promise<void> {
  const limit = pLimit(16);
  const puts: Promise<unknown>[] = [];
  for (const { key, body } of benchFiles(shape)) {
    puts.push(limit(() => client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${key}`, Body: body }))));
  }
  await Promise.all(puts);
}
