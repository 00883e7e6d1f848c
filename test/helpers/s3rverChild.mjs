// s3rver in a child process started with --openssl-legacy-provider: s3rver's ListObjectsV2 continuation tokens use
// DES, which Node's OpenSSL 3 refuses otherwise, so listings of more than 1000 keys fail with a 500 in-process.
// argv: <directory> <bucket>...; prints {"port": n} once listening on 127.0.0.1, then serves until killed.
import S3rver from 's3rver';
import FilesystemStore from 's3rver/lib/stores/filesystem.js';

// s3rver 3.7 (lib/stores/filesystem.js, listObjects) stops walking at the first folder below a common prefix, so
// with Delimiter "/" a key two folders down (2024/04/01/a.csv) gives no CommonPrefix "2024/" at all, where S3 gives
// one. Listing with "/" is what finds a logs layout: done here as S3 does it, from the full listing under the prefix.
const listObjects = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function (bucket, options) {
  if (options.delimiter !== '/') return listObjects.call(this, bucket, options);
  const { delimiter, prefix = '', maxKeys = Infinity, ...rest } = options;
  const all = await listObjects.call(this, bucket, { ...rest, prefix });
  const commonPrefixes = new Set();
  const objects = [];
  let isTruncated = all.isTruncated;
  for (const object of all.objects) {
    const at = object.key.slice(prefix.length).indexOf(delimiter);
    if (at !== -1) commonPrefixes.add(object.key.slice(0, prefix.length + at + 1));
    else if (objects.length < maxKeys) objects.push(object);
    else {
      isTruncated = true;
      break;
    }
  }
  return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
};

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
