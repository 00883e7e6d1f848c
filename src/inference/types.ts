/**
 * The contract every model behind a verdict fulfils — the free baseline and a fine-tuned endpoint alike — so the
 * CLI, triage and evaluation treat them the same way. Inputs are contexts as training made them
 * (`toContext` in dataset/example.ts); the label vocabulary is the dataset's.
 */
export interface Verdict {
  /** One of the dataset's labels, or undefined when the model gave none (see `error` / `raw`). */
  readonly label: string | undefined;
  /** Probability per label, for models that have them (the baseline). */
  readonly scores?: Readonly<Record<string, number>>;
  /** What the model said, for models that generate text (shortened; never shown unescaped). */
  readonly raw?: string;
  /** Why no label: the model failed, timed out, or answered outside the label set. */
  readonly error?: string;
}

export interface ContextClassifier {
  /** Which model: `baseline:<dataset id>` or `endpoint:<name>`. */
  readonly name: string;
  readonly labels: readonly string[];
  /** One verdict per context, in order; never rejects for one bad answer (that answer's verdict carries the error). */
  classify(contexts: readonly string[], signal?: AbortSignal): Promise<Verdict[]>;
}
