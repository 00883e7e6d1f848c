import { gzipSync } from 'node:zlib';
import { CANONICAL_FIELDS } from '../../src/dataset/examples/example.ts';
import { seededRandom } from '../../src/dataset/sampling/random.ts';
import type { ObjectStore } from '../../src/objectStore/store.ts';

/**
 * Deterministic CloudFront-like traffic with a ThreatLevel label, for tests, the bench and the bundled sample.
 * Labels follow the request (injection attempts, scanners, plain browsing) so a model has something to learn.
 */
export const W3C_FIELDS = CANONICAL_FIELDS;

export const LABEL_FIELD = 'ThreatLevel';
export type SyntheticRow = Record<string, string>;

export const prng = seededRandom;

const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
];
const SCANNERS = ['sqlmap/1.7.2#stable (https://sqlmap.org)', 'Nikto/2.5.0', 'masscan/1.3', 'python-requests/2.31.0'];
const PAGES = [
  '/',
  '/index.html',
  '/products',
  '/cart',
  '/api/v1/items',
  '/login',
  '/static/app.js',
  '/images/logo.png',
];
const ATTACKS = [
  ['/login', "user=admin'--&pass=x"],
  ['/api/v1/items', 'id=1%20UNION%20SELECT%20password%20FROM%20users'],
  ['/../../etc/passwd', '-'],
  ['/search', 'q=%3Cscript%3Ealert(1)%3C/script%3E'],
] as const;
const EDGES = ['DFW3', 'SEA19-C1', 'IAD89-P2', 'FRA56-C2', 'NRT57-P3'];

function pick<T>(items: readonly T[], r: () => number): T {
  return items[Math.floor(r() * items.length)]!;
}

export function syntheticRow(day: string, index: number, r: () => number): SyntheticRow {
  const roll = r();
  const label = roll < 0.05 ? 'malicious' : roll < 0.2 ? 'suspicious' : 'benign';
  const [stem, query] =
    label === 'malicious'
      ? pick(ATTACKS, r)
      : label === 'suspicious'
        ? [pick(['/wp-admin', '/.env', '/admin.php', '/.git/config'], r), '-']
        : [
            pick(PAGES, r),
            r() < 0.7
              ? `page=${Math.floor(r() * 50)}&sort=${pick(['price', 'name', 'rating'], r)}&utm_source=newsletter&utm_campaign=spring-sale`
              : '-',
          ];
  const agent = label === 'benign' ? pick(BROWSERS, r) : pick(SCANNERS, r);
  const status = label === 'benign' ? (r() < 0.95 ? '200' : '304') : pick(['403', '404', '400'], r);
  const second = index % 86400;
  const time = [Math.floor(second / 3600), Math.floor((second % 3600) / 60), second % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  const ip = `${Math.floor(r() * 223) + 1}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`;
  const id = Array.from(
    { length: 56 },
    () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(r() * 62)],
  ).join('');
  const bytes = String(Math.floor(r() * 50000) + 200);
  return {
    date: day,
    time,
    'x-edge-location': pick(EDGES, r),
    'sc-bytes': bytes,
    'c-ip': ip,
    'cs-method': label === 'malicious' && r() < 0.5 ? 'POST' : 'GET',
    'cs(Host)': 'd111111abcdef8.cloudfront.net',
    'cs-uri-stem': stem,
    'sc-status': status,
    'cs(Referer)': label === 'benign' && r() < 0.7 ? `https://www.example.com${pick(PAGES, r)}?ref=home-banner` : '-',
    'cs(User-Agent)': agent,
    'cs-uri-query': query,
    'cs(Cookie)':
      label === 'benign' && r() < 0.8
        ? `session-id=${id.slice(0, 32)}; consent=true; ab-test=variant-${Math.floor(r() * 4)}`
        : '-',
    'x-edge-result-type': status === '200' ? 'Hit' : 'Error',
    'x-edge-request-id': id,
    'x-host-header': 'www.example.com',
    'cs-protocol': 'https',
    'cs-bytes': String(Math.floor(r() * 900) + 100),
    'time-taken': (r() * 0.5).toFixed(3),
    'x-forwarded-for': '-',
    'ssl-protocol': 'TLSv1.3',
    'ssl-cipher': 'TLS_AES_128_GCM_SHA256',
    'x-edge-response-result-type': status === '200' ? 'Hit' : 'Error',
    'cs-protocol-version': 'HTTP/2.0',
    'fle-status': '-',
    'fle-encrypted-fields': '-',
    'c-port': String(Math.floor(r() * 60000) + 1024),
    'time-to-first-byte': (r() * 0.2).toFixed(3),
    'x-edge-detailed-result-type': status === '200' ? 'Hit' : 'Error',
    'sc-content-type': 'text/html',
    'sc-content-len': bytes,
    'sc-range-start': '-',
    'sc-range-end': '-',
    [LABEL_FIELD]: label,
  };
}

export function syntheticRows(day: string, count: number, seed: number): SyntheticRow[] {
  const r = prng(seed);
  return Array.from({ length: count }, (_, i) => syntheticRow(day, seed * 7 + i, r));
}

function csvValue(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The seed's format: CSV with a header row, the label as the last column (after any enrichment `extra` columns). */
export function toCsv(rows: readonly SyntheticRow[], extra: readonly string[] = []): string {
  const columns = [...W3C_FIELDS, ...extra, LABEL_FIELD];
  const lines = [columns.join(','), ...rows.map((row) => columns.map((c) => csvValue(row[c] ?? '-')).join(','))];
  return `${lines.join('\n')}\n`;
}

const W3C_ESCAPE = /[\x00-\x20\x7f-\uffff<>"#%{}|\\^~[\]`' ]/g;

/** CloudFront standard log (W3C, tab-separated, URL-encoded values) with the label as an extra field. */
export function toW3c(rows: readonly SyntheticRow[], extra: readonly string[] = []): string {
  const columns = [...W3C_FIELDS, ...extra, LABEL_FIELD];
  const encode = (v: string) =>
    v.replace(W3C_ESCAPE, (c) =>
      encodeURIComponent(c).replace(/[!'()*]/g, (x) => `%${x.charCodeAt(0).toString(16).toUpperCase()}`),
    );
  const lines = [
    '#Version: 1.0',
    `#Fields: ${columns.join(' ')}`,
    ...rows.map((row) => columns.map((c) => encode(row[c] ?? '-')).join('\t')),
  ];
  return `${lines.join('\n')}\n`;
}

export function toJsonLines(rows: readonly SyntheticRow[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
}

export interface SeedLayoutOptions {
  readonly days: readonly string[];
  readonly filesPerDay: number;
  readonly rowsPerFile: number;
  readonly gzip?: boolean;
  readonly seed?: number;
}

/** Writes `{yyyy}/{MM}/{dd}/part-NNNN.csv[.gz]` files; returns the rows written per label. */
export async function writeSeedLayout(store: ObjectStore, options: SeedLayoutOptions): Promise<Record<string, number>> {
  const labels: Record<string, number> = {};
  let seed = options.seed ?? 1;
  for (const day of options.days) {
    const folder = day.replaceAll('-', '/');
    const writes: Promise<void>[] = [];
    for (let f = 0; f < options.filesPerDay; f++) {
      const rows = syntheticRows(day, options.rowsPerFile, seed++);
      for (const row of rows) labels[row[LABEL_FIELD]!] = (labels[row[LABEL_FIELD]!] ?? 0) + 1;
      const csv = toCsv(rows);
      const name = `${folder}/part-${String(f).padStart(4, '0')}.csv${options.gzip ? '.gz' : ''}`;
      writes.push(options.gzip ? putBytes(store, name, gzipSync(csv)) : store.put(name, csv));
    }
    await Promise.all(writes);
  }
  return labels;
}

async function putBytes(store: ObjectStore, key: string, bytes: Uint8Array): Promise<void> {
  const writer = store.createWriter(key);
  await writer.write(bytes);
  await writer.close();
}
