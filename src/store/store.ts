/**
 * The state store contract: every CLI command or API call runs as one transaction over the
 * whole engine state, so concurrent processes serialise and never lose each other's change.
 */
import type { EngineState } from '../engine/model.js';

export interface StateStore {
  /** Runs `fn` on the current state inside a write transaction; `fn` returns the state to keep, or `undefined` to keep it unchanged. Throwing rolls back. */
  update<T>(fn: (state: EngineState | undefined) => { result: T; state?: EngineState }): T;
  /** Reads a consistent snapshot. */
  read(): EngineState | undefined;
  close(): void;
}

/** In-memory store (browser playground, tests, the tutorial). */
export class MemoryStore implements StateStore {
  private json: string | undefined;
  update<T>(fn: (state: EngineState | undefined) => { result: T; state?: EngineState }): T {
    const { result, state } = fn(this.read());
    if (state) this.json = JSON.stringify(state);
    return result;
  }
  read(): EngineState | undefined {
    return this.json === undefined ? undefined : (JSON.parse(this.json) as EngineState);
  }
  close(): void {}
}
