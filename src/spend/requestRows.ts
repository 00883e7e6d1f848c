import type { Statement } from 'better-sqlite3';
import { z } from 'zod';
import type { Db } from '../db/db.ts';

/**
 * What every kind's requests table does alike: closing a request by compare-and-set, the decision log, and reading
 * stored JSON without trusting it. Each kind keeps its own table and columns; these are the moves they share.
 */

/**
 * Closes a request (cancelled, expired, failed) by compare-and-set from the states it may leave. `statement` takes
 * @id, @state, @from (a JSON array, for json_each), @userId, @error and @now; true only for the caller whose update won.
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

/** Stored JSON that may not parse (a newer logtune's row, a hand edit): undefined rather than a throw. */
export function parseStoredJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const isDefined = <T>(x: T | undefined): x is T => x !== undefined;

/** One click on a spend request, allowed or refused, with the cap it approved where the kind has one. */
export interface SpendDecision<Action extends string> {
  readonly userId: string;
  readonly action: Action;
  readonly outcome: 'allowed' | 'refused';
  readonly reason: string | undefined;
  readonly capUsd?: number | undefined;
  readonly at: string;
}

/** The tables that hold a decision log: (request_id, user_id, action, outcome, reason, at[, cap_usd]). */
type DecisionTable = 'training_decisions' | 'deploy_decisions' | 'scan_decisions';

/**
 * A kind's decision log: every click written before what it decides is done, read back in order. A row that does
 * not parse (an action a newer logtune added) is left out rather than shown wrong.
 */
export class DecisionLog<Action extends string> {
  private readonly insert: Statement;
  private readonly select: Statement<[string], unknown>;
  private readonly rowSchema;

  constructor(
    db: Db,
    table: DecisionTable,
    actions: readonly [Action, ...Action[]],
    private readonly withCap: boolean,
  ) {
    const cap = withCap ? ', cap_usd' : '';
    this.insert = db.prepare(`INSERT INTO ${table} (request_id, user_id, action, outcome, reason${cap}, at)
      VALUES (@id, @userId, @action, @outcome, @reason${withCap ? ', @cap' : ''}, @now)`);
    this.select = db.prepare<[string], unknown>(
      `SELECT user_id, action, outcome, reason${cap}, at FROM ${table} WHERE request_id = ? ORDER BY rowid`,
    );
    this.rowSchema = z.object({
      user_id: z.string(),
      action: z.enum(actions),
      outcome: z.enum(['allowed', 'refused']),
      reason: z.string().nullable(),
      cap_usd: z.number().nullable().optional(),
      at: z.string(),
    });
  }

  record(id: string, decision: Omit<SpendDecision<Action>, 'at'>, now: Date): void {
    this.insert.run({
      id,
      userId: decision.userId,
      action: decision.action,
      outcome: decision.outcome,
      reason: decision.reason ?? null,
      ...(this.withCap && { cap: decision.capUsd ?? null }),
      now: now.toISOString(),
    });
  }

  list(id: string): SpendDecision<Action>[] {
    return this.select.all(id).flatMap((row) => {
      const parsed = this.rowSchema.safeParse(row);
      if (!parsed.success) return [];
      const { user_id, action, outcome, reason, cap_usd, at } = parsed.data;
      return [
        {
          userId: user_id,
          action: action as Action,
          outcome,
          reason: reason ?? undefined,
          ...(cap_usd !== undefined && { capUsd: cap_usd ?? undefined }),
          at,
        },
      ];
    });
  }
}
