// s3rver in a child process started with --openssl-legacy-provider: s3rver's ListObjectsV2 continuation tokens use
// DES, which Node's OpenSSL 3 refuses otherwise, so listings of more than 1000 keys fail with a 500 in-process.
// argv: <directory> <bucket>...; prints {"port": n} once listening on 127.0.0.1, then serves until killed.
import S3rver from 's3rver';
import './s3rverListing.mjs';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
