/**
 * SQLite-backed state (better-sqlite3 12): one row holds the engine state as JSON; every update
 * runs in `BEGIN IMMEDIATE`, so two CLI processes never interleave a read-modify-write. WAL mode
 * lets readers proceed while a writer works.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineState } from '../engine/model.js';
import type { StateStore } from './store.js';

export class SqliteStore implements StateStore {
  private readonly db: Database.Database;
  private readonly selectStmt: Database.Statement;
  private readonly upsertStmt: Database.Statement;

  constructor(dir: string) {
    const file = join(dir, 'crosstalk.db');
    const isNew = !existsSync(file);
    if (isNew) mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 30000');
    // WAL is a property of the database file: set once, when the file is made (a cold CLI start
    // should not pay for it on every command).
    if (isNew) this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS engine_state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, revision INTEGER NOT NULL)');
    this.selectStmt = this.db.prepare('SELECT json FROM engine_state WHERE id = 1');
    this.upsertStmt = this.db.prepare(
      'INSERT INTO engine_state (id, json, revision) VALUES (1, ?, 1) ON CONFLICT(id) DO UPDATE SET json = excluded.json, revision = revision + 1',
    );
  }

  update<T>(fn: (state: EngineState | undefined) => { result: T; state?: EngineState }): T {
    const run = this.db.transaction(() => {
      const { result, state } = fn(this.readRow());
      if (state) this.upsertStmt.run(JSON.stringify(state));
      return result;
    });
    return run.immediate();
  }

  read(): EngineState | undefined {
    return this.readRow();
  }

  private readRow(): EngineState | undefined {
    const row = this.selectStmt.get() as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as EngineState) : undefined;
  }

  close(): void {
    this.db.close();
  }
}
