import type { ContextClassifier, Verdict } from '../inference/types.ts';
import { LinearScorer, type LinearModel } from './linearModel.ts';

/** The free baseline behind the same contract as an endpoint: one label and a probability per label per context. */
export class BaselineClassifier implements ContextClassifier {
  private readonly scorer: LinearScorer;
  private readonly probabilities: Float64Array;

  constructor(
    readonly name: string,
    readonly labels: readonly string[],
    model: LinearModel,
  ) {
    if (model.classes !== labels.length)
      throw new Error(`the model has ${model.classes} classes for ${labels.length} labels`);
    this.scorer = new LinearScorer(model);
    this.probabilities = new Float64Array(labels.length);
  }

  /** Synchronous underneath: it never waits, so a batch is as fast as a loop. */
  classify(contexts: readonly string[]): Promise<Verdict[]> {
    return Promise.resolve(contexts.map((context) => this.classifyOne(context)));
  }

  classifyOne(context: string): Verdict {
    const p = this.probabilities;
    this.scorer.probabilities(context, p);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    // Four decimals: more digits are noise for a reader, and every line carries one per label.
    const scores: Record<string, number> = {};
    for (let c = 0; c < p.length; c++) scores[this.labels[c]!] = Math.round(p[c]! * 1e4) / 1e4;
    return { label: this.labels[best], scores };
  }
}
