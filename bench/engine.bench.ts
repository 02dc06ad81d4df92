/**
 * Simulated engine at scale: 1,000 networks, 10,000 containers each connected to two networks,
 * then 100,000 DNS lookups through the simulated resolver. Goal: < 3 s total, < 300 MB peak RSS.
 */
import { SeededRandom, SteppingClock } from '../src/core/ports.js';
import { connectContainer, createContainer, startContainer } from '../src/engine/containers.js';
import { Engine } from '../src/engine/engine.js';
import { NetView } from '../src/sim/netview.js';

export interface BenchRow {
  name: string;
  ms: number;
  rssMB: number;
  goal: string;
}

export function runEngineBench(): BenchRow[] {
  const rows: BenchRow[] = [];
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const engine = Engine.fresh({ clock: new SteppingClock(1_750_000_000_000_000_000n, 1000n), random: new SeededRandom(7) });
  const t0 = performance.now();
  const nets: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const name = `net${i}`;
    engine.createNetwork({ name, ipamConfig: [{ Subnet: `10.${i >> 8}.${i & 255}.0/24` }] });
    nets.push(name);
  }
  const t1 = performance.now();
  rows.push({ name: 'create 1,000 networks', ms: t1 - t0, rssMB: 0, goal: '' });
  for (let i = 0; i < 10_000; i++) {
    const name = `c${i}`;
    createContainer(engine, { name, image: 'alpine', cmd: ['sleep', 'infinity'], networkMode: nets[i % 1000] });
    connectContainer(engine, nets[(i * 7 + 1) % 1000], name, {});
    startContainer(engine, name);
    if (i % 1000 === 0) sample();
  }
  const t2 = performance.now();
  rows.push({ name: 'create+connect+start 10,000 containers (2 networks each)', ms: t2 - t1, rssMB: 0, goal: '' });
  const view = new NetView(engine);
  const containers = engine.listContainers();
  let answered = 0;
  for (let q = 0; q < 100_000; q++) {
    const from = containers[(q * 13) % containers.length];
    // A peer on its primary network: containers i and i+1000 share net (i % 1000).
    const idx = Number(from.name.slice(1));
    const peer = `c${(idx + 1000) % 10_000}`;
    const res = view.lookup(from, peer);
    if (res.kind === 'answer') answered++;
  }
  const t3 = performance.now();
  sample();
  if (answered !== 100_000) throw new Error(`only ${answered} of 100000 lookups answered`);
  rows.push({ name: '100,000 DNS lookups', ms: t3 - t2, rssMB: 0, goal: '' });
  rows.push({ name: 'sim engine total', ms: t3 - t0, rssMB: (peak - rss0) / 1048576, goal: '< 3000 ms, < 300 MB' });
  return rows;
}
