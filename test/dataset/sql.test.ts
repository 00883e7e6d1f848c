import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/dataset/build.ts';
import { DATASET_FILES } from '../../src/dataset/output/folder.ts';
import { writeSampledDataset } from '../../src/dataset/output/sampledWrite.ts';
import { resolveBuildRequest, type BuildOptions } from '../../src/dataset/request/request.ts';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import {
  duckdbDialect,
  duckdbFileSource,
  quotasFromStats,
  renderSampleQuery,
  sqlParamsOf,
  renderStatsQuery,
  sampleFromRows,
  statsFromRows,
  trinoDialect,
  type DuckdbFiles,
  type SqlSampleParams,
  type SqlSource,
} from '../../src/dataset/sql/index.ts';
import type { BuildRequest, BuildSummary } from '../../src/dataset/types.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import { trickyRows } from '../helpers/contextReference.ts';
import { DROP_FIELDS, FIXTURE_RANGE, datasetFixture } from '../helpers/datasetFixture.ts';
import { LABEL_FIELD, W3C_FIELDS, toCsv } from '../helpers/syntheticLogs.ts';

/**
 * The SQL of src/dataset/sql/ against the local engine: DuckDB runs the rendering over the fixture's files in every
 * format the builder reads (the seed's CSV, gzipped CSV, CloudFront W3C .gz, JSON lines, v2 JSON with an epoch
 * timestamp), and its sample, written by sampledWrite.ts, must equal the local build byte for byte; the Trino
 * (Athena) rendering must parse under a Trino grammar.
 */
const NOW = new Date('2024-06-10T12:00:00Z');
const ALL_FIELDS = [...W3C_FIELDS, LABEL_FIELD];

let root: string;
let logs: string;
let db: DuckDBInstance;
let connection: DuckDBConnection;
let fixtureSource: SqlSource;

async function writeFiles(dir: string, files: readonly { key: string; bytes: Uint8Array | string }[]): Promise<void> {
  for (const file of files) {
    const path = join(dir, file.key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.bytes);
  }
}

/** The files the local build reads (listed for the range, not skipped as bad), by format, for DuckDB. */
function sourceOf(dir: string, keys: readonly string[]): SqlSource {
  const listed = keys.filter((k) => /^2024\/04\/0[1-3]\//.test(k) && !k.includes('/bad-'));
  const paths = (test: (k: string) => boolean) => listed.filter(test).map((k) => join(dir, k));
  const groups: DuckdbFiles[] = [
    { format: 'csv', paths: paths((k) => /\.csv(\.gz)?$/.test(k)), columns: ALL_FIELDS },
    { format: 'w3c', paths: paths((k) => k.endsWith('.log.gz')), columns: ALL_FIELDS },
    { format: 'jsonl', paths: paths((k) => k.endsWith('.jsonl')), columns: ['timestamp', ...ALL_FIELDS] },
  ];
  return duckdbFileSource(duckdbDialect, groups, { fileName: (f) => `substr(${f}, ${dir.length + 2})` });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-sql-'));
  logs = join(root, 'logs');
  const { objects } = datasetFixture();
  await writeFiles(logs, objects);
  fixtureSource = sourceOf(
    logs,
    objects.map((o) => o.key),
  );
  db = await DuckDBInstance.create(':memory:');
  connection = await db.connect();
}, 30_000);

afterAll(async () => {
  connection?.closeSync();
  db?.closeSync();
  if (root) await rm(root, { recursive: true, force: true });
});

interface Dataset {
  readonly train: string;
  readonly validation: string;
}

let outs = 0;
async function readDataset(dir: string): Promise<Dataset> {
  return {
    train: await readFile(join(dir, DATASET_FILES.train), 'utf8'),
    validation: await readFile(join(dir, DATASET_FILES.validation), 'utf8'),
  };
}

function requestFor(logsUri: string, options: Partial<BuildOptions>): BuildRequest {
  return resolveBuildRequest(
    loadDataSettings({ LOGTUNE_PARSE_WORKERS: '0', LOGTUNE_FETCH_CONCURRENCY: '4' }),
    { rangeText: FIXTURE_RANGE.text, logsUri, outUri: join(root, `out-${++outs}`), maxExamples: 100, ...options },
    NOW,
  );
}

async function localBuild(request: BuildRequest): Promise<Dataset & { summary: BuildSummary }> {
  const summary = await buildDataset(request);
  return { ...(await readDataset(request.outUri)), summary };
}

/** The same build through the SQL: stats, quotas, sample, written as the local engine writes. */
async function duckdbBuild(source: SqlSource, request: BuildRequest) {
  const params = sqlParamsOf(request);
  const statsRows = (await connection.runAndReadAll(renderStatsQuery(duckdbDialect, source, params))).getRowObjectsJS();
  const stats = statsFromRows(statsRows, { maxInputLength: request.maxInputLength });
  const quotas = quotasFromStats(stats, request.balance, request.maxExamples as number);
  const sampleParams: SqlSampleParams = { ...params, quotas };
  const sampleSql = renderSampleQuery(duckdbDialect, source, sampleParams);
  const rows = (await connection.runAndReadAll(sampleSql)).getRowObjectsJS();
  const out = join(root, `duck-${++outs}`);
  const written = await writeSampledDataset(new LocalStore(out), sampleFromRows(rows), {
    seed: request.seed,
    validationRatio: request.validationRatio,
    maxInputLength: request.maxInputLength,
  });
  await written.closed;
  return { ...(await readDataset(out)), stats, written, rows };
}

describe('the sampling SQL in DuckDB over every supported format', () => {
  it.each([
    ['proportional, 100 examples', { maxExamples: 100 }],
    ['balanced, 120 examples', { maxExamples: 120, balance: 'balanced' as const }],
    ['another seed', { maxExamples: 100, seed: 7 }],
    ['every distinct example (a cap above the count)', { maxExamples: 5000 }],
    ['a larger validation share', { maxExamples: 300, validationRatio: 0.4 }],
    ['contexts cut to max_input_length', { maxExamples: 200, maxInputLength: 400 }],
  ])(
    'gives the local build’s dataset byte for byte: %s',
    async (_name, options) => {
      const request = requestFor(logs, options);
      const local = await localBuild(request);
      const sql = await duckdbBuild(fixtureSource, request);
      expect(local.train.length).toBeGreaterThan(0);
      if ('maxInputLength' in options) expect(local.summary.examples.contextTruncated).toBeGreaterThan(0);
      expect(sql.train).toBe(local.train);
      expect(sql.validation).toBe(local.validation);
      // stats.json's counts from the stats query, as the local sink counts them.
      const { rows } = local.summary;
      expect(sql.stats.rowsInRange).toBe(rows.inRange);
      expect(sql.stats.unlabelled).toBe(rows.unlabelled);
      expect(sql.stats.duplicates).toBe(rows.duplicates);
      expect(sql.stats.unique).toBe(rows.unique);
      expect(sql.stats.rowsScanned).toBe(rows.scanned);
      expect(sql.written.groups).toEqual({ groups: rows.groups, groupedExamples: rows.groupedExamples });
      expect(sql.written.overLength).toEqual({
        contextTruncated: local.summary.examples.contextTruncated,
        droppedAnswerTooLong: local.summary.examples.droppedAnswerTooLong,
      });
      for (const [label, counts] of Object.entries(local.summary.labels)) {
        expect(sql.stats.labels[label], label).toEqual({ scanned: counts.scanned, unique: counts.unique });
      }
      expect(Object.values(sql.stats.files).reduce((a, b) => a + b, 0)).toBe(rows.scanned);
    },
    60_000,
  );

  it('counts the rows of each file it read', async () => {
    const request = requestFor(logs, {});
    const sql = await duckdbBuild(fixtureSource, request);
    expect(Object.keys(sql.stats.files).sort()).toEqual(
      expect.arrayContaining([
        '2024/04/01/part-0000.csv',
        '2024/04/02/part-0004-v2.jsonl',
        '2024/04/03/part-0002.log.gz',
      ]),
    );
    expect(sql.stats.files['2024/04/01/part-0001.csv.gz']).toBe(60);
  }, 30_000);

  it('escapes values as JSON.stringify does (quotes, backslashes, controls, non-ASCII), in both context formats', async () => {
    const dir = join(root, 'tricky');
    const columns = [...ALL_FIELDS];
    const files = ['2024-04-01', '2024-04-02'].map((day, d) => {
      const rows = trickyRows(
        columns.filter((c) => c !== LABEL_FIELD && c !== 'date'),
        80,
        40 + d,
      ).map((row, i) => ({ ...row, date: day, [LABEL_FIELD]: ['a', 'b', 'c'][i % 3]! }));
      // NUL is not text to DuckDB's CSV reader; every other control character is.
      const clean = rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v.replaceAll('\u0000', '')])),
      );
      return { key: `${day.replaceAll('-', '/')}/part-0000.csv`, bytes: toCsv(clean) };
    });
    await writeFiles(dir, files);
    const source = sourceOf(
      dir,
      files.map((f) => f.key),
    );
    for (const contextFormat of ['compact', 'full'] as const) {
      const request = requestFor(dir, { maxExamples: 90, contextFormat, maxInputLength: 4096 });
      const local = await localBuild(request);
      const sql = await duckdbBuild(source, request);
      expect(local.train + local.validation).toMatch(/\\\\u001f|\\\\n|\\\\\\\\|中文/);
      expect(sql.train, contextFormat).toBe(local.train);
      expect(sql.validation, contextFormat).toBe(local.validation);
    }
  }, 60_000);

  it('refuses parameters it cannot render, before anything runs', () => {
    const params = {
      seed: 1,
      range: { start: '2024-04-03', end: '2024-04-01' },
      labelField: LABEL_FIELD,
      dropFields: [],
      contextFormat: 'compact' as const,
      validationRatio: 0.1,
    };
    expect(() => renderStatsQuery(duckdbDialect, fixtureSource, params)).toThrow(/range.start/);
    expect(() =>
      renderSampleQuery(duckdbDialect, fixtureSource, { ...params, range: FIXTURE_RANGE, quotas: { a: -1 } }),
    ).toThrow();
    expect(() =>
      renderStatsQuery(duckdbDialect, { ...fixtureSource, cells: { date: 'x' } }, { ...params, range: FIXTURE_RANGE }),
    ).toThrow(/label field/);
  });
});

describe('the sampling SQL for Athena (Trino)', () => {
  /** A table as Athena's CloudFront documentation lays it out: its own column names, W3C values still encoded. */
  const columnOf = (field: string) => field.replace(/[()]/g, '_').replaceAll('-', '_').toLowerCase();
  const athena: SqlSource = {
    from: 'logtune.cloudfront_w3c',
    cells: Object.fromEntries(ALL_FIELDS.map((f) => [f, trinoDialect.urlDecode(`"${columnOf(f)}"`)])),
    file: '"$path"',
    fileDay: "concat(year, '-', month, '-', day)",
    where:
      "concat(year, '-', month, '-', day) BETWEEN '2024-04-01' AND '2024-04-03' AND \"$path\" NOT IN ('s3://logs/bad.gz')",
  };
  const params = {
    seed: 42,
    range: { start: '2024-04-01', end: '2024-04-03' },
    labelField: LABEL_FIELD,
    dropFields: [...DROP_FIELDS],
    contextFormat: 'compact' as const,
    validationRatio: 0.1,
  };
  const trino = new TrinoSQL();

  it.each([
    ['stats', renderStatsQuery(trinoDialect, athena, params)],
    [
      'sample, per-label quotas',
      renderSampleQuery(trinoDialect, athena, { ...params, quotas: { benign: 80, "it's": 5 } }),
    ],
    ['sample, one quota (a chunk’s candidates)', renderSampleQuery(trinoDialect, athena, { ...params, quotas: 1000 })],
    ['sample, full contexts', renderSampleQuery(trinoDialect, athena, { ...params, contextFormat: 'full', quotas: 3 })],
  ])('%s parses under the Trino grammar', (_name, sql) => {
    expect(trino.validate(sql)).toEqual([]);
    expect(sql).toContain('lower(to_hex(md5(to_utf8(');
    expect(sql).not.toContain('regexp_matches');
  });

  it('is refused by the grammar when broken (the check can fail)', () => {
    const sql = renderStatsQuery(trinoDialect, athena, params);
    expect(trino.validate(sql.replace('GROUP BY GROUPING SETS', 'GROUP GROUPING SETS')).length).toBeGreaterThan(0);
  });
});
