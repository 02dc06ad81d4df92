/**
 * The state store contract: every CLI command or API call runs as one transaction over the
 * whole engine state, so concurrent processes serialise and never lose each other's change.
 * Each committed change bumps a revision, so a long-lived process (the daemon) can keep its
 * engine in memory and reload only when someone else changed the state.
 */
import type { EngineState } from '../engine/model.js';

export interface StoredState {
  /** 0 when nothing is stored yet. */
  revision: number;
  /** Parses the stored state (lazily: callers with a cached copy of this revision skip it); may update `revision` to the one it loaded. */
  load(): EngineState | undefined;
}

export interface StateStore {
  /** Runs `fn` inside a write transaction; `fn` returns the state to keep, or none to keep it unchanged. Throwing rolls back. Returns the result and the revision now stored. */
  update<T>(fn: (current: StoredState) => { result: T; state?: EngineState }): { result: T; revision: number };
  /** A consistent snapshot. */
  read(): StoredState;
  close(): void;
}

/** In-memory store (browser playground, tests, the tutorial). */
export class MemoryStore implements StateStore {
  private json: string | undefined;
  private revision = 0;
  update<T>(fn: (current: StoredState) => { result: T; state?: EngineState }): { result: T; revision: number } {
    const { result, state } = fn(this.read());
    if (state) {
      this.json = JSON.stringify(state);
      this.revision++;
    }
    return { result, revision: this.revision };
  }
  read(): StoredState {
    const json = this.json;
    return { revision: this.revision, load: () => (json === undefined ? undefined : (JSON.parse(json) as EngineState)) };
  }
  close(): void {}
}
