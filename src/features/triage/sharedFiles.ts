import { pastedLines } from '../../inference/pastedText.ts';
import type { Log } from '../../log.ts';
import { escapeMrkdwn, formatBytes, truncate } from '../../slack/blocks/text.ts';
import { mayHoldLogLines, SharedFileError, type SharedFile, type SharedFileReader } from '../../slack/files.ts';

export type { SharedFileReader } from '../../slack/files.ts';

/**
 * The lines of a message for triage: its text (Slack's markup read once), then each shared file that may hold logs
 * (a snippet, an uploaded `.log`, `.csv`, JSON lines, `.gz`), read as stored — a file is not mrkdwn, so nothing in it
 * is decoded. A file that cannot be read is said in the reply, not silently dropped.
 */
export interface MessageLines {
  readonly lines: readonly string[];
  /** For the reply: files not read and why (escaped mrkdwn). */
  readonly problems: readonly string[];
}

function fileLabel(file: SharedFile): string {
  return `\`${escapeMrkdwn(truncate(file.name ?? file.id, 80, '…')).replaceAll('`', 'ˋ')}\``;
}

export async function linesOfMessage(
  text: string,
  files: readonly SharedFile[],
  options: { reader: SharedFileReader; maxBytes: number; log: Log },
): Promise<MessageLines> {
  const lines = [...pastedLines(text)];
  const problems: string[] = [];
  for (const file of files.filter(mayHoldLogLines)) {
    try {
      const read = await options.reader.read(file, options.maxBytes);
      lines.push(...read.text.split(/\r?\n/).filter((line) => line.trim() !== ''));
      if (read.truncated)
        problems.push(
          `${fileLabel(file)} decompresses to more than ${formatBytes(options.maxBytes * 10)}: only its start was read`,
        );
    } catch (error) {
      options.log.warn('triage: shared file not read', { file: file.id, error });
      problems.push(
        error instanceof SharedFileError && error.reason === 'too_large'
          ? `${fileLabel(file)} is larger than the ${formatBytes(options.maxBytes)} read per file (LOGTUNE_MAX_FILE_MB)`
          : `${fileLabel(file)} could not be downloaded from Slack`,
      );
    }
  }
  return { lines, problems };
}
