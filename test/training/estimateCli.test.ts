import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import { priceItem } from '../aws/priceItems.ts';
import { captureStream } from '../helpers/captureStream.ts';
import { ObservationsRepo, SqlitePriceCache } from '../../src/training/priceRepo.ts';
import { openDatabase } from '../../src/db/db.ts';
import { MIGRATIONS } from '../../src/app/migrations.ts';
import { writeSeedLayout } from '../helpers/syntheticLogs.ts';

let root: string;
let logs: string;
let artifacts: string;
let refusedPort: number;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'logtune-estimate-'));
  logs = join(root, 'logs');
  artifacts = join(root, 'artifacts');
  await writeSeedLayout(new LocalStore(logs), {
    days: ['2024-04-01', '2024-04-02'],
    filesPerDay: 1,
    rowsPerFile: 40,
    seed: 5,
  });
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  refusedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The AWS SDK reads its own settings from the process environment; logtune's come through the CLI's env. */
function awsEnv(pricingEndpoint: string) {
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFAKE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'fake');
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  vi.stubEnv('AWS_ENDPOINT_URL_PRICING', pricingEndpoint);
}

async function run(argv: string[], extra: Record<string, string> = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const env = { LOGTUNE_PARSE_WORKERS: '0', LOGTUNE_LOGS_URI: logs, LOGTUNE_ARTIFACTS_URI: artifacts, ...extra };
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, env });
  return { code, stdout, stderr };
}

describe('logtune estimate', () => {
  it('offline: reuses the finished dataset of the range and prices from the dated snapshot, saying so', async () => {
    awsEnv(`http://127.0.0.1:${refusedPort}`);
    const built = await run(['dataset', '2024-04-01..2024-04-02']);
    expect(built.code).toBe(0);
    const dataset = JSON.parse(built.stdout.text()) as { datasetId: string; tokens: { totalTokens: number } };

    const { code, stdout, stderr } = await run(['estimate', '2024-04-01..2024-04-02', '--epochs', '2']);
    expect(stderr.text()).not.toMatch(/logtune: /);
    expect(code).toBe(0);
    expect(stdout.writes).toHaveLength(1);
    const out = JSON.parse(stdout.text());
    expect(out).toMatchObject({
      datasetId: dataset.datasetId,
      reusedDataset: true,
      tokens: dataset.tokens.totalTokens,
      epochs: 2,
      region: 'us-east-1',
    });
    expect(out.chosen).toMatchObject({
      instanceType: 'ml.g5.12xlarge',
      usdPerHour: 7.09,
      basis: 'published figure',
      price: { source: 'snapshot', asOf: '2023-09' },
    });
    expect(out.rows.map((r: { instanceType: string }) => r.instanceType)).toEqual([
      'ml.g5.12xlarge',
      'ml.g5.24xlarge',
      'ml.g5.48xlarge',
      'ml.p3dn.24xlarge',
    ]);
    expect(out.rows[3]).toMatchObject({
      usd: null,
      priceError: expect.stringContaining('no training price for ml.p3dn.24xlarge'),
    });
    expect(out.rows.filter((r: { cheapest: boolean }) => r.cheapest)).toHaveLength(1);
    // The cap: the high end plus 20%, and the runtime it buys at the price shown.
    expect(out.capUsd).toBeCloseTo(Math.ceil(out.chosen.usd.high * 1.2 * 100) / 100, 10);
    expect((7.09 * out.maxRuntimeSeconds) / 3600).toBeLessThanOrEqual(out.capUsd);

    const table = stderr.text();
    expect(table).toContain(`Using dataset ${dataset.datasetId}`);
    // Approving accepts Meta's licence for the account: said before anyone approves.
    expect(table).toContain(
      "accepts Meta's Llama 2 Community License on the AWS account's behalf (JumpStart launches Llama 2 only with accept_eula=true): https://ai.meta.com/llama/license/",
    );
    expect(table).toMatch(/^> ml\.g5\.12xlarge .*cheapest$/m);
    expect(table).toMatch(/^ {2}ml\.p3dn\.24xlarge .*no price/m);
    expect(table).toMatch(
      /^Prices: bundled price snapshot \(the Pricing API did not answer: .*\): ml\.g5\.12xlarge of 2023-09, ml\.g5\.24xlarge of 2023-2026/m,
    );
    expect(table).toMatch(/Cap for ml\.g5\.12xlarge: \$\d+\.\d\d .* after \d+ s/);
  });

  it('--budget: says what the budget would cut, or that it does not pay for the smallest fine-tune (exit 2)', async () => {
    awsEnv(`http://127.0.0.1:${refusedPort}`);
    const whole = await run(['estimate', '2024-04-01..2024-04-02', '--budget', '10000']);
    expect(whole.code).toBe(0);
    expect(JSON.parse(whole.stdout.text())).toMatchObject({ capUsd: 10000, budgetSizing: { kind: 'whole' } });
    expect(whole.stderr.text()).toContain('Budget: pays for the whole dataset; nothing is cut.');
    expect(whole.stderr.text()).toContain('leaves nothing to deploy');

    const tooSmall = await run(['estimate', '2024-04-01..2024-04-02', '--budget', '1']);
    expect(tooSmall.code).toBe(2);
    expect(JSON.parse(tooSmall.stdout.text()).budgetSizing).toMatchObject({ kind: 'refused' });
    expect(tooSmall.stderr.text()).toMatch(/Budget: a budget of \$1\.00 does not pay for the start-up/);
    expect((await run(['estimate', '2024-04-01..2024-04-02', '--budget', 'lots'])).code).toBe(2);
  });

  it('builds the dataset when none matches, and uses the Pricing API when it answers', async () => {
    const served: string[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          Filters: { Field: string; Value: string }[];
        };
        const instance = body.Filters.find((f) => f.Field === 'instanceName')!.Value;
        served.push(String(req.headers['x-amz-target']));
        const usd = {
          'ml.g5.12xlarge': '7.0900000000',
          'ml.g5.24xlarge': '10.1800000000',
          'ml.g5.48xlarge': '20.3600000000',
          'ml.p3dn.24xlarge': '43.6800000000',
        }[instance]!;
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            FormatVersion: 'aws_v1',
            PriceList: [priceItem(`USE1-Train:${instance}`, usd, { publicationDate: '2026-11-20T18:03:11Z' })],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      awsEnv(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
      const { code, stdout, stderr } = await run(['estimate', '2024-04-02', '--instance', 'ml.g5.48xlarge']);
      expect(stderr.text()).not.toMatch(/logtune: /);
      expect(code).toBe(0);
      const out = JSON.parse(stdout.text());
      expect(out.reusedDataset).toBe(false);
      expect(stderr.text()).toContain('No finished dataset for');
      expect(out.chosen).toMatchObject({
        instanceType: 'ml.g5.48xlarge',
        usdPerHour: 20.36,
        price: { source: 'pricing-api', asOf: '2026-11-20T18:03:11Z' },
      });
      expect(out.rows[3]).toMatchObject({ usdPerHour: 43.68 });
      expect(served).toEqual(Array(4).fill('AWSPriceListService.GetProducts'));
      expect(stderr.text()).toContain(
        'Prices: AWS Pricing API: ml.g5.12xlarge of 2026-11-20, ml.g5.24xlarge of 2026-11-20',
      );
      expect(stderr.text()).toMatch(/^> ml\.g5\.48xlarge/m);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses an unsupported instance type and a missing region with exit 2', async () => {
    const bad = await run(['estimate', '2024-04-01', '--instance', 'ml.g5.2xlarge']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.text()).toContain('--instance must be one of ml.g5.12xlarge');
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    vi.stubEnv('AWS_CONFIG_FILE', join(root, 'no-config'));
    vi.stubEnv('AWS_PROFILE', '');
    const noRegion = await run(['estimate', '2024-04-01']);
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr.text()).toMatch(/^logtune: AWS_REGION: is not set/);
  });
  it('fits to the finished runs the bot recorded, and uses its price cache, when LOGTUNE_DB names its database', async () => {
    awsEnv(`http://127.0.0.1:${refusedPort}`);
    const dbPath = join(root, 'bot.db');
    const db = openDatabase(dbPath, MIGRATIONS);
    new ObservationsRepo(db).add(
      'logtune-ft-old',
      { instanceType: 'ml.g5.12xlarge', instanceCount: 1, workTokens: 9_000_000, billableSeconds: 900 + 3000 },
      new Date(),
    );
    new SqlitePriceCache(db).set(
      { instanceType: 'ml.g5.12xlarge', region: 'us-east-1', usage: 'training' },
      { usdPerHour: 7.5, asOf: '2026-11-28T00:00:00Z', fetchedAt: new Date() },
    );
    db.close();
    const { code, stdout } = await run(['estimate', '2024-04-01..2024-04-02'], { LOGTUNE_DB: dbPath });
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text()).chosen).toMatchObject({
      basis: 'fitted from 1 run',
      usdPerHour: 7.5,
      price: { source: 'cache' },
    });
  });
});
