/**
 * The answer sentence, written and read in one place: training examples end with `responseFor(label)`, and a
 * model's generated answer is read back here. A fine-tuned model often says more than it was taught ("… identified
 * as 'sqli'. Based on the query string …"), so the reader takes the first quoted known label after the marker,
 * whatever follows it, and nothing else: a label it was not trained on, or no marker, is no label.
 */
export const ANSWER_MARKER = 'identified as ';

export function responseFor(label: string): string {
  return `This log entry is identified as '${label}'.`;
}

const PREFIX = responseFor('').slice(0, -3);

/** The label of a response exactly as training wrote it (a stored example), or undefined. */
export function trainedLabel(response: string): string | undefined {
  if (!response.startsWith(PREFIX) || !response.endsWith("'.") || response.length < PREFIX.length + 3) return undefined;
  return response.slice(PREFIX.length + 1, -2);
}

/**
 * The label a model's answer names: after the first marker, the first `'<label>'` (or `"<label>"`) whose label is
 * one of `labels`; when several known labels start at the same quote, the longest (so `'sqli-blind'` is not read as
 * `sqli`). Undefined when there is none.
 */
export function answerLabel(text: string, labels: readonly string[]): string | undefined {
  const marker = text.indexOf(ANSWER_MARKER);
  if (marker === -1) return undefined;
  const byLength = [...new Set(labels)].sort((a, b) => b.length - a.length);
  for (let i = marker + ANSWER_MARKER.length; i < text.length; i++) {
    const quote = text[i];
    if (quote !== "'" && quote !== '"') continue;
    for (const label of byLength) {
      if (text.startsWith(label, i + 1) && text[i + 1 + label.length] === quote) return label;
    }
  }
  return undefined;
}
