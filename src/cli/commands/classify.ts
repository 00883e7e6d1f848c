import type { ContextOptions } from '../../dataset/examples/example.ts';
import { CANONICAL_FIELDS, toContext } from '../../dataset/examples/example.ts';
import type { StoredDataset } from '../../dataset/output/stored.ts';
import { UsageError } from '../../errors.ts';
import { loadBaselineClassifier } from '../../evaluation/baselineFiles.ts';
import { LogLineReader, MAX_LINE_CHARS, type LogLine } from '../../inference/logLines.ts';
import type { ContextClassifier, Verdict } from '../../inference/types.ts';
import { EXIT, type CliCommand, type CliIo } from '../command.ts';
import { openDataset, parseCommandArgs } from './evalOptions.ts';
import { lineBatches } from './stdinLines.ts';

const USAGE = 'logtune classify --baseline <dataset> | --endpoint NAME   (log lines on stdin)';

/**
 * A record with fewer of the dataset's own fields than this (the label aside) is not a log line the model has seen
 * the like of: `{"a":1}` would otherwise get a confident verdict from the model's bias alone.
 */
export const MIN_KNOWN_FIELDS = 3;

const DETAILS = `  --baseline <dataset>   the dataset's free baseline (logtune baseline <dataset> first)
  --endpoint NAME        a deployed endpoint; its dataset is found from the endpoint's logtune:dataset tag
Lines: CSV rows in the logs' column order (no header needed), CloudFront W3C lines (tab-separated; a #Fields line
first for other layouts), or JSON objects. One JSON object per line on stdout: line, label, and scores (baseline) or
raw (endpoint); a line that cannot be read, or has fewer than ${MIN_KNOWN_FIELDS} of the dataset's fields, gets "error" instead.
Exit codes: 0 at least one line classified, 1 no line could be read (or none given), 2 bad flags or settings.`;

/** A record that names too few of the fields the model was trained on: an error to show, not a line to guess at. */
function tooFewKnownFields(
  record: Readonly<Record<string, string>>,
  known: ReadonlySet<string>,
  labelField: string,
): string | undefined {
  const isKnown = (f: string) => f !== labelField && known.has(f) && record[f] !== '-';
  // Counted first, listed only for the error: this runs for every line.
  let count = 0;
  for (const f in record) if (isKnown(f) && ++count >= MIN_KNOWN_FIELDS) return undefined;
  const names = Object.keys(record).filter(isKnown);
  const found = names.length === 0 ? 'none' : `only ${names.join(', ')}`;
  return `not a log line this model knows: ${found} of the dataset's fields (at least ${MIN_KNOWN_FIELDS} needed)`;
}

/** A model to classify with, and the dataset whose labels, column order and context transform it was trained on. */
export interface ClassifierBackend {
  readonly classifier: ContextClassifier;
  readonly dataset: StoredDataset;
}

export interface ClassifyBackends {
  readonly baseline: (datasetRef: string, io: CliIo) => Promise<ClassifierBackend>;
  /** The endpoint finds its own dataset (from its tags); wired by whoever builds the endpoint classifier. */
  readonly endpoint: (endpointName: string, io: CliIo) => Promise<ClassifierBackend>;
}

export async function openBaselineBackend(datasetRef: string, io: CliIo): Promise<ClassifierBackend> {
  const dataset = await openDataset(datasetRef, io);
  return { dataset, classifier: await loadBaselineClassifier(dataset, io.signal) };
}

/** A deployed endpoint, with the dataset its model was trained on found from the tags logtune put on it. */
export async function openEndpointBackend(endpointName: string, io: CliIo): Promise<ClassifierBackend> {
  // Loaded here: `logtune classify --baseline` never pays for the SageMaker clients.
  const [{ sageMakerClient }, { SageMakerHosting }, { endpointOrigin }, { openEndpointClassifier }] = await Promise.all(
    [
      import('../../aws/clients.ts'),
      import('../../aws/sagemakerHosting.ts'),
      import('../../deploy/endpoints.ts'),
      import('../../inference/openEndpointClassifier.ts'),
    ],
  );
  const origin = await endpointOrigin(new SageMakerHosting(sageMakerClient()), endpointName, io.signal);
  if (origin === undefined) {
    throw new UsageError(
      `no endpoint ${endpointName} that logtune deployed in this account and region (it needs its logtune:dataset tag)`,
    );
  }
  const dataset = await openDataset(origin.datasetId, io);
  return { dataset, classifier: openEndpointClassifier({ endpointName, dataset, env: io.env }) };
}

/**
 * `logtune classify`: log lines on stdin (CSV rows in the logs' column order, CloudFront W3C lines, JSON objects),
 * one JSON object per line on stdout — `line`, `label`, and `scores` (baseline) or `raw` (endpoint); a line that
 * cannot be read gets `error` and the run goes on.
 */
export function createClassifyCommand(backends: ClassifyBackends): CliCommand {
  return {
    name: 'classify',
    usage: USAGE,
    summary: 'classify log lines read on stdin, one JSON verdict per line on stdout',
    details: DETAILS,
    async run(args, io) {
      const { values, positionals } = parseCommandArgs(
        args,
        { baseline: { type: 'string' }, endpoint: { type: 'string' } },
        USAGE,
      );
      if (positionals.length > 0 || (values.baseline === undefined) === (values.endpoint === undefined)) {
        throw new UsageError(`give exactly one of --baseline <dataset> or --endpoint NAME. Usage: ${USAGE}`);
      }
      const backend =
        values.baseline !== undefined
          ? await backends.baseline(values.baseline, io)
          : await backends.endpoint(values.endpoint!, io);
      const { stats } = backend.dataset;
      const reader = new LogLineReader({
        sourceColumns: stats.sourceColumns,
        sourceFormat: stats.sourceFormat,
        labelField: stats.settings.labelField,
      });
      const contextOptions: ContextOptions = {
        labelField: stats.settings.labelField,
        dropFields: stats.settings.dropFields,
        format: stats.settings.contextFormat,
      };
      const known = new Set([...(stats.sourceColumns ?? []), ...CANONICAL_FIELDS]);
      const checked = (entry: LogLine): LogLine => {
        if (entry.record === undefined) return entry;
        const error = tooFewKnownFields(entry.record, known, stats.settings.labelField);
        return error === undefined ? entry : { line: entry.line, raw: entry.raw, error };
      };
      let classified = 0;
      let unreadable = 0;
      let firstError: string | undefined;
      for await (const batch of lineBatches(io.stdin as AsyncIterable<string | Uint8Array>, MAX_LINE_CHARS)) {
        const entries = batch
          .map((l) => reader.read(l.text, l.line))
          .filter((e): e is LogLine => e !== undefined)
          .map(checked);
        const readable = entries.filter((e) => e.record !== undefined);
        const verdicts = await backend.classifier.classify(
          readable.map((e) => toContext(e.record!, contextOptions)),
          io.signal,
        );
        if (verdicts.length !== readable.length)
          throw new Error(`${backend.classifier.name} gave ${verdicts.length} verdicts for ${readable.length} lines`);
        const byLine = new Map(readable.map((e, i) => [e.line, verdicts[i]]));
        let out = '';
        for (const entry of entries) {
          const verdict = byLine.get(entry.line);
          if (verdict === undefined) {
            unreadable++;
            firstError ??= `line ${entry.line}: ${entry.error}`;
          } else classified++;
          out += `${JSON.stringify(verdict === undefined ? { line: entry.line, error: entry.error } : verdictLine(entry.line, verdict))}\n`;
        }
        if (out !== '') io.stdout.write(out);
      }
      io.stderr.write(`${backend.classifier.name}: ${classified} lines classified, ${unreadable} could not be read\n`);
      if (classified > 0) return EXIT.ok;
      io.stderr.write(
        unreadable === 0
          ? 'logtune: no log lines on stdin (pipe them in, e.g. head -n 3 access.log | logtune classify …)\n'
          : `logtune: none of the ${unreadable} lines could be read (first: ${firstError})\n`,
      );
      return EXIT.failed;
    },
  };
}

function verdictLine(line: number, verdict: Verdict): Record<string, unknown> {
  return {
    line,
    ...(verdict.label !== undefined ? { label: verdict.label } : {}),
    ...(verdict.scores !== undefined ? { scores: verdict.scores } : {}),
    ...(verdict.raw !== undefined ? { raw: verdict.raw } : {}),
    ...(verdict.error !== undefined ? { error: verdict.error } : {}),
  };
}

export const classifyCommand = createClassifyCommand({ baseline: openBaselineBackend, endpoint: openEndpointBackend });
