import type { z } from 'zod';
import type { TableColumn, TableFormat } from './ddl.ts';
import type { DayChunk } from './plan.ts';

/**
 * What the Athena engine asks of the dataset's SQL (the one template with dialect hooks that the local engine's
 * DuckDB rendering shares): a SELECT for the stats pass and one for the bottom-k candidates, over one table and one
 * chunk of days, without the files excluded so far. The engine wraps each in `UNLOAD (…) TO … WITH (format =
 * 'JSON')` and reads the rows back with these schemas.
 */
export interface SqlSource {
  /** `database`.`table`, quoted. */
  readonly relation: string;
  readonly format: TableFormat;
  readonly columns: readonly TableColumn[];
  readonly chunk: DayChunk;
  /** Full s3:// URIs to leave out: `"$path" NOT IN (…)`. */
  readonly excluded: readonly string[];
  /** The partition filter for the chunk's days (ddl.ts rangePredicate). */
  readonly partitions: string;
}

export interface AthenaSql<S, C> {
  statsSelect(source: SqlSource): string;
  candidatesSelect(source: SqlSource): string;
  readonly statsRow: z.ZodType<S>;
  readonly candidateRow: z.ZodType<C>;
}

/** What turns the passes' rows into the dataset, with the local engine's writers and outputs. */
export interface DatasetAssembler<S, C, R> {
  stats(row: S): void;
  candidate(row: C): void;
  finish(signal?: AbortSignal): Promise<R>;
  abort(): Promise<void>;
}
