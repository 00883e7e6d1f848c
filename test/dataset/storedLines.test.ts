import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleLine, responseFor } from '../../src/dataset/examples/example.ts';
import { DATASET_FILES } from '../../src/dataset/output/folder.ts';
import { openStoredDataset, readExamples } from '../../src/dataset/output/stored.ts';
import { writeStoredDataset } from '../helpers/storedDataset.ts';

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function examplesOf(text: string) {
  const root = await mkdtemp(join(tmpdir(), 'logtune-lines-'));
  roots.push(root);
  const folder = await writeStoredDataset(root, { id: 'ds-lines', train: [], validation: [] });
  await writeFile(join(folder, DATASET_FILES.train), text);
  const dataset = await openStoredDataset(folder, undefined);
  const out = [];
  for await (const e of readExamples(dataset, 'train')) out.push(e);
  return out;
}

describe('readExamples line splitting', () => {
  const line = (context: string, label: string) => exampleLine(context, JSON.stringify(responseFor(label)));

  it('reads LF and CRLF lines, skips blank lines, and takes a last line without a line break', async () => {
    const text = `${line('{"a":"é ü 字"}', 'benign')}\r\n\n  \n${line('{"b":"2"}', 'malicious')}`;
    expect(await examplesOf(text)).toEqual([
      { context: '{"a":"é ü 字"}', label: 'benign' },
      { context: '{"b":"2"}', label: 'malicious' },
    ]);
    expect(await examplesOf('')).toEqual([]);
  });

  it('names the line number of a line that is not an example, blank lines counted', async () => {
    await expect(examplesOf(`${line('{}', 'benign')}\n\n{"nope":1}\n`)).rejects.toThrow(
      /train\.jsonl:3 is not a logtune example/,
    );
  });
});
