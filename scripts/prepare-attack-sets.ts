/**
 * Turns a downloaded public, labelled HTTP attack data set into CloudFront standard-log CSV files for
 * `npm run bench -- --baseline` (docs/baseline.md says where to get each one). Only the request fields come from
 * the data; every other field (date, time, edge, client, sizes, status, request id) is drawn from a seeded
 * generator that never looks at the label, so nothing but the request can predict it. Reads local files only.
 *
 *   npx tsx scripts/prepare-attack-sets.ts httpparams <out dir> payload_train.csv payload_test.csv
 *   npx tsx scripts/prepare-attack-sets.ts csic <out dir> --normal norm_test.txt --anomalous anomal_test.txt
 *
 * Writes <out dir>/logs/2024/04/<dd>/part-<n>.csv (layout {yyyy}/{MM}/{dd}/, label column `label`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { CANONICAL_FIELDS } from '../src/dataset/examples/example.ts';
import { seededRandom, shuffle } from '../src/dataset/sampling/random.ts';

const LABEL = 'label';
const ROWS_PER_FILE = 5_000;
const DAYS = ['01', '02', '03', '04', '05', '06', '07'];

interface Request {
  readonly label: string;
  readonly method: string;
  readonly stem: string;
  readonly query: string;
  readonly userAgent?: string;
  readonly cookie?: string;
  readonly referer?: string;
  readonly host?: string;
  readonly contentType?: string;
}

const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
];
const EDGES = ['DFW3', 'SEA19-C1', 'IAD89-P2', 'FRA56-C2', 'NRT57-P3', 'LHR61-C1'];
const STEMS = ['/search', '/api/v1/items', '/account/update', '/products', '/cart/add', '/comments', '/profile'];
const PARAMS = ['q', 'id', 'name', 'value', 'term', 'filter', 'comment'];

function pick<T>(items: readonly T[], r: () => number): T {
  return items[Math.floor(r() * items.length)]!;
}

/** HttpParamsDataset (github.com/Morzeux/HttpParamsDataset): "payload","length","attack_type","label". */
function readHttpParams(files: readonly string[], r: () => number): Request[] {
  const out: Request[] = [];
  for (const file of files) {
    const parsed = Papa.parse<Record<string, string>>(readFileSync(file, 'utf8'), {
      header: true,
      skipEmptyLines: true,
    });
    for (const row of parsed.data) {
      const payload = row.payload;
      const label = row.attack_type;
      if (payload === undefined || label === undefined) continue;
      // Where the value travels is chosen without the label: a parameter of a request to one of a few pages.
      out.push({
        label,
        method: 'GET',
        stem: pick(STEMS, r),
        query: `${pick(PARAMS, r)}=${encodeURIComponent(payload)}`,
      });
    }
  }
  return out;
}

/** CSIC 2010 raw requests: a request line, headers, a blank line, then the body for POST/PUT. */
function readCsic(file: string, label: string): Request[] {
  const text = readFileSync(file, 'latin1').replace(/\r\n/g, '\n');
  const out: Request[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const start = /^(GET|POST|PUT|DELETE|HEAD|OPTIONS|TRACE) (\S+) HTTP\/\d\.\d$/.exec(lines[i]!);
    if (start === null) {
      i++;
      continue;
    }
    const headers = new Map<string, string>();
    for (i++; i < lines.length && lines[i] !== ''; i++) {
      const colon = lines[i]!.indexOf(':');
      if (colon > 0) headers.set(lines[i]!.slice(0, colon).toLowerCase(), lines[i]!.slice(colon + 1).trim());
    }
    i++; // the blank line
    let body = '';
    if (Number(headers.get('content-length') ?? 0) > 0 && i < lines.length) body = lines[i++]!;
    // Split by hand: URL parsing would resolve `../` and re-encode, and those are what attacks look like.
    const target = start[2]!.replace(/^https?:\/\/[^/]+/, '');
    const mark = target.indexOf('?');
    const stem = mark === -1 ? target : target.slice(0, mark);
    const query = [mark === -1 ? '' : target.slice(mark + 1), body].filter((part) => part !== '').join('&');
    out.push({
      label,
      method: start[1]!,
      stem,
      query,
      ...(headers.has('user-agent') && { userAgent: headers.get('user-agent')! }),
      ...(headers.has('cookie') && { cookie: headers.get('cookie')! }),
      ...(headers.has('host') && { host: headers.get('host')! }),
      ...(headers.has('content-type') && { contentType: headers.get('content-type')! }),
    });
  }
  return out;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** One CloudFront row: the request's own fields, everything else drawn without looking at the label. */
function rowOf(request: Request, r: () => number): Record<string, string> {
  const requestId = Array.from({ length: 40 }, () =>
    pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'], r),
  ).join('');
  const row: Record<string, string> = Object.fromEntries(CANONICAL_FIELDS.map((f) => [f, '-']));
  Object.assign(row, {
    date: `2024-04-${pick(DAYS, r)}`,
    time: `${two(Math.floor(r() * 24))}:${two(Math.floor(r() * 60))}:${two(Math.floor(r() * 60))}`,
    'x-edge-location': pick(EDGES, r),
    'sc-bytes': String(200 + Math.floor(r() * 40_000)),
    'c-ip': `${1 + Math.floor(r() * 223)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`,
    'cs-method': request.method,
    'cs(Host)': 'd111111abcdef8.cloudfront.net',
    'cs-uri-stem': request.stem,
    'sc-status': pick(['200', '200', '200', '200', '302', '404', '500'], r),
    'cs(Referer)': request.referer ?? '-',
    'cs(User-Agent)': request.userAgent ?? pick(BROWSERS, r),
    'cs-uri-query': request.query === '' ? '-' : request.query,
    'cs(Cookie)': request.cookie ?? '-',
    'x-edge-result-type': pick(['Miss', 'Hit', 'RefreshHit'], r),
    'x-edge-request-id': requestId,
    'x-host-header': request.host ?? 'www.example.com',
    'cs-protocol': 'https',
    'cs-bytes': String(100 + Math.floor(r() * 2_000)),
    'time-taken': (r() * 0.5).toFixed(3),
    'ssl-protocol': 'TLSv1.3',
    'ssl-cipher': 'TLS_AES_128_GCM_SHA256',
    'x-edge-response-result-type': pick(['Miss', 'Hit'], r),
    'cs-protocol-version': 'HTTP/2.0',
    'c-port': String(1024 + Math.floor(r() * 60_000)),
    'time-to-first-byte': (r() * 0.3).toFixed(3),
    'x-edge-detailed-result-type': 'Miss',
    'sc-content-type': request.contentType === undefined ? 'text/html' : 'text/html;charset=UTF-8',
  });
  row[LABEL] = request.label;
  return row;
}

function write(out: string, requests: Request[], seed: number): void {
  const r = seededRandom(seed);
  shuffle(requests, r);
  const columns = [...CANONICAL_FIELDS, LABEL];
  const counts = new Map<string, number>();
  for (let at = 0, part = 0; at < requests.length; at += ROWS_PER_FILE, part++) {
    const rows = requests.slice(at, at + ROWS_PER_FILE).map((q) => rowOf(q, r));
    for (const row of rows) counts.set(row[LABEL]!, (counts.get(row[LABEL]!) ?? 0) + 1);
    const folder = join(out, 'logs', '2024', '04', DAYS[part % DAYS.length]!);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `part-${part}.csv`), `${Papa.unparse(rows, { columns, newline: '\n' })}\n`);
  }
  process.stdout.write(
    `${requests.length} rows → ${join(out, 'logs')}: ${JSON.stringify(Object.fromEntries(counts))}\n`,
  );
}

const [kind, out, ...rest] = process.argv.slice(2);
const usage = 'usage: prepare-attack-sets.ts httpparams <out> <csv>... | csic <out> --normal <txt> --anomalous <txt>';
if (out === undefined) throw new Error(usage);
if (kind === 'httpparams') {
  write(out, readHttpParams(rest, seededRandom(1)), 2);
} else if (kind === 'csic') {
  const arg = (flag: string) => {
    const at = rest.indexOf(flag);
    if (at === -1 || rest[at + 1] === undefined) throw new Error(usage);
    return rest[at + 1]!;
  };
  write(out, [...readCsic(arg('--normal'), 'normal'), ...readCsic(arg('--anomalous'), 'anomalous')], 3);
} else {
  throw new Error(usage);
}
