import { z } from 'zod';
import type { Db } from '../db/db.ts';
import type { TaggedResource } from '../aws/taggedResources.ts';

/**
 * Spend this database has no record of: resources carrying logtune's tags that the cloud runs (the database was
 * lost or replaced while a job or an endpoint ran). Reconciling on start adopts them here, so `/logtune status` shows
 * them and chat can stop them, instead of leaving them billing with nobody able to reach them. Adoption never
 * creates or re-runs anything; an adopted resource that no longer runs is marked ended.
 */
export type AdoptedKind = 'training-job' | 'endpoint';

export interface AdoptedResource {
  readonly kind: AdoptedKind;
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly foundAt: string;
  readonly endedAt: string | undefined;
  readonly endedBy: string | undefined;
}

const rowSchema = z.object({
  kind: z.enum(['training-job', 'endpoint']),
  name: z.string(),
  arn: z.string(),
  status: z.string(),
  tags_json: z.string(),
  created_at: z.string(),
  found_at: z.string(),
  ended_at: z.string().nullable(),
  ended_by: z.string().nullable(),
});
const tagsSchema = z.record(z.string(), z.string());

function toResource(row: unknown): AdoptedResource[] {
  const parsed = rowSchema.safeParse(row);
  if (!parsed.success) return [];
  let tags: unknown;
  try {
    tags = JSON.parse(parsed.data.tags_json);
  } catch {
    return [];
  }
  const r = parsed.data;
  return [
    {
      kind: r.kind,
      name: r.name,
      arn: r.arn,
      status: r.status,
      tags: tagsSchema.catch({}).parse(tags),
      createdAt: r.created_at,
      foundAt: r.found_at,
      endedAt: r.ended_at ?? undefined,
      endedBy: r.ended_by ?? undefined,
    },
  ];
}

export class AdoptedRepo {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      upsert: db.prepare(`INSERT INTO adopted_resources
          (kind, name, arn, status, tags_json, created_at, found_at, updated_at)
        VALUES (@kind, @name, @arn, @status, @tags, @createdAt, @now, @now)
        ON CONFLICT (kind, name) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
          WHERE ended_at IS NULL`),
      get: db.prepare<[string, string], unknown>('SELECT * FROM adopted_resources WHERE kind = ? AND name = ?'),
      open: db.prepare<[string], unknown>(
        'SELECT * FROM adopted_resources WHERE kind = ? AND ended_at IS NULL ORDER BY created_at DESC, name',
      ),
      end: db.prepare(`UPDATE adopted_resources SET ended_at = @now, ended_by = @by, updated_at = @now
        WHERE kind = @kind AND name = @name AND ended_at IS NULL`),
    };
  }

  /** Records (or refreshes the status of) a resource found in the cloud; true when it was not known before. */
  adopt(kind: AdoptedKind, resource: TaggedResource, now: Date): boolean {
    const before = this.get(kind, resource.name);
    this.stmts.upsert.run({
      kind,
      name: resource.name,
      arn: resource.arn,
      status: resource.status,
      tags: JSON.stringify(resource.tags),
      createdAt: resource.createdAt.toISOString(),
      now: now.toISOString(),
    });
    return before === undefined;
  }

  get(kind: AdoptedKind, name: string): AdoptedResource | undefined {
    return toResource(this.stmts.get.get(kind, name))[0];
  }

  /** Adopted and not ended, newest first. */
  open(kind: AdoptedKind): AdoptedResource[] {
    return this.stmts.open.all(kind).flatMap(toResource);
  }

  /** Stopped or removed from chat (`by` a user), or found no longer running (`by` undefined). */
  end(kind: AdoptedKind, name: string, by: string | undefined, now: Date): boolean {
    return this.stmts.end.run({ kind, name, by: by ?? null, now: now.toISOString() }).changes === 1;
  }
}

/** Where one kind of spend is found in the cloud, and whether this database already knows a name. */
export interface AdoptionSource {
  readonly kind: AdoptedKind;
  list(signal?: AbortSignal): Promise<TaggedResource[]>;
  known(name: string): boolean;
}

/**
 * Compares the cloud with the database: what runs under logtune's tags unknown here is adopted; what was adopted and
 * no longer runs is ended. Returns the names newly adopted.
 */
export async function reconcile(
  source: AdoptionSource,
  repo: AdoptedRepo,
  now: () => Date,
  signal?: AbortSignal,
): Promise<string[]> {
  const running = await source.list(signal);
  const adopted: string[] = [];
  for (const resource of running) {
    if (source.known(resource.name)) continue;
    if (repo.adopt(source.kind, resource, now())) adopted.push(resource.name);
  }
  const names = new Set(running.map((r) => r.name));
  for (const resource of repo.open(source.kind)) {
    if (!names.has(resource.name) || source.known(resource.name))
      repo.end(source.kind, resource.name, undefined, now());
  }
  return adopted;
}
