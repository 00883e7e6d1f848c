// Imported for its effect: s3rver's listing with Delimiter "/" made as S3 makes it, for the tests' s3rver child
// and the bench's s3rver alike (without it, LOGTUNE_LOGS_LAYOUT=auto finds no layout in either).
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
