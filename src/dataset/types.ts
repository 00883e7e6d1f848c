import type { DateRange } from '../logs/dateRange.ts';
import type { LogFormat } from '../logs/formats/index.ts';

/** How a labelled row becomes the model's input: `full` keeps every field as read, `compact` drops `-` values and
 * orders fields canonically (fewer tokens, so cheaper training and inference). */
export type ContextFormat = 'full' | 'compact';
export type BalanceMode = 'proportional' | 'balanced';
/** `auto`: Athena when the range's listed bytes exceed LOGTUNE_ATHENA_MIN_GB and Athena is configured (docs/athena.md). */
export type EngineSetting = 'local' | 'athena' | 'auto';

/** Everything one build needs; produced from settings + flags by `resolveBuildRequest`. */
export interface BuildRequest {
  readonly datasetId: string;
  readonly range: DateRange;
  readonly logsUri: string;
  readonly layout: string;
  /** The dataset folder (local path or s3://bucket/prefix): train/ and validation/ channels, stats.json beside them. */
  readonly outUri: string;
  readonly labelField: string;
  readonly dropFields: readonly string[];
  /** Caps train + validation together; 'all' keeps every unique labelled row. */
  readonly maxExamples: number | 'all';
  readonly balance: BalanceMode;
  readonly seed: number;
  readonly validationRatio: number;
  readonly contextFormat: ContextFormat;
  readonly maxInputLength: number;
  readonly fetchConcurrency: number;
  /** Worker threads that parse files and count tokens; 0 runs them on the main thread. */
  readonly parseWorkers: number;
  readonly s3ForcePathStyle: boolean;
  readonly s3FastGet: boolean;
  /** Objects larger than this (listed, or once decompressed) are skipped with their reason. */
  readonly maxFileBytes: number;
  /** The engine that builds it; absent in requests stored before there was a choice (local). */
  readonly engine?: EngineSetting;
  /**
   * The Athena settings as they were when it was asked (the bot's; the CLI reads its environment instead): a build
   * runs on its own thread, and a resumed one with the settings it was quoted under.
   */
  readonly athena?: AthenaRequestSettings;
}

export interface AthenaRequestSettings {
  readonly workgroup?: string | undefined;
  readonly database?: string | undefined;
  readonly artifactsUri?: string | undefined;
  readonly minBytes: number;
  readonly approvalUsd: number;
  readonly maxRetries: number;
  readonly ledgerPath: string;
}

export type BuildPhase = 'listing' | 'reading' | 'writing' | 'counting_tokens' | 'done';

export interface BuildProgress {
  readonly phase: BuildPhase;
  readonly filesDone: number;
  /** Unknown (undefined) until listing has finished. */
  readonly filesTotal: number | undefined;
  readonly filesSkipped: number;
  readonly rowsScanned: number;
  readonly bytesRead: number;
  readonly elapsedSeconds: number;
  readonly bytesPerSecond: number;
  /** Undefined while no estimate is possible. */
  readonly etaSeconds: number | undefined;
  /** An Athena build: what GetQueryExecution says of its queries so far (files and rows are Athena's to read). */
  readonly athena?: {
    readonly bytesScanned: number;
    readonly running: number;
    readonly done: number;
  };
}

export interface SkippedFile {
  readonly key: string;
  readonly reason: string;
}

export interface LabelCounts {
  readonly scanned: number;
  readonly unique: number;
  readonly train: number;
  readonly validation: number;
}

export interface FlaggedExample {
  /** File and line, e.g. `train.jsonl:120`. */
  readonly where: string;
  readonly tokens: number;
}

export interface TokenStats {
  readonly tokenizer: 'llama-2';
  /** `exact` counts every written example; `sample` counts a seeded uniform sample and extrapolates. */
  readonly method: 'exact' | 'sample';
  readonly examplesCounted: number;
  /** Whole training sequences (prompt + response), in the dataset's context format. */
  readonly totalTokens: number;
  readonly meanTokens: number;
  readonly maxTokens: number;
  readonly maxInputLength: number;
  /** Examples longer than max_input_length (the trainer truncates them); extrapolated when sampled. */
  readonly overLengthExamples: number;
  /** Up to 10 over-length examples of the sample. */
  readonly flagged: readonly FlaggedExample[];
  /** The compact format's saving, measured on a uniform sample of unique examples in both formats. */
  readonly savingSampleSize: number;
  readonly fullContextTokensPerExample: number;
  readonly compactContextTokensPerExample: number;
  readonly compactSavingPercent: number;
}

/** The choices that shape a dataset's content, recorded with it. */
export type BuildSettings = Pick<
  BuildRequest,
  | 'labelField'
  | 'dropFields'
  | 'maxExamples'
  | 'balance'
  | 'seed'
  | 'validationRatio'
  | 'contextFormat'
  | 'maxInputLength'
>;

/** The content of stats.json, and what the CLI and the bot report. */
export interface BuildSummary {
  readonly datasetId: string;
  readonly range: { readonly start: string; readonly end: string };
  readonly logsUri: string;
  readonly outUri: string;
  readonly settings: BuildSettings;
  /** LOGTUNE_LOGS_LAYOUT as set (`auto` or a template) and the template the files were listed with. */
  readonly layout: { readonly setting: string; readonly used: string; readonly detected: boolean };
  readonly files: {
    readonly listed: number;
    readonly read: number;
    readonly skipped: number;
    readonly skippedFiles: readonly SkippedFile[];
    readonly bytes: number;
  };
  readonly rows: {
    readonly scanned: number;
    readonly inRange: number;
    readonly unlabelled: number;
    readonly duplicates: number;
    readonly unique: number;
    readonly train: number;
    readonly validation: number;
    /**
     * Near-copy groups among the unique examples (the same request at another time, from another client, by another
     * method: src/dataset/sampling/groupKey.ts), and how many examples share their group with another. A group is
     * always on one side of the split.
     */
    readonly groups: number;
    readonly groupedExamples: number;
  };
  readonly labels: Readonly<Record<string, LabelCounts>>;
  /**
   * Examples held to the training's max_input_length (whole sequences, in Llama 2 tokens): contexts cut as inference
   * cuts them (the answer kept whole), and rows dropped because their answer alone would not fit.
   */
  readonly examples: {
    readonly maxInputLength: number;
    readonly contextTruncated: number;
    readonly droppedAnswerTooLong: number;
  };
  readonly tokens: TokenStats;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly fetchConcurrency: number;
  readonly parseWorkers: number;
  /**
   * The logs' own columns (label included, in source order) and format, from the first file read in key order:
   * what maps a pasted CSV row without a header.
   */
  readonly sourceColumns: readonly string[];
  readonly sourceFormat: LogFormat;
  /**
   * The SageMaker channels, each a folder URI ending in `/`. The validation channel is there even when empty
   * (`rows.validation` 0, from `--validation 0`); a launcher then leaves it out.
   */
  readonly channels: { readonly training: string; readonly validation: string };
  readonly outputs: {
    readonly train: string;
    readonly validation: string;
    readonly template: string;
    readonly stats: string;
  };
  /** What the build could not tidy up (the --out write check's upload, when its abort was refused); absent if none. */
  readonly warnings?: readonly string[];
  /** The engine that built it; absent for the local engine (as before there was a choice). */
  readonly engine?: 'athena';
  /** An Athena build's queries: bytes scanned (every attempt, failed ones too) and their price (docs/athena.md). */
  readonly athena?: AthenaRun;
}

/** What an Athena build's queries scanned and cost, in its stats.json. */
export interface AthenaRun {
  /** The query ledger's name for the build's queries (its request's content and the files listed). */
  readonly runId: string;
  readonly bytesScanned: number;
  readonly dollars: number;
  readonly quotedUsd: number;
  readonly queries: number;
  readonly attempts: number;
  readonly workgroup: string;
  readonly tables: readonly string[];
}

export interface BuildHooks {
  readonly signal?: AbortSignal;
  /** Called often (per file); consumers throttle themselves. */
  readonly onProgress?: (progress: BuildProgress) => void;
  /** Called once the logs' layout is known (detected when LOGTUNE_LOGS_LAYOUT is auto), before anything is listed. */
  readonly onLayout?: (layout: {
    readonly template: string;
    readonly name: string;
    readonly detected: boolean;
  }) => void;
  /** Called as soon as something is worth saying but does not stop the build (also kept in `warnings`). */
  readonly onWarning?: (message: string) => void;
}
