/**
 * SQLite-backed state (better-sqlite3 12): one row holds the engine state as JSON; every update
 * runs in `BEGIN IMMEDIATE`, so two CLI processes never interleave a read-modify-write. WAL mode
 * lets readers proceed while a writer works.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineState } from '../engine/model.js';
import type { StateStore, StoredState } from './store.js';

export class SqliteStore implements StateStore {
  private readonly db: Database.Database;
  private readonly selectStmt: Database.Statement;
  private readonly revisionStmt: Database.Statement;
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
    this.selectStmt = this.db.prepare('SELECT json, revision FROM engine_state WHERE id = 1');
    this.revisionStmt = this.db.prepare('SELECT revision FROM engine_state WHERE id = 1');
    this.upsertStmt = this.db.prepare(
      'INSERT INTO engine_state (id, json, revision) VALUES (1, ?, 1) ON CONFLICT(id) DO UPDATE SET json = excluded.json, revision = revision + 1',
    );
  }

  update<T>(fn: (current: StoredState) => { result: T; state?: EngineState }): { result: T; revision: number } {
    const run = this.db.transaction(() => {
      const current = this.readRow();
      const { result, state } = fn(current);
      if (!state) return { result, revision: current.revision };
      this.upsertStmt.run(JSON.stringify(state));
      return { result, revision: current.revision + 1 };
    });
    return run.immediate();
  }

  read(): StoredState {
    return this.readRow();
  }

  /** The revision now, and a loader that re-reads the revision with the JSON it returns. */
  private readRow(): StoredState {
    const rev = this.revisionStmt.get() as { revision: number } | undefined;
    const stored: StoredState = {
      revision: rev?.revision ?? 0,
      load: () => {
        const row = this.selectStmt.get() as { json: string; revision: number } | undefined;
        if (!row) return undefined;
        stored.revision = row.revision;
        return JSON.parse(row.json) as EngineState;
      },
    };
    return stored;
  }

  close(): void {
    this.db.close();
  }
}
