/** The little logtune needs from a bucket or a directory; keys are relative to the store's root and use `/`. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

export interface ObjectWriter {
  /**
   * Resolves once the chunk is accepted (respects backpressure). An array is written as its chunks in order, with
   * no copy to join them (one vectored write on a local file).
   */
  write(chunk: string | Uint8Array | readonly Uint8Array[]): Promise<void>;
  /** Makes the object visible under its key. */
  close(): Promise<void>;
  /** Leaves nothing behind: an aborted S3 multipart upload, a removed temp file. */
  abort(): Promise<void>;
}

export interface ObjectStore {
  /** Human form of the root, for messages and stats. */
  readonly uri: string;
  /** Every object whose key starts with `prefix`, in key order, paginating as needed. */
  list(prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo>;
  /** The distinct key parts between `prefix` and the next `delimiter` (S3 CommonPrefixes), each ending in it. */
  listCommonPrefixes(prefix: string, delimiter: string, signal?: AbortSignal): Promise<string[]>;
  get(key: string, signal?: AbortSignal): Promise<Uint8Array>;
  put(key: string, body: string, signal?: AbortSignal): Promise<void>;
  createWriter(key: string): ObjectWriter;
  /**
   * Fails when `key` could not be written (on S3 a multipart upload created and aborted: the permissions a dataset's
   * writes need, no object). Resolves with a warning when the probe could not tidy up after itself (what may be left,
   * and why), otherwise undefined. Stores whose writability is checked otherwise omit it.
   */
  probeWrite?(key: string, signal?: AbortSignal): Promise<string | undefined>;
  /** Removes every object under the store's root (`logtune dataset --out … --force` replacing a folder whole). */
  deleteAll(signal?: AbortSignal): Promise<void>;
}
