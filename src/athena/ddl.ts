import { NotSupportedError } from '../errors.ts';
import { assertProjectable } from './engine.ts';

/**
 * The table logtune creates (once, `CREATE EXTERNAL TABLE IF NOT EXISTS`: DDL is free in Athena) over the logs of one
 * layout and format, with partition projection on the date path so a query reads only the range's folders and no
 * partition is ever added by hand. The SerDes, properties and projection keys follow AWS's documented CloudFront
 * tables (Athena User Guide, "Query Amazon CloudFront logs"):
 *
 * - legacy W3C (tab-separated, two header lines): https://docs.aws.amazon.com/athena/latest/ug/cloudfront-logs.html
 *   (LazySimpleSerDe, FIELDS TERMINATED BY '\t', 'skip.header.line.count'='2');
 * - v2 JSON: https://docs.aws.amazon.com/athena/latest/ug/create-cloudfront-table-partition-json.html
 *   (org.openx.data.jsonserde.JsonSerDe; projection on distributionid (enum), year, month, day, hour (integer));
 * - v2 Parquet: https://docs.aws.amazon.com/athena/latest/ug/create-cloudfront-table-partition-parquet.html
 *   (ParquetHiveSerDe, MapredParquetInputFormat; the same projection);
 * - the seed's CSV with a header row: OpenCSVSerde with 'skip.header.line.count'='1'
 *   (https://docs.aws.amazon.com/athena/latest/ug/csv-serde.html).
 *
 * Hours are not projected: a day's partition location is its folder, and Athena reads every object below it, so
 * hourly folders (v2's {HH}) are read with their day.
 */
export type TableFormat = 'csv' | 'w3c' | 'jsonl' | 'parquet';

export interface TableColumn {
  /** The column's name in the table: lower case, [a-z0-9_] (what Hive keeps). */
  readonly name: string;
  /** The field's name in the logs, as the context shows it (`cs(Host)`). */
  readonly field: string;
}

export interface TableSpec {
  readonly database: string;
  readonly table: string;
  readonly format: TableFormat;
  /** s3://bucket/prefix/ of the logs (LOGTUNE_LOGS_URI). */
  readonly location: string;
  /** The layout's key template under it, ending in `/` (see assertProjectable). */
  readonly layout: string;
  readonly columns: readonly TableColumn[];
  /** Values of {distribution} in the layout, found by listing (the projection's enum). */
  readonly distributions: readonly string[];
  /** The first and last year the projection spans (the range's; widened by later builds' own tables). */
  readonly years: readonly [number, number];
}

/**
 * The Parquet columns of a CloudFront v2 delivery, as AWS's Parquet table above lists them (Parquet files carry
 * their own names, so a table must use these); the label is the enrichment column the logs were joined with.
 */
export const CLOUDFRONT_PARQUET_COLUMNS: readonly string[] = Object.freeze([
  'date',
  'time',
  'x_edge_location',
  'sc_bytes',
  'c_ip',
  'cs_method',
  'cs_host',
  'cs_uri_stem',
  'sc_status',
  'cs_referer',
  'cs_user_agent',
  'cs_uri_query',
  'cs_cookie',
  'x_edge_result_type',
  'x_edge_request_id',
  'x_host_header',
  'cs_protocol',
  'cs_bytes',
  'time_taken',
  'x_forwarded_for',
  'ssl_protocol',
  'ssl_cipher',
  'x_edge_response_result_type',
  'cs_protocol_version',
  'fle_status',
  'fle_encrypted_fields',
  'c_port',
  'time_to_first_byte',
  'x_edge_detailed_result_type',
  'sc_content_type',
  'sc_content_len',
  'sc_range_start',
  'sc_range_end',
]);

/** Field names → table columns: lower case, other characters as `_`, a clash numbered (`cs_host_2`). */
export function tableColumns(fields: readonly string[]): TableColumn[] {
  const used = new Set<string>();
  return fields.map((field) => {
    const base =
      field
        .toLowerCase()
        .replace(/[^a-z0-9_]/g, '_')
        .replace(/^_+|_+$/g, '') || 'col';
    let name = /^[0-9]/.test(base) ? `c_${base}` : base;
    for (let n = 2; used.has(name) || PARTITION_COLUMNS.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return { name, field };
  });
}

const PARTITION_COLUMNS = new Set(['distributionid', 'year', 'month', 'day']);

/** SQL string literal: the only quoting needed inside DDL properties. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** An identifier Athena DDL accepts in backticks (names come from tableColumns or settings: [a-z0-9_]). */
function ident(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`internal: unsafe identifier ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** The layout's date path as a projection storage template: {yyyy} → ${year}, {distribution} → ${distributionid}. */
export function storageTemplate(location: string, layout: string): string {
  assertProjectable(layout);
  const other = [...layout.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]!).filter((t) => !KNOWN_TOKENS.has(t));
  if (other.length > 0)
    throw new NotSupportedError(
      `the Athena engine on a layout with {${other[0]}} (${layout}): only {distribution}, {yyyy}, {MM} and {dd} can be projected`,
    );
  const base = location.endsWith('/') ? location : `${location}/`;
  return (
    base +
    layout
      .replaceAll('{yyyy}', '${year}')
      .replaceAll('{MM}', '${month}')
      .replaceAll('{dd}', '${day}')
      .replaceAll('{distribution}', '${distributionid}')
  );
}

const KNOWN_TOKENS = new Set(['yyyy', 'MM', 'dd', 'distribution']);

function serdeClause(spec: TableSpec): string {
  switch (spec.format) {
    case 'csv':
      return `ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '"', 'escapeChar' = '\\\\')
STORED AS TEXTFILE`;
    case 'w3c':
      return `ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'`;
    case 'jsonl': {
      // OpenX maps a JSON key to a column by name; keys that are not valid column names are mapped explicitly.
      const mappings = spec.columns
        .filter((c) => c.name !== c.field.toLowerCase())
        .map((c) => `${sqlString(`mapping.${c.name}`)} = ${sqlString(c.field)}`);
      const properties = ["'ignore.malformed.json' = 'false'", ...mappings].join(',\n  ');
      return `ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  ${properties}
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'`;
    }
    case 'parquet':
      return `ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'`;
  }
}

/** Header lines a text format starts each file with: CSV's column row, W3C's #Version and #Fields. */
const HEADER_LINES: Record<TableFormat, number> = { csv: 1, w3c: 2, jsonl: 0, parquet: 0 };

export function renderTableDdl(spec: TableSpec): string {
  const template = storageTemplate(spec.location, spec.layout);
  const byDistribution = spec.layout.includes('{distribution}');
  if (byDistribution && spec.distributions.length === 0)
    throw new Error('internal: a {distribution} layout needs its distribution ids for the projection');
  const columns = spec.columns.map((c) => `  ${ident(c.name)} string`).join(',\n');
  const partitions = [...(byDistribution ? ['distributionid string'] : []), 'year int', 'month int', 'day int'];
  const [first, last] = spec.years;
  const properties: [string, string][] = [
    ['projection.enabled', 'true'],
    ...(byDistribution
      ? ([
          ['projection.distributionid.type', 'enum'],
          ['projection.distributionid.values', spec.distributions.join(',')],
        ] as [string, string][])
      : []),
    ['projection.year.type', 'integer'],
    ['projection.year.range', `${first},${last}`],
    ['projection.month.type', 'integer'],
    ['projection.month.range', '1,12'],
    ['projection.month.digits', '2'],
    ['projection.day.type', 'integer'],
    ['projection.day.range', '1,31'],
    ['projection.day.digits', '2'],
    ['storage.location.template', template],
    ...(HEADER_LINES[spec.format] > 0
      ? ([['skip.header.line.count', String(HEADER_LINES[spec.format])]] as [string, string][])
      : []),
  ];
  return `CREATE EXTERNAL TABLE IF NOT EXISTS ${ident(spec.database)}.${ident(spec.table)} (
${columns}
)
PARTITIONED BY (${partitions.join(', ')})
${serdeClause(spec)}
LOCATION ${sqlString(spec.location.endsWith('/') ? spec.location : `${spec.location}/`)}
TBLPROPERTIES (
${properties.map(([k, v]) => `  ${sqlString(k)} = ${sqlString(v)}`).join(',\n')}
)`;
}

/**
 * The table's name: one per source, layout, format and column set, so a change in any of them is a new table and
 * an old one is never read with the wrong columns. `IF NOT EXISTS` then makes a rebuild free and idempotent.
 */
export function tableName(material: string, format: TableFormat, hash: (text: string) => string): string {
  return `logtune_${format}_${hash(material).slice(0, 12)}`;
}

/** The partition filter that keeps a query to the range's days (projection enumerates and prunes by it). */
export function rangePredicate(start: string, end: string): string {
  const asNumber = (day: string) => Number(day.replaceAll('-', ''));
  return `(year * 10000 + month * 100 + day) BETWEEN ${asNumber(start)} AND ${asNumber(end)}`;
}
