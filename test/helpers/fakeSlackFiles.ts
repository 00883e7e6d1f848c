import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Files as the fake Slack serves them. Sources:
 * - File object and `file_share` message: @slack/types `events/message.d.ts` (`FileShareMessageEvent`, `File`),
 *   https://docs.slack.dev/reference/objects/file-object , https://docs.slack.dev/reference/methods/files.info
 * - Downloads: `url_private`/`url_private_download` need `Authorization: Bearer <token>` with `files:read`; without it
 *   Slack answers with a redirect to its sign-in page (HTML), not an HTTP error
 *   (https://docs.slack.dev/messaging/working-with-files#authentication).
 * - `files.uploadV2`: slackapi/node-slack-sdk `packages/web-api/src/WebClient.ts` (`filesUploadV2`,
 *   `postFileUploadsToExternalURL`) and `src/file-upload.ts`: files.getUploadURLExternal(filename, length) → POST the
 *   bytes (multipart) to `upload_url` → files.completeUploadExternal(files=[{id,title}] as JSON, channel_id, thread_ts,
 *   initial_comment). https://docs.slack.dev/reference/methods/files.completeUploadExternal
 */
export interface FakeFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  mode: 'hosted' | 'snippet';
  size: number;
  user: string;
  content: Buffer;
  /** Where it was shared (files.completeUploadExternal). */
  channels: string[];
  threadTs?: string;
}

type Json = Record<string, unknown>;

export interface FileStore {
  readonly files: FakeFile[];
  add(file: Omit<FakeFile, 'id' | 'size' | 'channels' | 'user'> & { user?: string }): FakeFile;
  /** The file object Slack puts in events and files.info answers (no content). */
  objectOf(file: FakeFile): Json;
  methods: Record<string, (args: Json) => Json>;
  /** Serves downloads and uploads; false when the path is not a file route. */
  route(req: IncomingMessage, res: ServerResponse, path: string, token: string | undefined): Promise<boolean>;
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function fileStore(options: {
  url: () => string;
  token: string | undefined;
  botUserId: string;
  /** Shares a completed upload as a message in the channel (as Slack does). */
  share: (file: FakeFile, channel: string, threadTs: string | undefined, comment: string | undefined) => void;
  /** The error for posting in this channel, if the bot may not. */
  channelRefusal: (channel: string) => string | undefined;
}): FileStore {
  const files: FakeFile[] = [];
  const pending = new Map<string, { filename: string; length: number; content?: Buffer }>();
  let counter = 0;
  const nextId = () => `F0FAKE${String(++counter).padStart(4, '0')}`;

  const objectOf = (f: FakeFile): Json => {
    const download = `${options.url()}/files-pri/T0001-${f.id}/download/${encodeURIComponent(f.name)}`;
    return {
      id: f.id,
      created: 1712345678,
      name: f.name,
      title: f.title,
      mimetype: f.mimetype,
      filetype: f.filetype,
      pretty_type: f.filetype,
      user: f.user,
      editable: f.mode === 'snippet',
      size: f.size,
      mode: f.mode,
      is_external: false,
      external_type: '',
      is_public: true,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: `${options.url()}/files-pri/T0001-${f.id}/${encodeURIComponent(f.name)}`,
      url_private_download: download,
      permalink: `https://t.slack.com/files/${f.user}/${f.id}/${encodeURIComponent(f.name)}`,
      channels: f.channels,
      groups: [],
    };
  };

  const add: FileStore['add'] = (file) => {
    const stored: FakeFile = { user: 'U0SOMEONE', ...file, id: nextId(), size: file.content.length, channels: [] };
    files.push(stored);
    return stored;
  };

  const methods: FileStore['methods'] = {
    'files.info': (a) => {
      const file = files.find((f) => f.id === a.file);
      return file ? { file: objectOf(file) } : { ok: false, error: 'file_not_found' };
    },
    'files.getUploadURLExternal': (a) => {
      const length = Number(a.length);
      if (typeof a.filename !== 'string' || a.filename === '') return { ok: false, error: 'invalid_arguments' };
      if (!Number.isInteger(length) || length <= 0) return { ok: false, error: 'invalid_arguments' };
      const id = nextId();
      pending.set(id, { filename: a.filename, length });
      return { upload_url: `${options.url()}/upload/v1/${id}`, file_id: id };
    },
    'files.completeUploadExternal': (a) => {
      const list = (typeof a.files === 'string' ? JSON.parse(a.files) : a.files) as { id: string; title?: string }[];
      const channel = a.channel_id === undefined ? undefined : String(a.channel_id);
      const refusal = channel === undefined ? undefined : options.channelRefusal(channel);
      if (refusal) return { ok: false, error: refusal };
      const done: Json[] = [];
      for (const { id, title } of list) {
        const upload = pending.get(id);
        if (upload?.content === undefined) return { ok: false, error: 'file_not_found' };
        pending.delete(id);
        const text = /\.(csv)$/.test(upload.filename) ? 'csv' : /\.jsonl?$/.test(upload.filename) ? 'json' : 'text';
        const file: FakeFile = {
          id,
          name: upload.filename,
          title: title ?? upload.filename,
          mimetype: text === 'csv' ? 'text/csv' : text === 'json' ? 'application/json' : 'text/plain',
          filetype: text,
          mode: 'hosted',
          size: upload.content.length,
          user: options.botUserId,
          content: upload.content,
          channels: channel === undefined ? [] : [channel],
          ...(a.thread_ts !== undefined && { threadTs: String(a.thread_ts) }),
        };
        files.push(file);
        if (channel !== undefined)
          options.share(
            file,
            channel,
            file.threadTs,
            a.initial_comment === undefined ? undefined : String(a.initial_comment),
          );
        done.push({ id, title: file.title });
      }
      return { files: done };
    },
  };

  const route: FileStore['route'] = async (req, res, path, token) => {
    const upload = /^\/upload\/v1\/(\w+)/.exec(path);
    if (upload && req.method === 'POST') {
      const entry = pending.get(upload[1]!);
      const raw = await readRaw(req);
      if (!entry) return (void res.writeHead(404).end(), true);
      // WebClient sends the bytes as a multipart form (one binary field) — see serializeBody in WebClient.ts.
      const type = req.headers['content-type'] ?? '';
      let content = raw;
      if (type.startsWith('multipart/form-data')) {
        const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
        const part = [...form.values()][0];
        content = part instanceof Blob ? Buffer.from(await part.arrayBuffer()) : Buffer.from(String(part ?? ''));
      }
      entry.content = content;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${content.length}`);
      return true;
    }
    const download = /^\/files-pri\/T0001-(\w+)\//.exec(path);
    if (download && req.method === 'GET') {
      const file = files.find((f) => f.id === download[1]);
      if (!file) return (void res.writeHead(404).end(), true);
      if (token === undefined || (options.token !== undefined && token !== options.token)) {
        res.writeHead(302, { location: `${options.url()}/signin` }).end();
        return true;
      }
      res.writeHead(200, { 'content-type': file.mimetype, 'content-length': file.content.length }).end(file.content);
      return true;
    }
    if (path.startsWith('/signin')) {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!DOCTYPE html><html><body>Sign in to Slack</body></html>');
      return true;
    }
    return false;
  };

  return { files, add, objectOf, methods, route };
}
