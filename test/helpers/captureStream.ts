/** A stand-in for process.stdout/stderr that records every write; never a TTY. */
export interface CapturedStream {
  readonly stream: NodeJS.WriteStream;
  readonly writes: string[];
  text(): string;
}

export function captureStream(): CapturedStream {
  const writes: string[] = [];
  const fake = {
    isTTY: false,
    write(chunk: string | Uint8Array): boolean {
      writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  };
  return { stream: fake as unknown as NodeJS.WriteStream, writes, text: () => writes.join('') };
}
