/** Per-line verdicts of a paste: counted, ordered for a reader, and written whole as CSV for the verdict file. */
export interface LineResult {
  /** The line's number in the paste. */
  readonly line: number;
  /** CloudFront's key fields of the line, when present. */
  readonly fields?: Readonly<Record<string, string>>;
  readonly label?: string;
  /** Why no label: the model's words (unrecognised), its failure, or a line that is not a log line. */
  readonly problem?:
    | { readonly kind: 'unrecognised'; readonly said: string }
    | { readonly kind: 'error'; readonly detail: string }
    | { readonly kind: 'unreadable'; readonly detail: string };
}

export interface Tally {
  /** Lines per label, the most frequent first. */
  readonly labels: ReadonlyMap<string, number>;
  readonly unrecognised: number;
  readonly failed: number;
  readonly unreadable: number;
}

export function tally(results: readonly LineResult[]): Tally {
  const labels = new Map<string, number>();
  let unrecognised = 0;
  let failed = 0;
  let unreadable = 0;
  for (const r of results) {
    if (r.label !== undefined) labels.set(r.label, (labels.get(r.label) ?? 0) + 1);
    else if (r.problem?.kind === 'unrecognised') unrecognised++;
    else if (r.problem?.kind === 'unreadable') unreadable++;
    else failed++;
  }
  return { labels: new Map([...labels].sort((a, b) => b[1] - a[1])), unrecognised, failed, unreadable };
}

/**
 * Alerts first, then the other labels rarer than the paste's usual one (what a person scans for: "suspicious"), then
 * the lines without a verdict, then the usual label (benign traffic, most of any log); paste order within each.
 */
export function orderForReading(results: readonly LineResult[], alertLabels: readonly string[]): LineResult[] {
  const usual = [...tally(results).labels.keys()][0];
  const rank = (r: LineResult) =>
    r.label === undefined ? 2 : alertLabels.includes(r.label) ? 0 : r.label === usual ? 3 : 1;
  return [...results].sort((a, b) => rank(a) - rank(b) || a.line - b.line);
}

const COLUMNS = ['line', 'verdict', 'detail', 'date', 'time', 'c-ip', 'cs-method', 'cs-uri-stem', 'sc-status'];

/** RFC 4180 quoting; a leading `=+-@` is defused so a spreadsheet never runs pasted text as a formula. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Every line of the paste, log line or not, one row each in paste order. */
export function verdictCsv(results: readonly LineResult[]): string {
  const rows = [...results]
    .sort((a, b) => a.line - b.line)
    .map((r) => {
      const verdict = r.label ?? (r.problem?.kind === 'error' ? 'no verdict' : (r.problem?.kind ?? 'no verdict'));
      const detail =
        r.problem === undefined ? '' : r.problem.kind === 'unrecognised' ? r.problem.said : r.problem.detail;
      const fields = COLUMNS.slice(3).map((c) => r.fields?.[c] ?? '');
      return [String(r.line), verdict, detail, ...fields].map(csvField).join(',');
    });
  return `${[COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
