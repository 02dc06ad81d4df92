/**
 * What changed between two engine states: containers created, started, exited, removed;
 * networks created and removed; endpoints joining and leaving. The app compares the state
 * before and after every transaction (and, while someone waits, polls for changes other
 * processes committed), and turns the changes into events, wait results and attach endings —
 * one place that sees every exit, whatever caused it.
 */
import type { Engine } from '../engine/engine.js';
import type { ContainerRecord } from '../engine/model.js';

export interface ContainerSnap {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  status: string;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  /** Live endpoints: endpoint ID → network ID. */
  endpoints: Map<string, string>;
  /** Configured networks (also while stopped). */
  networkIds: string[];
}

export interface NetworkSnap {
  id: string;
  name: string;
  driver: string;
  labels: Record<string, string>;
}

export interface Snapshot {
  containers: Map<string, ContainerSnap>;
  networks: Map<string, NetworkSnap>;
}

export type Change =
  | { kind: 'container'; action: 'create' | 'start' | 'die' | 'destroy'; container: ContainerSnap }
  | { kind: 'network'; action: 'create' | 'destroy'; network: NetworkSnap }
  | { kind: 'endpoint'; action: 'connect' | 'disconnect'; container: ContainerSnap; network: NetworkSnap };

export function snapContainer(c: ContainerRecord): ContainerSnap {
  const endpoints = new Map<string, string>();
  for (const ep of c.endpoints) endpoints.set(ep.id, ep.networkId);
  return {
    id: c.id,
    name: c.name,
    image: c.image,
    labels: c.labels,
    status: c.status,
    exitCode: c.exitCode,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    endpoints,
    networkIds: c.networks.map((n) => n.networkId),
  };
}

export function takeSnapshot(engine: Engine): Snapshot {
  const containers = new Map<string, ContainerSnap>();
  for (const c of engine.containers.values()) containers.set(c.id, snapContainer(c));
  const networks = new Map<string, NetworkSnap>();
  for (const n of engine.networks.values()) networks.set(n.id, { id: n.id, name: n.name, driver: n.driver, labels: n.labels });
  return { containers, networks };
}

const big = (s: string) => BigInt(s || '0');

/**
 * `removed` holds the last state of containers removed during the transaction (their exit code
 * matters to `wait`); containers removed by another process are known only by their old state.
 */
export function diffSnapshots(prev: Snapshot, next: Snapshot, removed: Map<string, ContainerSnap> = new Map()): Change[] {
  const out: Change[] = [];
  const net = (id: string): NetworkSnap => next.networks.get(id) ?? prev.networks.get(id) ?? { id, name: id, driver: '', labels: {} };
  for (const n of next.networks.values()) if (!prev.networks.has(n.id)) out.push({ kind: 'network', action: 'create', network: n });

  const connects = (c: ContainerSnap, before: ContainerSnap | undefined) => {
    for (const [epId, netId] of c.endpoints) if (!before?.endpoints.has(epId)) out.push({ kind: 'endpoint', action: 'connect', container: c, network: net(netId) });
  };
  const disconnects = (before: ContainerSnap | undefined, after: ContainerSnap) => {
    if (!before) return;
    for (const [epId, netId] of before.endpoints) if (!after.endpoints.has(epId)) out.push({ kind: 'endpoint', action: 'disconnect', container: after, network: net(netId) });
    // A stopped container leaving a network it was configured for (Docker logs that too).
    if (before.status !== 'running' && after.status !== 'running') {
      for (const id of before.networkIds) if (!after.networkIds.includes(id)) out.push({ kind: 'endpoint', action: 'disconnect', container: after, network: net(id) });
    }
  };

  const ids = new Set<string>([...next.containers.keys(), ...removed.keys(), ...prev.containers.keys()]);
  for (const id of ids) {
    const before = prev.containers.get(id);
    const gone = !next.containers.has(id);
    const c = next.containers.get(id) ?? removed.get(id) ?? (before ? { ...before, status: 'exited', endpoints: new Map<string, string>() } : undefined);
    if (!c) continue;
    if (!before) out.push({ kind: 'container', action: 'create', container: c });
    const started = before ? c.startedAt !== before.startedAt : c.startedAt !== '0';
    const died = before ? c.finishedAt !== before.finishedAt || (before.status === 'running' && c.status !== 'running') : c.finishedAt !== '0';
    if (started && died && big(c.finishedAt) >= big(c.startedAt)) {
      // Started and exited within one transaction (a one-shot command): its endpoints came and
      // went unseen; report the joins and leaves of its configured networks.
      if (before?.status === 'running') {
        out.push({ kind: 'container', action: 'die', container: before });
        disconnects(before, { ...before, endpoints: new Map() });
      }
      for (const nid of c.networkIds) out.push({ kind: 'endpoint', action: 'connect', container: c, network: net(nid) });
      out.push({ kind: 'container', action: 'start', container: c });
      out.push({ kind: 'container', action: 'die', container: c });
      for (const nid of c.networkIds) out.push({ kind: 'endpoint', action: 'disconnect', container: c, network: net(nid) });
    } else if (started && died) {
      // Restart: the old process died, a new one started.
      out.push({ kind: 'container', action: 'die', container: c });
      disconnects(before, c);
      connects(c, before);
      out.push({ kind: 'container', action: 'start', container: c });
    } else if (started) {
      connects(c, before);
      out.push({ kind: 'container', action: 'start', container: c });
    } else if (died) {
      out.push({ kind: 'container', action: 'die', container: c });
      disconnects(before, c);
    } else {
      disconnects(before, c);
      connects(c, before);
    }
    if (gone) out.push({ kind: 'container', action: 'destroy', container: c });
  }
  for (const n of prev.networks.values()) if (!next.networks.has(n.id)) out.push({ kind: 'network', action: 'destroy', network: n });
  return out;
}
