import type { Statement } from 'better-sqlite3';

/**
 * The one move every kind's requests table makes alike: closing a request (cancelled, expired, failed) by
 * compare-and-set from the states it may leave. `statement` takes @id, @state, @from (a JSON array, for json_each),
 * @userId, @error and @now; true only for the caller whose update won.
 */
export function closeRow(
  statement: Statement,
  id: string,
  state: 'cancelled' | 'expired' | 'failed',
  from: readonly string[],
  details: { userId?: string; error?: string },
  now: Date,
): boolean {
  const row = { id, state, from: JSON.stringify(from), now: now.toISOString() };
  return statement.run({ ...row, userId: details.userId ?? null, error: details.error ?? null }).changes === 1;
}
