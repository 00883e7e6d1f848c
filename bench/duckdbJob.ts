import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeSampledDataset } from '../src/dataset/output/sampledWrite.ts';
import { resolveBuildRequest } from '../src/dataset/request/request.ts';
import { loadDataSettings } from '../src/dataset/settings.ts';
import * as sql from '../src/dataset/sql/index.ts';
import { LocalStore } from '../src/objectStore/localStore.ts';
import { printJobResult, type JobResult } from './jobResult.ts';

/**
 * `duckdbJob <logs dir> <out dir> <range> <max examples>`: one bench measurement in its own process (bench/sampling.ts
 * starts it). Apart from bench/jobs.ts, which the reservoir reference build bundles against an older src/ that has
 * no sampling SQL.
 */
/**
 * The capped build through the sampling SQL (src/dataset/sql/) in DuckDB over the same local files: stats, quotas,
 * sample, then the two channel files written as the local engine writes them. Token counting and stats.json are
 * left out (the local build's figures include them: a few hundred ms).
 */
async function duckdb(logsDir: string, outDir: string, range: string, maxExamples: string): Promise<JobResult> {
  const config = loadDataSettings({ ...process.env, LOGTUNE_LOGS_URI: logsDir });
  const request = resolveBuildRequest(
    config,
    { rangeText: range, outUri: outDir, maxExamples: Number(maxExamples) },
    new Date(),
  );
  const started = performance.now();
  const paths = (await readdir(logsDir, { recursive: true })).filter((p) => p.endsWith('.csv')).sort();
  let bytes = 0;
  for (const p of paths) bytes += (await stat(join(logsDir, p))).size;
  const header = readFileSync(join(logsDir, paths[0]!), 'utf8').split('\n', 1)[0]!;
  const source = sql.duckdbFileSource(sql.duckdbDialect, [
    { format: 'csv', paths: paths.map((p) => join(logsDir, p)), columns: header.split(',') },
  ]);
  const params = sql.sqlParamsOf(request);
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const statsRows = (
    await connection.runAndReadAll(sql.renderStatsQuery(sql.duckdbDialect, source, params))
  ).getRowObjectsJS();
  const stats = sql.statsFromRows(statsRows, { maxInputLength: request.maxInputLength });
  const quotas = sql.quotasFromStats(stats, request.balance, request.maxExamples as number);
  const rows = (
    await connection.runAndReadAll(sql.renderSampleQuery(sql.duckdbDialect, source, { ...params, quotas }))
  ).getRowObjectsJS();
  const written = await writeSampledDataset(new LocalStore(outDir), sql.sampleFromRows(rows), {
    seed: request.seed,
    validationRatio: request.validationRatio,
    maxInputLength: request.maxInputLength,
  });
  await written.closed;
  connection.closeSync();
  db.closeSync();
  return { seconds: (performance.now() - started) / 1000, rows: stats.rowsScanned, bytes, files: paths.length };
}

const [logsDir, outDir, range, maxExamples] = process.argv.slice(2);
printJobResult(await duckdb(logsDir!, outDir!, range!, maxExamples!));
