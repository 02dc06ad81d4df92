/**
 * IPAM allocator benchmark: allocate then release 1,000,000 addresses in one 10.0.0.0/8 pool,
 * directly on AddressPool and through NetworkIpam. Reports wall time and peak RSS growth
 * (sampled every 50,000 operations; run with --expose-gc for a steadier baseline).
 */

import { AddressPool, NetworkIpam, formatIpv4Number } from '../src/ipam/index.js';

const N = 1_000_000;
const SAMPLE_EVERY = 50_000;

interface BenchResult {
  name: string;
  ms: number;
  rssMB: number;
}

function measure(name: string, body: (sample: () => void) => void): BenchResult {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  };
  const t0 = performance.now();
  body(sample);
  const ms = performance.now() - t0;
  sample();
  return { name, ms: Math.round(ms * 10) / 10, rssMB: Math.round(((peak - base) / 2 ** 20) * 10) / 10 };
}

export async function runIpamBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];

  results.push(
    measure('AddressPool 10.0.0.0/8: allocate+release 1M', (sample) => {
      const pool = new AddressPool('10.0.0.0/8');
      for (let i = 0; i < N; i++) {
        pool.allocate();
        if (i % SAMPLE_EVERY === 0) sample();
      }
      for (let i = 1; i <= N; i++) {
        pool.release(formatIpv4Number(0x0a000000 + i));
        if (i % SAMPLE_EVERY === 0) sample();
      }
      if (pool.allocatedCount !== 0) throw new Error('bench: pool not empty after release');
    }),
  );

  results.push(
    measure('NetworkIpam 10.0.0.0/8: allocate+release 1M', (sample) => {
      const net = new NetworkIpam({ userConfig: [{ Subnet: '10.0.0.0/8' }], enableIPv4: true, enableIPv6: false });
      // Addresses are recomputed for release rather than kept, so RSS reflects the allocator and
      // not a million retained strings. .1 is the gateway, containers start at .2.
      for (let i = 0; i < N; i++) {
        net.allocate(4);
        if (i % SAMPLE_EVERY === 0) sample();
      }
      for (let i = 2; i < N + 2; i++) {
        net.release(formatIpv4Number(0x0a000000 + i));
        if (i % SAMPLE_EVERY === 0) sample();
      }
      if (net.isAllocated('10.0.0.2')) throw new Error('bench: address still allocated after release');
    }),
  );

  return results;
}
