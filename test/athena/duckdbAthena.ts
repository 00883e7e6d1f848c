import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { TrinoSQL } from 'dt-sql-parser';
import { formatOfKey } from '../../src/athena/build.ts';
import type { QueryMarker } from '../../src/athena/datasetSql.ts';
import {
  duckdbDialect,
  duckdbFileSource,
  renderSampleQuery,
  renderStatsQuery,
  type DuckdbFiles,
} from '../../src/dataset/sql/index.ts';
import type { LocalS3 } from '../helpers/s3rver.ts';
import type { ExecutionResult, Executor } from './fakeAthena.ts';

/**
 * What the loopback Athena runs its queries with: DuckDB, executing the DuckDB rendering of the same SQL template
 * (src/dataset/sql) over the same log files in s3rver, so that a build through the Athena engine can be compared
 * byte for byte with the local build. Each logtune query says what it is in its `/* logtune-query {…} *\/` comment
 * (pass, tables, days, excluded files, parameters); the fake
 *
 * - refuses, as Athena would, a DML statement whose SELECT does not parse under the Trino grammar (dt-sql-parser,
 *   the Athena engine v3 dialect), a query on a table no DDL created, and an UNLOAD without a TO location;
 * - fails a query that would read a corrupt gzip file with Trino's HIVE_CANNOT_OPEN_SPLIT message naming it
 *   ("Error opening Hive split <path> (offset=0, length=<n>): <cause>", trino-hive HivePageSourceProvider);
 * - otherwise reads the scope's files (the tables' formats, the days, minus the excluded ones), runs the query in
 *   DuckDB, writes its rows as gzipped JSON lines under the TO location (as UNLOAD does), and bills their bytes.
 *
 * The Trino rendering's own source relation (the tables' UNION with url_decode and "$path") is grammar-checked here,
 * not executed: DuckDB runs its own source over the files (duckdbFileSource), as the sampling SQL's CI check does.
 */
export interface DuckdbAthena {
  readonly executor: Executor;
  /** Tables the DDL created: name → format. */
  readonly tables: Map<string, string>;
  readonly validated: { sql: string; errors: number }[];
  close(): void;
}

const trino = new TrinoSQL();

function serdeFormat(ddl: string): string {
  if (ddl.includes('OpenCSVSerde')) return 'csv';
  if (ddl.includes('org.openx.data.jsonserde.JsonSerDe')) return 'jsonl';
  if (ddl.includes('ParquetHiveSerDe')) return 'parquet';
  if (ddl.includes("FIELDS TERMINATED BY '\\t'")) return 'w3c';
  throw new Error('the fake knows no such SerDe');
}

export async function duckdbAthena(options: {
  readonly s3: LocalS3;
  readonly logsBucket: string;
  readonly logsPrefix: string;
  readonly artifactsBucket: string;
  readonly workDir: string;
}): Promise<DuckdbAthena> {
  const db = await DuckDBInstance.create(':memory:');
  const connection: DuckDBConnection = await db.connect();
  const tables = new Map<string, string>();
  const validated: { sql: string; errors: number }[] = [];
  const { s3 } = options;

  async function get(bucket: string, key: string): Promise<Uint8Array> {
    const answer = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return answer.Body!.transformToByteArray();
  }

  const executor: Executor = async ({ sql }): Promise<ExecutionResult> => {
    const ddl = /^CREATE EXTERNAL TABLE IF NOT EXISTS `([a-z0-9_]+)`\.`([a-z0-9_]+)`/.exec(sql);
    if (ddl) {
      tables.set(`${ddl[1]}.${ddl[2]}`, serdeFormat(sql));
      return { scannedBytes: 0 };
    }
    const m = /^UNLOAD \(\n\/\* logtune-query (.*?) \*\/\n([\s\S]*)\n\) TO '([^']+)' WITH \(format = 'JSON'\)$/.exec(
      sql,
    );
    if (!m) return { scannedBytes: 0, failure: 'SYNTAX_ERROR: the fake runs only logtune DDL and UNLOAD queries' };
    const marker = JSON.parse(m[1]!.replaceAll('*\\/', '*/')) as QueryMarker;
    const errors = trino.validate(m[2]!);
    validated.push({ sql: m[2]!, errors: errors.length });
    if (errors.length > 0) return { scannedBytes: 0, failure: `SYNTAX_ERROR: ${errors[0]!.message}` };
    const formats = new Set<string>();
    for (const t of marker.tables) {
      const format = tables.get(t);
      if (format === undefined)
        return { scannedBytes: 0, failure: `TABLE_NOT_FOUND: line 1:1: Table '${t}' does not exist` };
      formats.add(format);
    }
    const listed = await s3.client.send(
      new ListObjectsV2Command({ Bucket: options.logsBucket, Prefix: options.logsPrefix }),
    );
    const uri = (key: string) => `s3://${options.logsBucket}/${key}`;
    const inScope = (listed.Contents ?? [])
      .map((o) => o.Key!)
      .filter((key) => {
        const d = /(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/.exec(key);
        const day = d ? `${d[1]}-${d[2]}-${d[3]}` : '';
        const format = formatOfKey(key);
        return (
          day >= marker.scope.start &&
          day <= marker.scope.end &&
          format !== undefined &&
          formats.has(format) &&
          !marker.scope.excluded.includes(uri(key))
        );
      })
      .sort();
    let scannedBytes = 0;
    const groups = new Map<string, { paths: string[]; columns: string[] }>();
    for (const key of inScope) {
      const bytes = await get(options.logsBucket, key);
      let text: string;
      try {
        text = (key.endsWith('.gz') ? gunzipSync(bytes) : Buffer.from(bytes)).toString('utf8');
      } catch (error) {
        return {
          scannedBytes: scannedBytes + bytes.length,
          failure: `HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split ${uri(key)} (offset=0, length=${bytes.length}): ${(error as Error).message}`,
        };
      }
      scannedBytes += bytes.length;
      const path = join(options.workDir, options.logsBucket, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
      const format = formatOfKey(key)!;
      const group = groups.get(format) ?? { paths: [], columns: [] };
      group.paths.push(path);
      const add = (names: readonly string[]) =>
        names.forEach((n) => group.columns.includes(n) || group.columns.push(n));
      if (format === 'csv') add(text.slice(0, text.indexOf('\n')).split(','));
      if (format === 'w3c') add(/^#Fields: (.*)$/m.exec(text)![1]!.split(' '));
      if (format === 'jsonl')
        for (const line of text.split('\n')) if (line.trim() !== '') add(Object.keys(JSON.parse(line) as object));
      groups.set(format, group);
    }
    const files: DuckdbFiles[] = [...groups].map(([format, g]) => ({
      format: format as DuckdbFiles['format'],
      paths: g.paths,
      columns: g.columns,
    }));
    const root = join(options.workDir, options.logsBucket);
    const source = duckdbFileSource(duckdbDialect, files, {
      fileName: (f) => `'s3://${options.logsBucket}/' || substr(${f}, ${root.length + 2})`,
    });
    const query =
      marker.pass === 'stats'
        ? renderStatsQuery(duckdbDialect, source, marker.params)
        : renderSampleQuery(duckdbDialect, source, { ...marker.params, quotas: marker.params.quotas ?? {} });
    const rows = (await connection.runAndReadAll(query)).getRowObjectsJS();
    const lines = rows.map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
    // Athena writes UNLOAD output in parallel, several files; two here, so the manifest and its order matter.
    const half = Math.ceil(lines.length / 2);
    const out: string[] = [];
    for (const [i, part] of [lines.slice(0, half), lines.slice(half)].entries()) {
      const key = `${m[3]!.slice(`s3://${options.artifactsBucket}/`.length)}part-${i}.json.gz`;
      await s3.client.send(
        new PutObjectCommand({ Bucket: options.artifactsBucket, Key: key, Body: gzipSync(part.join('\n')) }),
      );
      out.push(`s3://${options.artifactsBucket}/${key}`);
    }
    return { scannedBytes, files: out.reverse() };
  };

  return {
    executor,
    tables,
    validated,
    close() {
      connection.closeSync();
      db.closeSync();
    },
  };
}
