import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../errors.ts';
import type { Migration } from './migrations.ts';

export type Db = Database.Database;

/**
 * Opens (creating folder and file if needed) the bot's SQLite database in WAL mode and brings its schema up to date.
 * WAL lets `/logtune status` read while a build writes; busy_timeout covers a second process briefly holding the lock.
 * The schema is the caller's: the bot passes its whole sequence (src/app/migrations.ts).
 */
export function openDatabase(path: string, migrations: readonly Migration[]): Db {
  return open(path, migrations);
}

/** The bot's database as it is, for the CLI: its schema is the bot's to change, never the CLI's. */
export function openDatabaseAsIs(path: string): Db {
  return open(path, undefined);
}

function open(path: string, migrations: readonly Migration[] | undefined): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    if (path !== ':memory:') checkIntegrity(db, path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (migrations !== undefined) migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A damaged file is refused before anything reads or writes it: half-using it could lose the record of an approval or
 * of a job that bills. The reason is SQLite's own (PRAGMA integrity_check, or "file is not a database").
 */
function checkIntegrity(db: Db, path: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('integrity_check(5)') as { integrity_check: string }[]).map((r) => r.integrity_check);
  } catch (error) {
    if (!(error instanceof Database.SqliteError)) throw error;
    problems = [error.message];
  }
  if (problems.length === 1 && problems[0] === 'ok') return;
  throw new ConfigError(
    'LOGTUNE_DB',
    `${path} fails SQLite's integrity check (${problems.join('; ')}); logtune does not use a damaged database. ` +
      'Restore a backup, or move the file aside to start afresh (what still runs in SageMaker is then adopted).',
  );
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

/** Applies, in order and each in its own transaction, every migration newer than the database. */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const current = schemaVersion(db);
  if (current > migrations.length) {
    // A newer logtune wrote this file; running old code on it could corrupt tables it doesn't know.
    throw new Error(`database schema version ${current} is newer than this logtune supports (${migrations.length})`);
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(m.up);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
}
