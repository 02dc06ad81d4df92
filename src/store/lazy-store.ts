/**
 * A store opened on first use: a CLI command that talks to a daemon never touches the embedded
 * state, so it must not create the state directory and database either.
 */
import type { StateStore, StoredState } from './store.js';
import type { EngineState } from '../engine/model.js';

export class LazyStore implements StateStore {
  private store: StateStore | undefined;

  constructor(private readonly open: () => StateStore) {}

  private get opened(): StateStore {
    this.store ??= this.open();
    return this.store;
  }

  update<T>(fn: (current: StoredState) => { result: T; state?: EngineState }): { result: T; revision: number } {
    return this.opened.update(fn);
  }

  read(): StoredState {
    return this.opened.read();
  }

  close(): void {
    this.store?.close();
  }
}
