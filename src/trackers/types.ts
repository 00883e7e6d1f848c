import type { z } from 'zod';

/**
 * A kind of long-running cloud resource the bot watches (a training job, an endpoint). The tracker service polls it,
 * records every change it observes in SQLite before anything is posted, and has the kind report each change once,
 * in order; after a restart it re-attaches to what is still active and reports only what was not reported yet.
 * Nothing here ever creates or re-runs a resource: for anything that spends money, resuming means watching again.
 */
export interface TrackedResource<C = unknown, S = unknown> {
  readonly kind: string;
  readonly id: string;
  /** What the kind stored when tracking began (channel, thread, price…), validated on the way out of SQLite. */
  readonly context: C;
  /** The latest observed state, once there is one. */
  readonly snapshot: S | undefined;
  readonly createdAt: string;
}

export interface ObservedChange<P = unknown> {
  /** Stable across polls: the same change seen again has the same key, so it is recorded once. */
  readonly key: string;
  readonly payload: P;
}

export interface RecordedChange<P = unknown> extends ObservedChange<P> {
  readonly seq: number;
  readonly observedAt: string;
}

export interface Observation<P = unknown, S = unknown> {
  /** Every change visible now, oldest first; those already recorded are ignored. */
  readonly changes: readonly ObservedChange<P>[];
  readonly snapshot: S;
  /** Nothing more will happen: polling ends once every change is reported. */
  readonly terminal: boolean;
}

export interface TrackedKind<C = unknown, P = unknown, S = unknown> {
  readonly kind: string;
  readonly contextSchema: z.ZodType<C>;
  readonly payloadSchema: z.ZodType<P>;
  readonly snapshotSchema: z.ZodType<S>;
  /** Asks the cloud. Throws on failure; throttling (see isThrottling) backs off harder than other errors. */
  observe(resource: TrackedResource<C, S>, signal: AbortSignal): Promise<Observation<P, S>>;
  /** Tells people about one change; resolves false when it could not (it is offered again on the next poll). */
  report(resource: TrackedResource<C, S>, change: RecordedChange<P>): Promise<boolean>;
  /** Brings the resource's summary (e.g. its root message) up to date after a poll; best effort. */
  refresh?(resource: TrackedResource<C, S>): Promise<void>;
}

// Kinds of different context/payload types live in one registry.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTrackedKind = TrackedKind<any, any, any>;
