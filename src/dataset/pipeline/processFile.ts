import { BadFileError, visitLogFile, type LogFormat } from '../../logs/formats/index.ts';
import {
  LINE_HEAD,
  RESPONSE_DEMARCATION,
  TEMPLATE,
  contextPlan,
  renderContext,
  responseFor,
  type ContextPlan,
} from '../examples/example.ts';
import { END_OF_SEQUENCE_TOKENS, contextTokenBound, textTokenBound } from '../examples/tokenBound.ts';
import { LineEncoder, type FixedBytes } from '../examples/lineEncoder.ts';
import { groupKey, groupKeyPlan, groupText, type GroupKeyPlan } from '../sampling/groupKey.ts';
import { hashBytes53, rekey53 } from '../sampling/hash.ts';
import { KEY_SPACE, PrefixedMd5, latin1Key52, sampleKeyPrefix, splitKey52 } from '../sampling/sampleKey.ts';
import { BottomK, type SampleSizes } from '../examples/tokenSample.ts';
import type { ContextFormat } from '../types.ts';

/** Per-build settings a file processor needs; sent once to each worker. */
export interface ProcessorSettings {
  readonly labelField: string;
  readonly dropFields: readonly string[];
  readonly contextFormat: ContextFormat;
  readonly rangeStart: string;
  readonly rangeEnd: string;
  readonly seed: number;
  /**
   * `all` streams every example; a number (`--max-examples N`) is the capped build, whose rows are keyed by their
   * sample key (sampleKey.ts) and only those that can still enter a label's bottom-k travel as candidates.
   */
  readonly maxExamples: number | 'all';
  readonly sampleSizes: SampleSizes;
  /** A gzip file that decompresses to more than this is skipped (LOGTUNE_MAX_FILE_MB). */
  readonly maxFileBytes: number;
  /** The training's max_input_length: examples that may exceed it are marked for an exact count (mayExceed). */
  readonly maxInputLength: number;
  /** Exact tokens of the prompt before the context, and the vocabulary's ASCII merges (tokens.ts), for the bound. */
  readonly promptHeadTokens: number;
  readonly mergeTable: Uint8Array;
}

/**
 * Which examples a file processor marks as sample candidates: those whose seeded key is below `tokens` may enter the
 * token-count sample; those below `pairs` (the smaller sample that measures the compact-vs-full saving) also carry
 * their context in the other format. Both only fall as the build goes on.
 */
export interface SampleThresholds {
  readonly tokens: number;
  readonly pairs: number;
  /**
   * Capped builds: per label, the largest sample key (key52) its bottom-k keeps once full; a row of that label
   * with a larger key cannot enter. A label not listed takes every row as a candidate.
   */
  readonly labels?: Readonly<Record<string, number>>;
}

/** An example that may enter the token sample; below the pairs threshold, with its context in the other format. */
export interface SampleCandidate {
  readonly index: number;
  readonly key: number;
  readonly otherContext?: string;
}

/**
 * One file turned into examples; the build commits it only if the whole file parsed. The lines travel as one
 * UTF-8 buffer with line offsets, so the main thread routes byte ranges to the outputs without touching strings.
 */
export interface FileResult {
  /** The file's own columns in source order, label included, and its format: stats.json records the first file's. */
  readonly columns: readonly string[];
  readonly format: LogFormat;
  readonly rowsScanned: number;
  readonly rowsInRange: number;
  readonly unlabelled: number;
  /** JSONL lines, each ending in '\n'. */
  readonly bytes: Uint8Array;
  /** Start of each line in `bytes`, plus the end: length = examples + 1. */
  readonly offsets: Uint32Array;
  /** Each example's label, as an index into `labelNames` (one string per label crosses threads, not per row). */
  readonly labelIds: Uint16Array;
  readonly labelNames: readonly string[];
  /**
   * Hash of each example's context, for exact-duplicate detection: in a capped build its sample key (key52), in a
   * streaming build a cheaper 53-bit hash (hash.ts).
   */
  readonly hashes: Float64Array;
  /**
   * Streaming builds: each example's near-copy group (groupKey.ts), the validation split keeps a group on one side.
   * Empty in capped builds, which place a group by its group text when the sample is known.
   */
  readonly groups: Float64Array;
  /** Capped builds: the examples (indexes, in order) whose sample key can still enter their label's bottom-k… */
  readonly sampled: Uint32Array;
  /** …their whole sample keys, 16 bytes each… */
  readonly digests: Uint8Array;
  /**
   * …and their split keys (sampleKey.ts splitKey52 of the row's group text), which place them and stand for their
   * near-copy group. Made here, in parallel, from the row: the main thread would have to parse each context again.
   */
  readonly splits: Float64Array;
  /** Examples whose seeded sample key is below the thresholds given: candidates for the token samples. */
  readonly candidates: readonly SampleCandidate[];
  /**
   * Streaming builds: examples whose token bound (tokenBound.ts) is over max_input_length, in order: the main thread
   * counts them exactly, and cuts the context or drops the example. Every other example fits for certain. Capped
   * builds bound only the lines of their sample, as they are written (sampledWrite.ts).
   */
  readonly mayExceed: Uint32Array;
}

function dayOfTimestamp(value: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  if (!/^\d{9,13}(\.\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  // Epoch seconds (10 digits) or milliseconds (13 digits, as in WAF logs).
  const date = new Date(n < 1e11 ? n * 1000 : n);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().slice(0, 10);
}

interface LabelOutput {
  readonly id: number;
  /** The bytes after the context in a line of this label, newline included. */
  readonly tail: FixedBytes;
  /** The most context tokens the bound may show for an example of this label to fit for certain. */
  readonly boundBudget: number;
  /** Capped builds: rows of this label with a larger sample key cannot enter its bottom-k (see SampleThresholds). */
  readonly sampleBelow: number;
}

/**
 * Lines are encoded straight into one growing buffer per thread as rows arrive; each file's bytes are then copied
 * out at their exact size (a buffer of their own, so they can be moved to another thread). No row or line string
 * outlives its own iteration, which keeps garbage collection cheap.
 */
let scratch = Buffer.allocUnsafeSlow(1 << 20);

function ensureCapacity(needed: number, used: number): void {
  if (needed <= scratch.length) return;
  const grown = Buffer.allocUnsafeSlow(Math.max(needed, scratch.length * 2));
  scratch.copy(grown, 0, 0, used);
  scratch = grown;
}

/** What a processor keeps across the files of one build (one settings object per build, in a worker or inline). */
interface BuildState {
  /** The files of a build nearly always share a header: plans and encoders are made once per distinct header. */
  readonly plans: Map<string, { plan: ContextPlan; encoder: LineEncoder; groups: GroupKeyPlan }>;
  /** Over the files this processor finished: keys above their thresholds cannot enter the samples (see BottomK). */
  readonly tokens: BottomK<{ readonly key: number }>;
  readonly pairs: BottomK<{ readonly key: number }>;
  /** Capped builds, the same per label: a key above a label's threshold cannot enter its bottom-k. */
  readonly labels: Map<string, BottomK<{ readonly key: number }>>;
  readonly keyHasher: PrefixedMd5;
}

const states = new WeakMap<ProcessorSettings, BuildState>();
const MAX_CACHED_HEADERS = 64;

function stateOf(settings: ProcessorSettings): BuildState {
  let state = states.get(settings);
  if (state === undefined) {
    const sizes = settings.sampleSizes;
    state = {
      plans: new Map(),
      tokens: new BottomK(sizes.tokens),
      pairs: new BottomK(sizes.pairs),
      labels: new Map(),
      keyHasher: new PrefixedMd5(sampleKeyPrefix(settings.seed), LINE_HEAD),
    };
    states.set(settings, state);
  }
  return state;
}

function cachedPlan(settings: ProcessorSettings, columns: readonly string[], format: ContextFormat) {
  const { plans } = stateOf(settings);
  const key = format + JSON.stringify(columns);
  let entry = plans.get(key);
  if (entry === undefined) {
    if (plans.size >= MAX_CACHED_HEADERS) plans.clear();
    const plan = contextPlan(columns, { labelField: settings.labelField, dropFields: settings.dropFields, format });
    const groups = groupKeyPlan(columns, { labelField: settings.labelField, dropFields: settings.dropFields });
    entry = { plan, encoder: new LineEncoder(plan), groups };
    plans.set(key, entry);
  }
  return entry;
}

export function processFile(
  bytes: Uint8Array,
  fileDay: string,
  settings: ProcessorSettings,
  thresholds: SampleThresholds,
): FileResult {
  const otherFormat: ContextFormat = settings.contextFormat === 'full' ? 'compact' : 'full';
  const state = stateOf(settings);
  const capped = settings.maxExamples !== 'all';
  const { keyHasher } = state;
  const tokensBelow = Math.min(thresholds.tokens, state.tokens.threshold);
  const pairsBelow = Math.min(thresholds.pairs, state.pairs.threshold);
  let columns: readonly string[] = [];
  let encoder: LineEncoder | undefined;
  let groupPlan: GroupKeyPlan | undefined;
  let otherPlan: ContextPlan | undefined;
  let labelIndex = -1;
  let dateIndex = -1;
  let timestampIndex = -1;
  const outputs = new Map<string, LabelOutput>();
  const offsets: number[] = [];
  const hashes: number[] = [];
  const groups: number[] = [];
  const labelIds: number[] = [];
  const candidates: SampleCandidate[] = [];
  const mayExceed: number[] = [];
  const sampled: number[] = [];
  const sampledLabels: string[] = [];
  const digests: string[] = [];
  const splits: number[] = [];
  let used = 0;
  let inRange = 0;
  let unlabelled = 0;

  const info = visitLogFile(
    bytes,
    { labelField: settings.labelField, maxBytes: settings.maxFileBytes },
    {
      columns(names) {
        columns = names;
        labelIndex = names.indexOf(settings.labelField);
        dateIndex = names.indexOf('date');
        timestampIndex = dateIndex === -1 ? names.indexOf('timestamp') : -1;
        const cached = cachedPlan(settings, names, settings.contextFormat);
        encoder = cached.encoder;
        groupPlan = cached.groups;
      },
      row(row) {
        // Without a label column the parser rejects the file once it has read it; nothing to make meanwhile.
        if (labelIndex === -1 || encoder === undefined) return;
        const day = (
          dateIndex !== -1
            ? row[dateIndex]!
            : timestampIndex !== -1
              ? (dayOfTimestamp(row[timestampIndex]!) ?? fileDay)
              : fileDay
        ).slice(0, 10);
        if (day < settings.rangeStart || day > settings.rangeEnd) return;
        inRange++;
        const label = row[labelIndex]!.trim();
        if (label === '' || label === '-') {
          unlabelled++;
          return;
        }
        let output = outputs.get(label);
        if (output === undefined) {
          if (outputs.size === 0xffff)
            throw new BadFileError('unknown_format', `more than 65535 distinct labels in ${settings.labelField}`);
          const answer = RESPONSE_DEMARCATION + TEMPLATE.completion.replace('{response}', () => responseFor(label));
          const boundBudget =
            settings.maxInputLength -
            settings.promptHeadTokens -
            textTokenBound(answer, settings.mergeTable) -
            END_OF_SEQUENCE_TOKENS;
          const sampleBelow = capped
            ? Math.min(thresholds.labels?.[label] ?? KEY_SPACE, state.labels.get(label)?.threshold ?? KEY_SPACE)
            : KEY_SPACE;
          output = {
            id: outputs.size,
            tail: LineEncoder.tail(JSON.stringify(responseFor(label))),
            boundBudget,
            sampleBelow,
          };
          outputs.set(label, output);
        }
        ensureCapacity(used + encoder.maxBytes(row, output.tail), used);
        const start = used;
        used = encoder.write(row, output.tail, scratch, start);
        // The context spans from just after `{"instruction":…,"context":"` to just before `","response":…`.
        const contextStart = start + LINE_HEAD.length;
        const contextEnd = used - output.tail.length;
        let key: number;
        let hash: number;
        if (capped) {
          // One digest per row: its key decides the bottom-k, the token samples and exact copies alike. The token
          // bound waits for the sample (sampledWrite.ts): most candidates never make it into it.
          const digest = keyHasher.digest(scratch, contextStart, contextEnd);
          key = hash = latin1Key52(digest);
          if (key <= output.sampleBelow) {
            sampled.push(offsets.length);
            sampledLabels.push(label);
            digests.push(digest);
            splits.push(splitKey52(settings.seed, groupText(row, groupPlan!)));
          }
        } else {
          hash = hashBytes53(scratch, contextStart, contextEnd);
          key = rekey53(hash, settings.seed);
        }
        // Tokens ≤ bytes, so a context no longer than the budget in bytes needs no bound either.
        if (
          !capped &&
          contextEnd - contextStart > output.boundBudget &&
          contextTokenBound(scratch, contextStart, contextEnd, settings.mergeTable) > output.boundBudget
        )
          mayExceed.push(offsets.length);
        if (key < tokensBelow) {
          if (key < pairsBelow) {
            otherPlan ??= cachedPlan(settings, columns, otherFormat).plan;
            candidates.push({ index: offsets.length, key, otherContext: renderContext(row, otherPlan) });
          } else {
            candidates.push({ index: offsets.length, key });
          }
        }
        offsets.push(start);
        hashes.push(hash);
        if (!capped) groups.push(groupKey(row, groupPlan!));
        labelIds.push(output.id);
      },
    },
  );
  // Only now: the keys of a file that turned out bad must not lower the cutoffs.
  for (const c of candidates) {
    const key = { key: c.key }; // not the candidate: its other-format context need not stay in memory
    state.tokens.offer(key);
    if (c.otherContext !== undefined) state.pairs.offer(key);
  }
  for (let i = 0; i < sampled.length; i++) {
    const label = sampledLabels[i]!;
    let keys = state.labels.get(label);
    if (keys === undefined) {
      keys = new BottomK(settings.maxExamples as number);
      state.labels.set(label, keys);
    }
    keys.offer({ key: latin1Key52(digests[i]!) });
  }
  offsets.push(used);
  const own = Buffer.allocUnsafeSlow(used);
  scratch.copy(own, 0, 0, used);
  return {
    columns,
    format: info.format,
    rowsScanned: info.rows,
    rowsInRange: inRange,
    unlabelled,
    bytes: own,
    offsets: Uint32Array.from(offsets),
    labelIds: Uint16Array.from(labelIds),
    labelNames: [...outputs.keys()],
    hashes: Float64Array.from(hashes),
    groups: Float64Array.from(groups),
    sampled: Uint32Array.from(sampled),
    digests: joinDigests(digests),
    splits: Float64Array.from(splits),
    candidates,
    mayExceed: Uint32Array.from(mayExceed),
  };
}

/** The digests in one array that owns its buffer (it moves to the main thread; a pooled Buffer's would not). */
function joinDigests(digests: readonly string[]): Uint8Array {
  const out = new Uint8Array(digests.length * 16);
  const bytes = Buffer.from(out.buffer);
  digests.forEach((d, i) => bytes.write(d, i * 16, 16, 'latin1'));
  return out;
}
