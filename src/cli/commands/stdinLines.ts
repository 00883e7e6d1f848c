/**
 * A stream's lines in batches: the complete lines that arrived with each chunk, so a pipe is read in large batches
 * while a person typing gets each answer as soon as the line is ended. A line longer than `maxChars` is kept only
 * to `maxChars + 1` characters, enough for the reader to call it too long without holding all of it.
 */
export interface NumberedLine {
  readonly text: string;
  /** 1-based. */
  readonly line: number;
}

export async function* lineBatches(
  input: AsyncIterable<string | Uint8Array>,
  maxChars: number,
): AsyncGenerator<NumberedLine[]> {
  const decoder = new TextDecoder();
  let pending = '';
  let line = 0;
  const append = (text: string) => {
    if (pending.length <= maxChars)
      pending =
        pending.length + text.length > maxChars + 1
          ? (pending + text.slice(0, maxChars + 1)).slice(0, maxChars + 1)
          : pending + text;
  };
  const split = (text: string): NumberedLine[] => {
    const batch: NumberedLine[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      append(text.slice(start, end));
      batch.push({ text: pending, line: ++line });
      pending = '';
      start = end + 1;
    }
    append(text.slice(start));
    return batch;
  };
  for await (const chunk of input) {
    const batch = split(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (batch.length > 0) yield batch;
  }
  const batch = split(decoder.decode());
  if (pending !== '') batch.push({ text: pending, line: ++line });
  if (batch.length > 0) yield batch;
}
