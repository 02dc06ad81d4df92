/**
 * Where the CLI's engine lives: loaded from a store for each transaction, so every command (or
 * every per-argument request, as Docker's CLI makes) is one atomic read-modify-write.
 */
import { SeededRandom, SteppingClock, type Clock, type Random } from '../core/ports.js';
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
  /**
   * Deterministic mode: IDs, MACs, times and ping timings derive from this seed and the number of
   * committed transactions, so the same command sequence gives byte-identical output whether it
   * runs in one process or as separate CLI invocations (CROSSTALK_SEED; the tutorial).
   */
  seed?: number;
}

/** 2025-06-01T10:00:00Z: where deterministic clocks start. */
const SEEDED_EPOCH = 1_748_772_000_000_000_000n;

export class EngineHost {
  constructor(private readonly opts: EngineHostOptions) {}

  private deps(state: ReturnType<StateStore['read']>): { clock: Clock; random: Random } {
    if (this.opts.seed === undefined) return { clock: this.opts.clock, random: this.opts.random };
    const tx = state?.transactions ?? 0;
    return {
      clock: new SteppingClock(SEEDED_EPOCH + BigInt(tx) * 1_000_000_000n, 1_000_000n),
      random: new SeededRandom((this.opts.seed * 1_000_003 + tx * 7_919) >>> 0),
    };
  }

  private load(state: ReturnType<StateStore['read']>): Engine {
    const deps = this.deps(state);
    if (!state) return Engine.fresh(deps, { profile: this.opts.profile ?? 'default', host: this.opts.host });
    if (this.opts.profile && state.profile !== this.opts.profile) {
      throw new Error(
        `the state was created with --compat ${state.profile}; it cannot be used with --compat ${this.opts.profile} (run 'crosstalk reset --compat ${this.opts.profile}' to start over)`,
      );
    }
    return new Engine(state, deps);
  }

  /** One write transaction: a throw leaves the stored state exactly as it was. */
  write<T>(fn: (engine: Engine) => T): T {
    return this.opts.store.update((state) => {
      const engine = this.load(state);
      const result = fn(engine);
      const next = engine.snapshot();
      next.transactions = (state?.transactions ?? 0) + 1;
      return { result, state: next };
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
      const engine = Engine.fresh(this.deps(undefined), { profile, host: host ?? this.opts.host });
      const next = engine.snapshot();
      next.transactions = 1;
      return { result: undefined, state: next };
    });
  }
}
