/**
 * Where the CLI's engine lives: loaded from a store for each transaction, so every command (or
 * every per-argument request, as Docker's CLI makes) is one atomic read-modify-write.
 */
import { EngineError } from '../core/errors.js';
import type { Clock, Random } from '../core/ports.js';
import { Engine } from '../engine/engine.js';
import type { HostModel } from '../engine/model.js';
import type { StateStore } from '../store/store.js';

export interface EngineHostOptions {
  store: StateStore;
  clock: Clock;
  random: Random;
  /** Profile for a fresh state; must match an existing state's profile when given explicitly. */
  profile?: 'default' | 'legacy';
  host?: HostModel;
}

export class EngineHost {
  constructor(private readonly opts: EngineHostOptions) {}

  private load(state: ReturnType<StateStore['read']>): Engine {
    const deps = { clock: this.opts.clock, random: this.opts.random };
    if (!state) return Engine.fresh(deps, { profile: this.opts.profile ?? 'default', host: this.opts.host });
    if (this.opts.profile && state.profile !== this.opts.profile) {
      throw new EngineError(
        'invalid-parameter',
        `the state was created with --compat ${state.profile}; it cannot be used with --compat ${this.opts.profile} (run 'crosstalk reset' to start over)`,
      );
    }
    return new Engine(state, deps);
  }

  /** One write transaction: a throw leaves the stored state exactly as it was. */
  write<T>(fn: (engine: Engine) => T): T {
    return this.opts.store.update((state) => {
      const engine = this.load(state);
      const result = fn(engine);
      return { result, state: engine.snapshot() };
    });
  }

  read<T>(fn: (engine: Engine) => T): T {
    const state = this.opts.store.read();
    if (!state) {
      // First use: materialise the predefined networks so IDs stay stable from now on.
      return this.write(fn);
    }
    return fn(this.load(state));
  }

  /** Drops all state (simulation only). */
  reset(profile: 'default' | 'legacy', host?: HostModel): void {
    this.opts.store.update(() => {
      const engine = Engine.fresh({ clock: this.opts.clock, random: this.opts.random }, { profile, host: host ?? this.opts.host });
      return { result: undefined, state: engine.snapshot() };
    });
  }
}
