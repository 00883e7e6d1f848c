import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import '../test/helpers/s3rverListing.mjs';

/**
 * The bench's S3: s3rver in its own process (so it competes for the two cores as a real local S3 would), on two
 * loopback ports: one direct, one that adds a fixed delay before every request, standing in for network latency.
 * Prints {"direct": port, "delayed": port} on stdout, then serves until killed.
 */
const [directory, delayArg] = process.argv.slice(2);
const delayMs = Number(delayArg ?? 20);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: directory!,
  configureBuckets: [{ name: 'bench-logs' }, { name: 'bench-artifacts' }],
});
const direct = (await server.run()) as AddressInfo;
const handler = (server as unknown as { callback(): RequestListener }).callback();
const delayed = createServer((req, res) => setTimeout(() => handler(req, res), delayMs));
delayed.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => delayed.listen(0, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ direct: direct.port, delayed: (delayed.address() as AddressInfo).port })}\n`);
