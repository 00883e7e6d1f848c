import type { AthenaRequestSettings, EngineSetting } from '../dataset/types.ts';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { requireSetting, loadSection, settingsSection, type Env } from '../shared/env.ts';

/**
 * Which engine builds a dataset, and what the Athena engine needs. Region, endpoint (AWS_ENDPOINT_URL_ATHENA) and
 * credentials are deliberately absent: the SDK reads its own. Query results go under the artifacts location
 * (LOGTUNE_ARTIFACTS_URI/athena/), so no second bucket setting exists.
 */
export type { EngineSetting };

export interface AthenaSettings {
  /** LOGTUNE_ENGINE: the default for `--engine`. */
  readonly engine: EngineSetting;
  readonly workgroup: string | undefined;
  readonly database: string | undefined;
  /** `auto` picks Athena above this many listed bytes (LOGTUNE_ATHENA_MIN_GB × 10⁹). */
  readonly minBytes: number;
  /** A scan quoted above this needs an approver (LOGTUNE_ATHENA_APPROVAL_USD). */
  readonly approvalUsd: number;
  /** Reruns after a corrupt file failed a query (LOGTUNE_ATHENA_MAX_RETRIES). */
  readonly maxRetries: number;
  /** The ledger of started queries (SQLite): a restart re-attaches instead of starting a paid query again. */
  readonly ledgerPath: string;
}

export const athenaSettings = settingsSection(
  {
    LOGTUNE_ENGINE: z.enum(['local', 'athena', 'auto']).default('local'),
    // Athena's own limits on names (service model: WorkGroupName pattern [a-zA-Z0-9._-]{1,128}; Glue database
    // names are lower case letters, digits and underscores).
    LOGTUNE_ATHENA_WORKGROUP: z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,128}$/, 'expected an Athena workgroup name (letters, digits, . _ -)')
      .optional(),
    LOGTUNE_ATHENA_DATABASE: z
      .string()
      .regex(/^[a-z0-9_]{1,255}$/, 'expected a Glue database name (lower case letters, digits, _)')
      .optional(),
    LOGTUNE_ATHENA_MIN_GB: z.coerce.number().min(0).max(1e9).default(100),
    LOGTUNE_ATHENA_APPROVAL_USD: z.coerce.number().min(0).max(1e7).default(5),
    LOGTUNE_ATHENA_MAX_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
    LOGTUNE_ATHENA_LEDGER: z.string().min(1).default('./data/athena-queries.db'),
  },
  (e): AthenaSettings =>
    Object.freeze({
      engine: e.LOGTUNE_ENGINE,
      workgroup: e.LOGTUNE_ATHENA_WORKGROUP,
      database: e.LOGTUNE_ATHENA_DATABASE,
      minBytes: Math.round(e.LOGTUNE_ATHENA_MIN_GB * 1e9),
      approvalUsd: e.LOGTUNE_ATHENA_APPROVAL_USD,
      maxRetries: e.LOGTUNE_ATHENA_MAX_RETRIES,
      ledgerPath: e.LOGTUNE_ATHENA_LEDGER,
    }),
);

export function loadAthenaSettings(env: Env = process.env): AthenaSettings {
  return loadSection(athenaSettings, env);
}

/** Athena is configured when both its names are set (the results location is the artifacts one). */
export function athenaConfigured(settings: AthenaSettings, artifactsUri: string | undefined): boolean {
  return (
    settings.workgroup !== undefined && settings.database !== undefined && artifactsUri?.startsWith('s3://') === true
  );
}

/** What an Athena build needs, each missing one named (ConfigError: exit 2 on the CLI). */
export interface AthenaTarget {
  readonly workgroup: string;
  readonly database: string;
  /** s3://…/athena/: UNLOAD output and query results, under the artifacts location. */
  readonly resultsUri: string;
}

export function requireAthena(settings: AthenaSettings, artifactsUri: string | undefined): AthenaTarget {
  const workgroup = requireSetting(
    settings.workgroup,
    'LOGTUNE_ATHENA_WORKGROUP',
    'the Athena workgroup logtune runs queries in',
  );
  const database = requireSetting(
    settings.database,
    'LOGTUNE_ATHENA_DATABASE',
    'the Glue database logtune creates its tables in',
  );
  const artifacts = requireSetting(artifactsUri, 'LOGTUNE_ARTIFACTS_URI', 'Athena writes its results under it');
  if (!artifacts.startsWith('s3://'))
    throw new ConfigError(
      'LOGTUNE_ARTIFACTS_URI',
      `must be an s3:// location for the Athena engine (Athena writes its results there), got "${artifacts}"`,
    );
  return { workgroup, database, resultsUri: `${artifacts.replace(/\/+$/, '')}/athena/` };
}

/** What a build request carries of the Athena settings (the bot's job thread does not read the environment again). */
export function requestSettings(settings: AthenaSettings, artifactsUri: string | undefined): AthenaRequestSettings {
  return {
    workgroup: settings.workgroup,
    database: settings.database,
    artifactsUri,
    minBytes: settings.minBytes,
    approvalUsd: settings.approvalUsd,
    maxRetries: settings.maxRetries,
    ledgerPath: settings.ledgerPath,
  };
}

/** The settings a build runs with: those its request carries, else the environment's. */
export function settingsOfRequest(
  carried: AthenaRequestSettings | undefined,
  env: Env,
  artifactsUri: string | undefined,
): { readonly settings: AthenaSettings; readonly artifactsUri: string | undefined } {
  if (carried === undefined) return { settings: loadAthenaSettings(env), artifactsUri };
  return {
    settings: Object.freeze({
      engine: 'athena' as const,
      workgroup: carried.workgroup,
      database: carried.database,
      minBytes: carried.minBytes,
      approvalUsd: carried.approvalUsd,
      maxRetries: carried.maxRetries,
      ledgerPath: carried.ledgerPath,
    }),
    artifactsUri: carried.artifactsUri,
  };
}
