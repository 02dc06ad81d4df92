/**
 * Where the CLI's engine lives: loaded from a store for each transaction, so every command (or
 * every per-argument request, as Docker's CLI makes) is one atomic read-modify-write.
 */
import { SeededRandom, SteppingClock, type Clock, type Random } from '../core/ports.js';
import { Engine } from '../engine/engine.js';
import type { EngineState, HostModel } from '../engine/model.js';
import type { StateStore, StoredState } from '../store/store.js';

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
  /** The engine of the last revision this host saw: reused until another writer commits. */
  private cache: { revision: number; engine: Engine } | undefined;

  constructor(private readonly opts: EngineHostOptions) {}

  private engineFor(current: StoredState): Engine {
    // Seeded mode derives randomness from the transaction count: always rebuild.
    if (this.cache && this.cache.revision === current.revision && this.opts.seed === undefined) return this.cache.engine;
    const state = current.load();
    const engine = this.load(state);
    if (state && this.opts.seed === undefined) this.cache = { revision: current.revision, engine };
    return engine;
  }

  private deps(state: EngineState | undefined): { clock: Clock; random: Random } {
    if (this.opts.seed === undefined) return { clock: this.opts.clock, random: this.opts.random };
    const tx = state?.transactions ?? 0;
    return {
      clock: new SteppingClock(SEEDED_EPOCH + BigInt(tx) * 1_000_000_000n, 1_000_000n),
      random: new SeededRandom((this.opts.seed * 1_000_003 + tx * 7_919) >>> 0),
    };
  }

  private load(state: EngineState | undefined): Engine {
    const deps = this.deps(state);
    if (!state) return Engine.fresh(deps, { profile: this.opts.profile ?? 'default', host: this.opts.host });
    if (this.opts.profile && state.profile !== this.opts.profile) {
      throw new Error(
        `the state was created with --compat ${state.profile}; it cannot be used with --compat ${this.opts.profile} (to start over: 'crosstalk reset --compat ${this.opts.profile}' with CROSSTALK_STATE_DIR set to that state directory)`,
      );
    }
    return new Engine(state, deps);
  }

  /** One write transaction: a throw leaves the stored state exactly as it was. */
  write<T>(fn: (engine: Engine) => T): T {
    try {
      const { result, revision } = this.opts.store.update((current) => {
        const engine = this.opts.seed === undefined ? this.engineFor(current) : this.load(current.load());
        const before = this.transactionsOf(engine);
        const result = fn(engine);
        const next = engine.snapshot();
        next.transactions = before + 1;
        engine.transactions = next.transactions;
        this.cache = this.opts.seed === undefined ? { revision: -1, engine } : undefined;
        return { result, state: next };
      });
      if (this.cache) this.cache.revision = revision;
      return result;
    } catch (err) {
      // The engine may hold half-applied work: never reuse it.
      this.cache = undefined;
      throw err;
    }
  }

  private transactionsOf(engine: Engine): number {
    return engine.transactions ?? 0;
  }

  read<T>(fn: (engine: Engine) => T): T {
    const current = this.opts.store.read();
    if (current.revision === 0) {
      // First use: materialise the predefined networks so IDs stay stable from now on.
      return this.write(fn);
    }
    return fn(this.opts.seed === undefined ? this.engineFor(current) : this.load(current.load()));
  }

  /** Drops all state (simulation only). */
  reset(profile: 'default' | 'legacy', host?: HostModel): void {
    this.cache = undefined;
    this.opts.store.update(() => {
      const engine = Engine.fresh(this.deps(undefined), { profile, host: host ?? this.opts.host });
      const next = engine.snapshot();
      next.transactions = 1;
      return { result: undefined, state: next };
    });
  }
}
