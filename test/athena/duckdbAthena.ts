import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { TrinoSQL } from 'dt-sql-parser';
import { formatOfKey } from '../../src/athena/build.ts';
import { tableColumns } from '../../src/athena/ddl.ts';
import { CANONICAL_FIELDS } from '../../src/dataset/examples/example.ts';
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
 *   the Athena engine v3 dialect), a query on a table no DDL created, an UNLOAD without a TO location, and an
 *   UNLOAD to a location that already holds data;
 * - fails a query that would read a corrupt gzip file with Trino's HIVE_CANNOT_OPEN_SPLIT message naming it
 *   ("Error opening Hive split <path> (offset=0, length=<n>): <cause>", trino-hive HivePageSourceProvider);
 * - otherwise reads the scope's files (the tables' formats, the days, minus the excluded ones), runs the query in
 *   DuckDB, writes its rows as gzipped JSON lines under the TO location (as UNLOAD does), and bills their bytes.
 *
 * The Trino rendering's own source relation (the tables' UNION with url_decode and "$path") is grammar-checked here,
 * not executed: DuckDB runs its own source over the files (duckdbFileSource), as the sampling SQL's CI check does.
 * A Parquet file is read as the Parquet table reads it, by column name (ParquetHiveSerDe maps a file's columns to
 * the table's by name; a column the file lacks is NULL): its rows become JSON lines of the fields those columns
 * stand for, which the JSON source reads with the same NULL-where-absent rule.
 */
export interface DuckdbAthena {
  readonly executor: Executor;
  /** Tables the DDL created: name → format, location and columns. */
  readonly tables: Map<string, CreatedTable>;
  readonly validated: { sql: string; errors: number }[];
  close(): void;
}

const trino = new TrinoSQL();

export interface CreatedTable {
  readonly format: string;
  /** The table's LOCATION, `s3://bucket/prefix/`. */
  readonly location: string;
  readonly columns: readonly string[];
}

/** A Parquet file of CloudFront v2 logs: every documented column a string (AWS's Parquet table has them so). */
export async function parquetOf(
  records: readonly Readonly<Record<string, string>>[],
  columnOf: (field: string) => string | undefined,
  workDir: string,
): Promise<Uint8Array> {
  await mkdir(workDir, { recursive: true });
  const json = join(workDir, `parquet-${records.length}-${Math.random().toString(36).slice(2)}.jsonl`);
  const lines = records.map((r) =>
    JSON.stringify(
      Object.fromEntries(Object.entries(r).flatMap(([f, v]) => (columnOf(f) === undefined ? [] : [[columnOf(f), v]]))),
    ),
  );
  const columns = [...new Set(records.flatMap((r) => Object.keys(r).flatMap((f) => columnOf(f) ?? [])))];
  await writeFile(json, `${lines.join('\n')}\n`);
  const out = `${json}.parquet`;
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const struct = `{${columns.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;
    await connection.run(
      `COPY (SELECT * FROM read_json('${json}', format = 'newline_delimited', columns = ${struct})) TO '${out}' (FORMAT parquet)`,
    );
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  return new Uint8Array(await readFile(out));
}

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
  readonly artifactsBucket: string;
  readonly workDir: string;
}): Promise<DuckdbAthena> {
  const db = await DuckDBInstance.create(':memory:');
  const connection: DuckDBConnection = await db.connect();
  const tables = new Map<string, CreatedTable>();
  const validated: { sql: string; errors: number }[] = [];
  const { s3 } = options;

  async function get(bucket: string, key: string): Promise<Uint8Array> {
    const answer = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return answer.Body!.transformToByteArray();
  }

  const executor: Executor = async ({ sql }): Promise<ExecutionResult> => {
    const ddl = /^CREATE EXTERNAL TABLE IF NOT EXISTS `([a-z0-9_]+)`\.`([a-z0-9_]+)`/.exec(sql);
    if (ddl) {
      const head = sql.slice(0, sql.indexOf('\n)'));
      tables.set(`${ddl[1]}.${ddl[2]}`, {
        format: serdeFormat(sql),
        location: /\nLOCATION '([^']+)'/.exec(sql)![1]!,
        columns: [...head.matchAll(/^ {2}`([a-z0-9_]+)` string,?$/gm)].map((m) => m[1]!),
      });
      return { scannedBytes: 0 };
    }
    const m = /^UNLOAD \(\n\/\* logtune-query (.*?) \*\/\n([\s\S]*)\n\) TO '([^']+)' WITH \(format = 'JSON'\)$/.exec(
      sql,
    );
    if (!m) return { scannedBytes: 0, failure: 'SYNTAX_ERROR: the fake runs only logtune DDL and UNLOAD queries' };
    const marker = JSON.parse(m[1]!.replaceAll('*\\/', '*/')) as QueryMarker;
    // UNLOAD writes only to an empty location (docs.aws.amazon.com/athena/latest/ug/unload.html: "the TO destination
    // must specify a location in Amazon S3 that has no data … UNLOAD does not overwrite existing data").
    const to = m[3]!;
    if (!to.startsWith(`s3://${options.artifactsBucket}/`))
      return { scannedBytes: 0, failure: `the fake unloads under s3://${options.artifactsBucket}/ only, not ${to}` };
    const present = await s3.client.send(
      new ListObjectsV2Command({
        Bucket: options.artifactsBucket,
        Prefix: to.slice(`s3://${options.artifactsBucket}/`.length),
        MaxKeys: 1,
      }),
    );
    if ((present.KeyCount ?? 0) > 0)
      return { scannedBytes: 0, failure: `HIVE_PATH_ALREADY_EXISTS: Target directory for table already exists: ${to}` };
    const errors = trino.validate(m[2]!);
    validated.push({ sql: m[2]!, errors: errors.length });
    if (errors.length > 0) return { scannedBytes: 0, failure: `SYNTAX_ERROR: ${errors[0]!.message}` };
    const formats = new Map<string, CreatedTable>();
    for (const t of marker.tables) {
      const table = tables.get(t);
      if (table === undefined)
        return { scannedBytes: 0, failure: `TABLE_NOT_FOUND: line 1:1: Table '${t}' does not exist` };
      formats.set(table.format, table);
    }
    // The tables' location: the files a query can read (every table of a build has the same one).
    const location = [...formats.values()][0]!.location;
    const bucketPrefix = `s3://${options.logsBucket}/`;
    if (!location.startsWith(bucketPrefix))
      return { scannedBytes: 0, failure: `the fake serves logs from ${bucketPrefix} only, not ${location}` };
    const listed = await s3.client.send(
      new ListObjectsV2Command({ Bucket: options.logsBucket, Prefix: location.slice(bucketPrefix.length) }),
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
      let format = formatOfKey(key)!;
      if (format === 'parquet') {
        // Read by column name as the table's columns, then handed to DuckDB as the JSON lines of their fields.
        const table = formats.get('parquet')!;
        const known = new Map(
          tableColumns([...CANONICAL_FIELDS, marker.params.labelField]).map((c) => [c.name, c.field]),
        );
        const read = (await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`)).getRowObjectsJS();
        const lines = read.map((row) =>
          JSON.stringify(
            Object.fromEntries(
              table.columns.flatMap((c) =>
                row[c] === null || row[c] === undefined ? [] : [[known.get(c) ?? c, String(row[c])]],
              ),
            ),
          ),
        );
        text = `${lines.join('\n')}\n`;
        await writeFile(path, text);
        format = 'jsonl';
      }
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
      const key = `${to.slice(`s3://${options.artifactsBucket}/`.length)}part-${i}.json.gz`;
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
