import type { ObjectStore, ObjectWriter } from '../storage/store.ts';
import { TEMPLATE } from './example.ts';
import type { BuildSummary } from './types.ts';

export const OUTPUT_NAMES = Object.freeze({
  train: 'train.jsonl',
  validation: 'validation.jsonl',
  template: 'template.json',
  stats: 'stats.json',
});

/** Collects lines into ~1 MB chunks before handing them to the store: far fewer stream writes per row. */
export class JsonlWriter {
  private buffer: string[] = [];
  private bufferedChars = 0;
  private lines = 0;

  constructor(
    readonly name: string,
    private readonly writer: ObjectWriter,
  ) {}

  get lineCount(): number {
    return this.lines;
  }

  /** Adds one line; returns its 1-based line number. Await `flushIfFull` now and then for backpressure. */
  add(line: string): number {
    this.buffer.push(line);
    this.bufferedChars += line.length + 1;
    return ++this.lines;
  }

  async flushIfFull(): Promise<void> {
    if (this.bufferedChars >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.bufferedChars = 0;
    await this.writer.write(chunk);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.writer.close();
  }

  async abort(): Promise<void> {
    this.buffer = [];
    await this.writer.abort();
  }
}

export function openJsonlWriters(out: ObjectStore): { train: JsonlWriter; validation: JsonlWriter } {
  return {
    train: new JsonlWriter(OUTPUT_NAMES.train, out.createWriter(OUTPUT_NAMES.train)),
    validation: new JsonlWriter(OUTPUT_NAMES.validation, out.createWriter(OUTPUT_NAMES.validation)),
  };
}

/** template.json, then stats.json last: a dataset folder without stats.json is known to be incomplete. */
export async function writeCompletion(out: ObjectStore, summary: BuildSummary, signal?: AbortSignal): Promise<void> {
  await out.put(OUTPUT_NAMES.template, `${JSON.stringify(TEMPLATE, null, 2)}\n`, signal);
  await out.put(OUTPUT_NAMES.stats, `${JSON.stringify(summary, null, 2)}\n`, signal);
}
