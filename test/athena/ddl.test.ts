import { describe, expect, it } from 'vitest';
import {
  CLOUDFRONT_PARQUET_COLUMNS,
  rangePredicate,
  renderTableDdl,
  storageTemplate,
  tableColumns,
  type TableSpec,
} from '../../src/athena/ddl.ts';
import { NotSupportedError } from '../../src/errors.ts';

const base: Omit<TableSpec, 'format' | 'columns'> = {
  database: 'logtune_logs',
  table: 'logtune_csv_0123456789ab',
  location: 's3://logs/cf/',
  layout: '{yyyy}/{MM}/{dd}/',
  distributions: [],
  years: [2024, 2024],
};

describe('the table DDL', () => {
  it('names columns as Hive keeps them and remembers the field each reads', () => {
    expect(tableColumns(['date', 'cs(Host)', 'x-edge-location', 'ThreatLevel', 'cs-host', 'year'])).toEqual([
      { name: 'date', field: 'date' },
      { name: 'cs_host', field: 'cs(Host)' },
      { name: 'x_edge_location', field: 'x-edge-location' },
      { name: 'threatlevel', field: 'ThreatLevel' },
      { name: 'cs_host_2', field: 'cs-host' },
      { name: 'year_2', field: 'year' },
    ]);
  });

  it('the seed CSV: OpenCSVSerde, one header line, projection on the date folders', () => {
    const ddl = renderTableDdl({
      ...base,
      format: 'csv',
      columns: tableColumns(['date', 'cs-uri-stem', 'ThreatLevel']),
    });
    expect(ddl).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `logtune_logs`\.`logtune_csv_0123456789ab` \(/);
    expect(ddl).toContain("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'");
    expect(ddl).toContain('PARTITIONED BY (year int, month int, day int)');
    expect(ddl).toContain("'skip.header.line.count' = '1'");
    expect(ddl).toContain("'storage.location.template' = 's3://logs/cf/${year}/${month}/${day}/'");
    expect(ddl).toContain("'projection.month.digits' = '2'");
  });

  it('legacy W3C: tab-separated, two header lines', () => {
    const ddl = renderTableDdl({ ...base, format: 'w3c', columns: tableColumns(['date', 'time']) });
    expect(ddl).toContain("ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'");
    expect(ddl).toContain("'skip.header.line.count' = '2'");
  });

  it('v2 JSON on Hive-compatible paths: OpenX JSON SerDe mapping keys that are not column names, distributionid as an enum', () => {
    const ddl = renderTableDdl({
      ...base,
      format: 'jsonl',
      layout: 'distributionid={distribution}/year={yyyy}/month={MM}/day={dd}/',
      distributions: ['E1AAA', 'E2BBB'],
      columns: tableColumns(['date', 'cs(Host)']),
    });
    expect(ddl).toContain("ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'");
    expect(ddl).toContain("'mapping.cs_host' = 'cs(Host)'");
    expect(ddl).not.toContain("'mapping.date'");
    expect(ddl).toContain('PARTITIONED BY (distributionid string, year int, month int, day int)');
    expect(ddl).toContain("'projection.distributionid.values' = 'E1AAA,E2BBB'");
    expect(ddl).toContain(
      "'storage.location.template' = 's3://logs/cf/distributionid=${distributionid}/year=${year}/month=${month}/day=${day}/'",
    );
  });

  it('v2 Parquet: ParquetHiveSerDe over AWS’s documented columns', () => {
    const ddl = renderTableDdl({
      ...base,
      format: 'parquet',
      columns: tableColumns([...CLOUDFRONT_PARQUET_COLUMNS, 'ThreatLevel']),
    });
    expect(ddl).toContain("'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'");
    expect(ddl).toContain('`time_to_first_byte` string');
    expect(ddl).not.toContain('skip.header');
  });

  it('refuses layouts it cannot project, as not supported yet', () => {
    expect(() => storageTemplate('s3://logs/', '{distribution}.{yyyy}-{MM}-{dd}-{HH}.{id}.gz')).toThrow(
      NotSupportedError,
    );
    expect(() => storageTemplate('s3://logs/', '{site}/{yyyy}/{MM}/{dd}/')).toThrow(/\{site\}.*not supported yet/);
  });

  it('quotes what it embeds: a quote in a field name cannot end the string', () => {
    const ddl = renderTableDdl({ ...base, format: 'jsonl', columns: tableColumns(["it's"]) });
    expect(ddl).toContain("'mapping.it_s' = 'it''s'");
  });

  it('the range predicate spans months and years', () => {
    expect(rangePredicate('2023-12-30', '2024-01-02')).toBe(
      '(year * 10000 + month * 100 + day) BETWEEN 20231230 AND 20240102',
    );
  });
});
