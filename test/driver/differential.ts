/**
 * Differential testing of the simulator against the real data plane: a seeded generator of random
 * topologies, the probe matrix over them, and the comparison.
 *
 * The matrix, for every running container `from` and every other container `to`: does `to`'s
 * name resolve (busybox nslookup; compared as address references), does each address `to` ever
 * had answer ping, is TCP 8080 open on it (every container runs `nc -ll -p 8080 -e echo ok`);
 * plus, from every running container, nslookup of each alias in use and ping of each network's
 * gateway.
 */
import { SeededRandom } from '../../src/core/ports.js';
import { answer, build, CONCURRENCY, probeLabel, type Answer, type Built, type ContainerSpec, type NetworkSpec, type Op, type Probe, type Topology } from './scenarios.js';
import { pool, type Target } from './target.js';

const ALIASES = ['svc', 'db', 'api'];

class Rng {
  private readonly r: SeededRandom;
  constructor(seed: number) {
    this.r = new SeededRandom(seed);
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.r.nextUint32() % (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.r.nextUint32() / 2 ** 32 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)];
  }
  /** k distinct elements, in random order. */
  sample<T>(xs: readonly T[], k: number): T[] {
    const pool = [...xs];
    const out: T[] = [];
    while (out.length < k && pool.length) out.push(pool.splice(this.int(0, pool.length - 1), 1)[0]);
    return out;
  }
}

/** A random topology: 2–4 user networks, 4–7 containers on 0–3 of them, aliases, then stops/disconnects. */
export function generate(seed: number): Topology {
  const rng = new Rng(seed);
  const networks: NetworkSpec[] = [];
  const nNets = rng.int(2, 4);
  for (let i = 1; i <= nNets; i++) {
    const n: NetworkSpec = { name: `net${i}` };
    if (rng.chance(0.25)) n.internal = true;
    if (rng.chance(0.3)) n.icc = false;
    networks.push(n);
  }
  const containers: ContainerSpec[] = [];
  const nContainers = rng.int(4, 7);
  for (let i = 1; i <= nContainers; i++) {
    const k = rng.pick([0, 1, 1, 1, 2, 2, 3]);
    const c: ContainerSpec = { name: `c${i}`, networks: [] };
    if (k === 0) {
      if (rng.chance(0.25)) c.networks = ['none'];
    } else {
      c.networks = rng.sample(networks, Math.min(k, networks.length)).map((n) => n.name);
      if (rng.chance(0.35)) c.aliases = [rng.pick(ALIASES)];
    }
    containers.push(c);
  }
  const ops: Op[] = [];
  const stopped = new Set<string>();
  const attached = new Map(containers.map((c) => [c.name, c.networks.filter((n) => n !== 'none')]));
  const nOps = rng.int(0, 3);
  for (let i = 0; i < nOps; i++) {
    const live = containers.filter((c) => !stopped.has(c.name));
    if (rng.chance(0.4) && live.length > 2) {
      const c = rng.pick(live);
      stopped.add(c.name);
      ops.push({ op: 'stop', container: c.name });
    } else {
      const candidates = containers.filter((c) => (attached.get(c.name) ?? []).length > 0);
      if (!candidates.length) continue;
      const c = rng.pick(candidates);
      const nets = attached.get(c.name)!;
      const net = rng.pick(nets);
      attached.set(c.name, nets.filter((n) => n !== net));
      ops.push({ op: 'disconnect', network: net, container: c.name });
    }
  }
  return { networks, containers, ops };
}

/** A readable one-line-per-item description of a topology. */
export function describeTopology(topo: Topology): string {
  const lines = topo.networks.map((n) => `network ${n.name}${n.internal ? ' internal' : ''}${n.icc === false ? ' icc=false' : ''}`);
  for (const c of topo.containers) {
    const where = c.networks.length ? c.networks.join(',') : 'bridge (default)';
    lines.push(`container ${c.name} on ${where}${c.aliases?.length ? ` aliases ${c.aliases.join(',')}` : ''}`);
  }
  for (const op of topo.ops ?? []) lines.push(op.op === 'stop' ? `then stop ${op.container}` : `then ${op.op} ${op.network} ${op.container}`);
  return lines.join('\n');
}

/** The probes of the matrix (answers unknown: `expect` is a placeholder). */
export function matrix(topo: Topology, built: Built): Probe[] {
  const stopped = new Set((topo.ops ?? []).filter((o) => o.op === 'stop').map((o) => (o as { container: string }).container));
  const running = topo.containers.filter((c) => !stopped.has(c.name));
  const refsOf = (name: string) => [...built.refs.keys()].filter((r) => r.startsWith(`${name}@`));
  const aliases = [...new Set(topo.containers.flatMap((c) => c.aliases ?? []))];
  const probes: Probe[] = [];
  for (const from of running) {
    for (const to of topo.containers) {
      if (to === from) continue;
      probes.push({ probe: 'resolve', from: from.name, name: to.name, expect: [] });
      for (const ref of refsOf(to.name)) {
        probes.push({ probe: 'ping', from: from.name, to: ref, expect: false });
        probes.push({ probe: 'tcp', from: from.name, to: ref, expect: false });
      }
    }
    for (const a of aliases) probes.push({ probe: 'resolve', from: from.name, name: a, expect: [] });
    for (const n of [...topo.networks.map((x) => x.name), 'bridge']) probes.push({ probe: 'ping', from: from.name, to: `gw@${n}`, expect: false });
  }
  return probes;
}

export interface Run {
  built: Built;
  answers: Map<string, Answer>;
}

/** Builds the topology on `t` and answers the whole matrix (the probes come from the sim's built refs). */
export async function runMatrix(t: Target, topo: Topology, probesOf: (built: Built) => Probe[]): Promise<Run> {
  const built = await build(t, topo);
  const probes = probesOf(built);
  const answers = new Map<string, Answer>();
  await pool(probes, CONCURRENCY, async (p) => void answers.set(probeLabel(p), await answer(t, built, p)));
  return { built, answers };
}

/** Lines `probe: sim=… linux=…` for every probe whose answers differ ('' when none). */
export function differences(sim: Run, real: Run): string {
  const lines: string[] = [];
  const simRefs = [...sim.built.refs].map(([r, ip]) => `${r}=${ip}`).join(' ');
  const realRefs = [...real.built.refs].map(([r, ip]) => `${r}=${ip}`).join(' ');
  if (simRefs !== realRefs) lines.push(`addresses differ:\n  sim:   ${simRefs}\n  linux: ${realRefs}`);
  for (const [label, a] of sim.answers) {
    const b = real.answers.get(label);
    if (JSON.stringify(a) !== JSON.stringify(b)) lines.push(`${label}: sim=${JSON.stringify(a)} linux=${JSON.stringify(b)}`);
  }
  return lines.join('\n');
}
