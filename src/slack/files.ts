import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { webApi } from '@slack/bolt';
import { z } from 'zod';

/**
 * Files people share with the bot (a snippet Slack's client made of a long paste, an uploaded log), read with the bot
 * token (`files:read`). `url_private_download` needs `Authorization: Bearer`; without a valid token Slack redirects to
 * its sign-in page, so a redirect or an HTML answer is an error here, never content
 * (https://docs.slack.dev/messaging/working-with-files#authentication). Events may carry a partial file object
 * (`file_access: "check_file_info"`); files.info completes it (https://docs.slack.dev/reference/methods/files.info).
 */
export const sharedFileSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().nullish(),
    mimetype: z.string().optional(),
    filetype: z.string().optional(),
    mode: z.string().optional(),
    size: z.number().optional(),
    url_private_download: z.string().optional(),
    url_private: z.string().optional(),
  })
  .loose();

export type SharedFile = z.infer<typeof sharedFileSchema>;

export class SharedFileError extends Error {
  constructor(
    message: string,
    readonly reason: 'too_large' | 'not_readable',
  ) {
    super(message);
  }
}

export interface FileText {
  readonly text: string;
  /** The file (or its decompressed text) was longer than the bound: only its start was read. */
  readonly truncated: boolean;
}

export interface SharedFileReader {
  /** The file's text, gunzipped when it is gzip, at most `maxBytes` downloaded and `maxBytes * 10` of text kept. */
  read(file: SharedFile, maxBytes: number, signal?: AbortSignal): Promise<FileText>;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const TEXT_GROWTH = 10;

async function collect(stream: AsyncIterable<Buffer>, max: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const room = max - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}

/** Text up to the last whole line when cut short: a half line would be read as a broken log line. */
function wholeLines(text: string, truncated: boolean): string {
  if (!truncated) return text;
  const end = text.lastIndexOf('\n');
  return end === -1 ? '' : text.slice(0, end);
}

export function slackFileReader(options: {
  token: string;
  client: Pick<webApi.WebClient, 'files'>;
  fetch?: typeof fetch;
}): SharedFileReader {
  const fetchFn = options.fetch ?? fetch;
  const complete = async (file: SharedFile): Promise<SharedFile> => {
    if (file.url_private_download !== undefined || file.url_private !== undefined) return file;
    const info = await options.client.files.info({ file: file.id });
    return sharedFileSchema.parse(info.file);
  };
  return {
    async read(given, maxBytes, signal) {
      if (given.size !== undefined && given.size > maxBytes)
        throw new SharedFileError(`the file is ${given.size} bytes, over the ${maxBytes} bytes allowed`, 'too_large');
      const file = await complete(given);
      const url = file.url_private_download ?? file.url_private;
      if (url === undefined) throw new SharedFileError('Slack gave no download address for the file', 'not_readable');
      const res = await fetchFn(url, {
        headers: { authorization: `Bearer ${options.token}` },
        redirect: 'manual',
        ...(signal && { signal }),
      });
      const type = res.headers.get('content-type') ?? '';
      if (res.status !== 200 || type.startsWith('text/html') || res.body === null) {
        await res.body?.cancel();
        throw new SharedFileError(`downloading the file failed (HTTP ${res.status})`, 'not_readable');
      }
      const download = await collect(Readable.fromWeb(res.body as never) as AsyncIterable<Buffer>, maxBytes);
      if (download.truncated) throw new SharedFileError(`the file is over the ${maxBytes} bytes allowed`, 'too_large');
      const bytes = download.bytes;
      const gzip = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
      const text = gzip
        ? await collect(Readable.from([bytes]).pipe(createGunzip()), maxBytes * TEXT_GROWTH).catch(() => {
            throw new SharedFileError('the file looks gzip-compressed but does not decompress', 'not_readable');
          })
        : { bytes, truncated: false };
      return { text: wholeLines(text.bytes.toString('utf8'), text.truncated), truncated: text.truncated };
    },
  };
}

const LOG_EXTENSIONS = /\.(log|txt|csv|tsv|json|jsonl|ndjson|gz)$/i;
const LOG_TYPES = new Set(['text', 'csv', 'tsv', 'json', 'gzip', 'log', 'plain']);

/** A file that may hold log lines: text, CSV, `.log`, JSON (lines), or gzip of those. Images, PDFs and the like not. */
export function mayHoldLogLines(file: SharedFile): boolean {
  if (file.name && LOG_EXTENSIONS.test(file.name)) return true;
  if (file.filetype !== undefined && LOG_TYPES.has(file.filetype)) return true;
  const type = file.mimetype ?? '';
  return (
    type.startsWith('text/') ||
    ['application/json', 'application/x-ndjson', 'application/gzip', 'application/x-gzip'].includes(type)
  );
}
