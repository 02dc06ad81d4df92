/**
 * Services the routes share: one transaction helper that diffs the state before and after (so
 * every exit, however caused, reaches `wait`, attached clients and `/events`), the event bus,
 * the attach hub, and a poll for changes other processes commit while anyone is waiting.
 */
import type { EngineHost } from '../cli/engine-host.js';
import { generateId } from '../core/ids.js';
import { CryptoRandom } from '../core/ports.js';
import type { EngineProfile } from '../core/profile.js';
import { markExited, removeContainer } from '../engine/containers.js';
import type { Engine } from '../engine/engine.js';
import { findImage, normalizeImageRef } from '../engine/images.js';
import { imageDigest } from '../engine/inspect.js';
import type { ContainerRecord } from '../engine/model.js';
import { applySimEffect } from '../sim/runtime.js';
import type { SimEffect } from '../sim/shell.js';
import { EventBus, type EventMessage } from './events.js';
import type { RealRuntime } from './real-runtime.js';
import type { RestartScheduler } from './restarts.js';
import { setRepeating } from './stream.js';
import type { ApiAppOptions, ApiInfo, ExecRecord, LogLevel } from './types.js';
import { diffSnapshots, snapContainer, takeSnapshot, type Change, type ContainerSnap, type Snapshot } from './watch.js';

export interface Tx {
  readonly engine: Engine;
  /** Publish after commit, before the state's own events (a `kill` precedes its `die`). */
  eventBefore(ev: EventMessage): void;
  /** Publish after commit, after the state's own events (`stop` follows `die`). */
  eventAfter(ev: EventMessage): void;
  /** Container output for attached clients, delivered after commit. */
  output(containerId: string, stream: 1 | 2, text: string): void;
  onCommit(fn: () => void): void;
  /**
   * Marks a point between two steps (restart: stop, then start) so each step's changes are seen;
   * `events` are published right after the first step's own.
   */
  checkpoint(events?: EventMessage[]): void;
}

/** Something attached to a container's streams (an attach session). */
export interface AttachListener {
  output(stream: 1 | 2, text: string): void;
  started(): void;
  ended(): void;
}

interface Waiter {
  containerId: string;
  condition: 'not-running' | 'next-exit' | 'removed';
  resolve(exitCode: number): void;
}

export type WaitCondition = Waiter['condition'];

/** Canonical simulated image ID: one image per repository, its tags are aliases. */
export function imageId(ref: string): string {
  const image = findImage(ref);
  const repo = image ? image.repository : normalizeImageRef(ref).split(':')[0];
  return `sha256:${imageDigest(repo)}`;
}

export class ApiCore {
  readonly host: EngineHost;
  readonly events = new EventBus();
  readonly info: ApiInfo;
  private readonly nowFn: () => bigint;
  private readonly logFn: ApiAppOptions['log'];
  private readonly pollMs: number;
  private last: Snapshot | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly attached = new Map<string, Set<AttachListener>>();
  private stopPolling: (() => void) | undefined;
  private cachedProfile: EngineProfile | undefined;
  /** Exec instances by ID (in memory, as Docker keeps them). */
  readonly execs = new Map<string, ExecRecord>();
  private pid = 30000;
  private readonly random = new CryptoRandom();
  /** The real data plane, when the daemon runs one (undefined: the simulator). */
  readonly real: RealRuntime | undefined;
  /** Restart policies (set by the app, which knows how to start a container). */
  restarts: RestartScheduler | undefined;

  constructor(opts: ApiAppOptions) {
    this.host = opts.host;
    this.real = opts.real;
    this.real?.setExitHandler((id, code) => {
      try {
        this.write((tx) => {
          const c = tx.engine.containers.get(id);
          if (c && c.status === 'running') exitContainer(tx.engine, c, code);
        });
      } catch (err) {
        this.log('error', 'recording an exit failed', { container: id, error: (err as Error).message });
      }
    });
    this.info = opts.info ?? {};
    this.nowFn = opts.now ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.logFn = opts.log;
    this.pollMs = opts.pollIntervalMs ?? 1000;
  }

  now(): bigint {
    return this.nowFn();
  }

  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    this.logFn?.(level, msg, fields);
  }

  /** Exec IDs come from their own random source: they are not engine state (no transaction). */
  newExecId(): string {
    for (;;) {
      const id = generateId(this.random);
      if (!this.execs.has(id)) return id;
    }
  }

  nextPid(): number {
    return this.pid++;
  }

  /** The profile is fixed when the state is created; read it once. */
  profile(): EngineProfile {
    this.cachedProfile ??= this.host.read((e) => e.profile);
    return this.cachedProfile;
  }

  /** The state was replaced (`crosstalk reset`): drop what was derived from the old one. */
  forget(): void {
    this.cachedProfile = undefined;
    this.last = undefined;
  }

  read<T>(fn: (engine: Engine) => T): T {
    return this.host.read(fn);
  }

  /** One transaction; after commit its changes become events, wait results and attach endings. */
  write<T>(fn: (tx: Tx) => T): T {
    const before: EventMessage[] = [];
    const after: EventMessage[] = [];
    const outputs: Array<[string, 1 | 2, string]> = [];
    const commits: Array<() => void> = [];
    const removed = new Map<string, ContainerSnap>();
    let start: Snapshot | undefined;
    let end: Snapshot | undefined;
    const marks: Array<{ snap: Snapshot; events: EventMessage[] }> = [];
    let committedEngine: Engine | undefined;
    const result = this.writeSynced((engine) => {
      committedEngine = engine;
      start = takeSnapshot(engine);
      // Containers removed in this transaction: keep their last state (wait needs the exit code).
      const unindex = engine.unindexContainer;
      engine.unindexContainer = (c: ContainerRecord) => {
        removed.set(c.id, snapContainer(c));
        unindex.call(engine, c);
      };
      let r: T;
      try {
        r = fn({
          engine,
          eventBefore: (ev) => before.push(ev),
          eventAfter: (ev) => after.push(ev),
          output: (id, stream, text) => outputs.push([id, stream, text]),
          onCommit: (f) => commits.push(f),
          checkpoint: (events = []) => marks.push({ snap: takeSnapshot(engine), events }),
        });
      } finally {
        delete (engine as unknown as { unindexContainer?: unknown }).unindexContainer;
      }
      end = takeSnapshot(engine);
      return r;
    });
    if (committedEngine) this.real?.committed(committedEngine);
    const external = this.last ? diffSnapshots(this.last, start!) : [];
    this.last = end;
    this.apply(external);
    for (const ev of before) this.events.publish(ev);
    for (const [id, stream, text] of outputs) this.deliver(id, stream, text);
    let from = start!;
    for (const m of marks) {
      this.apply(diffSnapshots(from, m.snap, removed));
      for (const ev of m.events) this.events.publish(ev);
      from = m.snap;
    }
    this.apply(diffSnapshots(from, end!, removed));
    for (const ev of after) this.events.publish(ev);
    for (const f of commits) f();
    return result;
  }

  /**
   * A store transaction whose result the real data plane follows before it commits; when the
   * plane cannot follow, the transaction is undone and the plane put back to the stored state.
   */
  private writeSynced<T>(fn: (engine: Engine) => T): T {
    if (!this.real) return this.host.write(fn);
    try {
      return this.host.write((engine) => {
        const r = fn(engine);
        this.real!.sync(engine);
        return r;
      });
    } catch (err) {
      try {
        this.host.read((engine) => this.real!.sync(engine));
      } catch (again) {
        this.log('error', 'the data plane could not be put back to the stored state', { error: (again as Error).message });
      }
      throw err;
    }
  }

  /** Picks up changes committed by other processes (the embedded CLI on the same state). */
  poll(): void {
    const next = this.host.read((engine) => takeSnapshot(engine));
    if (this.last) this.apply(diffSnapshots(this.last, next));
    this.last = next;
  }

  private apply(changes: Change[]): void {
    for (const ch of changes) {
      if (ch.kind === 'network') {
        this.events.publish(this.networkEvent(ch.network, ch.action, {}));
      } else if (ch.kind === 'endpoint') {
        this.events.publish(this.networkEvent(ch.network, ch.action, { container: ch.container.id }));
      } else {
        const c = ch.container;
        this.events.publish(this.containerEvent(c, ch.action, ch.action === 'die' ? { exitCode: String(c.exitCode) } : {}));
        if (ch.action === 'start') for (const l of this.listeners(c.id)) l.started();
        if (ch.action === 'die' && this.restarts) {
          const record = this.host.read((e) => e.containers.get(c.id));
          if (record) this.restarts.exited(record);
        }
        if (ch.action === 'destroy') this.restarts?.forget(c.id);
        if (ch.action === 'die' || ch.action === 'destroy') {
          for (const w of [...this.waiters]) {
            if (w.containerId !== c.id) continue;
            if (w.condition === 'removed' && ch.action !== 'destroy') continue;
            this.waiters.delete(w);
            w.resolve(c.exitCode);
          }
          for (const l of this.listeners(c.id)) l.ended();
        }
      }
    }
  }

  // ------------------------------------------------------------------ events

  containerEvent(c: Pick<ContainerSnap, 'id' | 'name' | 'image' | 'labels'>, action: string, extra: Record<string, string>): EventMessage {
    return {
      status: action,
      id: c.id,
      from: c.image,
      Type: 'container',
      Action: action,
      Actor: { ID: c.id, Attributes: { ...c.labels, image: c.image, name: c.name, ...extra } },
      timeNano: this.now(),
    };
  }

  networkEvent(n: { id: string; name: string; driver: string }, action: string, extra: Record<string, string>): EventMessage {
    return { Type: 'network', Action: action, Actor: { ID: n.id, Attributes: { name: n.name, type: n.driver, ...extra } }, timeNano: this.now() };
  }

  // ------------------------------------------------------------------ waiting

  /** Resolves with the exit code when the condition is met. Returns a cancel function. */
  waitFor(containerId: string, condition: WaitCondition, resolve: (exitCode: number) => void): () => void {
    this.ensurePolling();
    const w: Waiter = { containerId, condition, resolve };
    this.waiters.add(w);
    return () => this.waiters.delete(w);
  }

  attach(containerId: string, l: AttachListener): () => void {
    let set = this.attached.get(containerId);
    if (!set) this.attached.set(containerId, (set = new Set()));
    this.ensurePolling();
    set.add(l);
    return () => {
      set!.delete(l);
      if (set!.size === 0 && this.attached.get(containerId) === set) this.attached.delete(containerId);
    };
  }

  private listeners(containerId: string): AttachListener[] {
    return [...(this.attached.get(containerId) ?? [])];
  }

  /** Output a container printed: every attached client sees it. */
  deliver(containerId: string, stream: 1 | 2, text: string): void {
    for (const l of this.listeners(containerId)) l.output(stream, text);
  }

  private busy(): boolean {
    return this.waiters.size > 0 || this.attached.size > 0 || this.events.listenerCount > 0;
  }

  /**
   * Starts polling if it is not running, catching up first: call it before registering an
   * interest, so the interest sees only what happens after it.
   */
  ensurePolling(): void {
    if (this.stopPolling || this.pollMs <= 0) return;
    try {
      this.poll();
    } catch (err) {
      this.log('warn', 'polling the state failed', { error: (err as Error).message });
    }
    this.stopPolling = setRepeating(() => {
      if (!this.busy()) {
        this.stopPolling?.();
        this.stopPolling = undefined;
        return;
      }
      try {
        this.poll();
      } catch (err) {
        this.log('warn', 'polling the state failed', { error: (err as Error).message });
      }
    }, this.pollMs);
  }

  /** Stops the poll timer (daemon shutdown). */
  close(): void {
    this.restarts?.close();
    this.stopPolling?.();
    this.stopPolling = undefined;
  }
}

/** The container's main process ended: release its endpoints; `--rm` removes it. */
export function exitContainer(engine: Engine, c: ContainerRecord, exitCode: number): void {
  if (c.status !== 'running') return;
  markExited(engine, c, exitCode);
  if (c.autoRemove) removeContainer(engine, c.id, { force: true });
}

/** Applies a simulated command's effect on another container and shows its output to attached clients. */
export function applyEffect(tx: Tx, e: SimEffect): void {
  applySimEffect(tx.engine, e);
  if (e.kind === 'log') tx.output(e.container.id, 1, e.text);
}
