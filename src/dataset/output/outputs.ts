import type { ObjectStore, ObjectWriter } from '../../objectStore/store.ts';
import { DATASET_FILES } from './folder.ts';
import { templateText } from './guard.ts';
import type { BuildSummary } from '../types.ts';

/**
 * Collects lines (byte ranges ending in '\n') and hands them to the store ~1 MB at a time. Consecutive lines of one
 * buffer are merged into one range as they come, so a line costs no allocation here, and the ranges go to the store
 * as they are (one vectored write to a local file): joining them first was a copy of every output byte.
 */
export class JsonlWriter {
  private chunks: Uint8Array[] = [];
  private chunkBytes = 0;
  private runBuffer: Uint8Array | undefined;
  private runStart = 0;
  private runEnd = 0;
  private lines = 0;

  constructor(
    readonly name: string,
    private readonly writer: ObjectWriter,
  ) {}

  get lineCount(): number {
    return this.lines;
  }

  /** Adds bytes [start, end) of `buffer` as one line; returns its 1-based line number. */
  add(buffer: Uint8Array, start: number, end: number): number {
    if (buffer !== this.runBuffer || start !== this.runEnd) {
      this.closeRun();
      this.runBuffer = buffer;
      this.runStart = start;
    }
    this.runEnd = end;
    this.chunkBytes += end - start;
    return ++this.lines;
  }

  private closeRun(): void {
    if (this.runBuffer && this.runEnd > this.runStart)
      this.chunks.push(this.runBuffer.subarray(this.runStart, this.runEnd));
    this.runBuffer = undefined;
    this.runStart = this.runEnd = 0;
  }

  /** Writes once ~1 MB is pending; awaiting it applies the store's backpressure. */
  async flushIfFull(): Promise<void> {
    if (this.chunkBytes >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    this.closeRun();
    if (this.chunks.length === 0) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.chunkBytes = 0;
    await this.writer.write(chunks);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.writer.close();
  }

  async abort(): Promise<void> {
    this.chunks = [];
    this.runBuffer = undefined;
    await this.writer.abort();
  }
}

/**
 * Both splits are always written, an empty validation split included (`--validation 0`): the folder layout stays
 * the same for every dataset, and `rows.validation` of 0 in stats.json tells the launcher to leave that channel out.
 */
export function openJsonlWriters(out: ObjectStore): { train: JsonlWriter; validation: JsonlWriter } {
  return {
    train: new JsonlWriter(DATASET_FILES.train, out.createWriter(DATASET_FILES.train)),
    validation: new JsonlWriter(DATASET_FILES.validation, out.createWriter(DATASET_FILES.validation)),
  };
}

/** template.json, then stats.json last: a dataset folder without stats.json is known to be incomplete. */
export async function writeCompletion(out: ObjectStore, summary: BuildSummary, signal?: AbortSignal): Promise<void> {
  await out.put(DATASET_FILES.template, templateText(), signal);
  await out.put(DATASET_FILES.stats, `${JSON.stringify(summary, null, 2)}\n`, signal);
}
