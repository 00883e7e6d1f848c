import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion } from '../../src/db/db.ts';
import { MIGRATIONS } from '../../src/app/migrations.ts';
import { tempDir } from '../slack/support.ts';

const dirs: ReturnType<typeof tempDir>[] = [];
function dbPath(): string {
  const dir = tempDir();
  dirs.push(dir);
  return join(dir.path, 'nested', 'folder', 'logtune.db');
}
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

describe('openDatabase', () => {
  it('creates the folder and file, turns on WAL and applies every migration', () => {
    const path = dbPath();
    const db = openDatabase(path, MIGRATIONS);
    expect(existsSync(path)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['builds', 'posted_messages', 'schema_migrations', 'seen_events']));
    db.close();
  });

  it("refuses a damaged database with SQLite's reason, and leaves the file as it was", () => {
    const path = dbPath();
    const db = openDatabase(path, MIGRATIONS);
    const insert = db.prepare('INSERT INTO seen_events (event_id, seen_at) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`Ev${i}`.padEnd(60, 'x'), '2024-01-01T00:00:00.000Z');
    })();
    db.close();
    const pageSize = 4096;
    const fd = openSync(path, 'r+');
    // Page 3 onwards overwritten (the header and the schema on page 1 stay readable): b-tree pages SQLite must reject.
    writeSync(fd, Buffer.alloc(pageSize * 4, 0xa5), 0, pageSize * 4, pageSize * 2);
    closeSync(fd);
    const damaged = readFileSync(path);
    expect(() => openDatabase(path, MIGRATIONS)).toThrow(
      /LOGTUNE_DB: .*fails SQLite's integrity check \(.+\); logtune does not use/,
    );
    expect(readFileSync(path).equals(damaged)).toBe(true);
  });

  it('refuses a file that is not a database at all', () => {
    const path = dbPath();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'these are not the pages you are looking for\n'.repeat(200));
    expect(() => openDatabase(path, MIGRATIONS)).toThrow(/integrity check \(file is not a database\)/);
  });

  it('reopens an existing database without re-running migrations and keeps its data', () => {
    const path = dbPath();
    const first = openDatabase(path, MIGRATIONS);
    first.prepare("INSERT INTO seen_events (event_id, seen_at) VALUES ('Ev1', '2024-01-01T00:00:00.000Z')").run();
    first.close();
    const second = openDatabase(path, MIGRATIONS);
    expect(second.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    expect(second.prepare('SELECT event_id FROM seen_events').pluck().all()).toEqual(['Ev1']);
    second.close();
  });

  it('applies only the migrations newer than the database, in order', () => {
    const path = dbPath();
    openDatabase(path, MIGRATIONS).close();
    const later = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'approvals', up: 'CREATE TABLE approvals (id TEXT PRIMARY KEY)' },
    ];
    const db = openDatabase(path, later);
    expect(schemaVersion(db)).toBe(later.length);
    expect(db.prepare('SELECT name FROM schema_migrations WHERE version = ?').pluck().get(later.length)).toBe(
      'approvals',
    );
    db.close();
  });

  it('rolls back a failing migration as a whole', () => {
    const path = dbPath();
    openDatabase(path, MIGRATIONS).close();
    const broken = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'broken', up: 'CREATE TABLE half (id TEXT); SELECT * FROM missing' },
    ];
    expect(() => openDatabase(path, broken)).toThrow(/missing/);
    const db = openDatabase(path, MIGRATIONS);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a database written by a newer logtune, and a mis-numbered migration list', () => {
    const path = dbPath();
    const later = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'future', up: 'SELECT 1' }];
    openDatabase(path, later).close();
    expect(() => openDatabase(path, MIGRATIONS)).toThrow(/newer than this logtune supports/);
    const db = openDatabase(':memory:', MIGRATIONS);
    expect(() => migrate(db, [{ version: 2, name: 'skips one', up: 'SELECT 1' }])).toThrow(/expected 1/);
    db.close();
  });
});
