/**
 * Helpers of `bench/linux-plane.bench.ts`: statistics, the table printer, and the two measuring
 * tools run inside a network namespace (`nsenter --net=PATH`): dnsperf and iperf3.
 */
import { spawn } from 'node:child_process';
import { run } from '../../test/compat/harness.js';

export function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  if (p === 50) {
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
export const median = (xs: number[]): number => pct(xs, 50);

export const ms = (x: number): string => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms` : '—');
export const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');

/** A table: title, header row, body rows; columns after the first are right-aligned. */
export function printTable(title: string, rows: string[][], notes: string[] = []): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? (c ?? '').padEnd(widths[i]) : (c ?? '').padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
  for (const n of notes) console.log(`  ${n}`);
}

/** Runs a program and fails with its stderr when it does not exit 0. */
export async function must(file: string, args: string[], env: Record<string, string> = process.env as Record<string, string>, timeoutMs = 120_000): Promise<string> {
  const r = await run(file, args, { env, timeoutMs });
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} → exit ${r.code}: ${r.err.trim() || r.out.trim()}`);
  return r.out;
}

export interface DnsResult {
  qps: number;
  avgMs: number;
  lost: number;
  /** Per-query latencies of the separate `-v` run. */
  p50Ms: number;
  p99Ms: number;
}

/**
 * dnsperf from inside `netns` against `server`: one run of `seconds` without `-v` for the rate and
 * average latency, then a shorter `-v` run (one line per answer with its latency) for p50/p99;
 * printing every answer costs the client CPU, so it is kept out of the rate run.
 */
export async function dnsperf(netns: string, server: string, queryFile: string, clients: number, outstanding: number, seconds: number): Promise<DnsResult> {
  const base = ['--net=' + netns, 'dnsperf', '-s', server, '-d', queryFile, '-c', String(clients), '-q', String(outstanding), '-t', '2'];
  const out = await must('nsenter', [...base, '-l', String(seconds)], undefined, (seconds + 30) * 1000);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const verbose = await must('nsenter', [...base, '-l', String(Math.max(2, seconds / 2)), '-v'], undefined, (seconds + 30) * 1000);
  const lat = [...verbose.matchAll(/^> \S+ \S+ \S+ ([0-9.]+)$/gm)].map((m) => Number(m[1]) * 1000);
  return {
    qps: num(/Queries per second:\s+([0-9.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([0-9.]+)/) * 1000,
    lost: num(/Queries lost:\s+(\d+)/),
    p50Ms: median(lat),
    p99Ms: pct(lat, 99),
  };
}

/** One iperf3 TCP test from `clientNs` to a one-shot server in `serverNs` at `ip`: Gbit/s received. */
export async function iperf3(serverNs: string, clientNs: string, ip: string, seconds: number): Promise<number> {
  const server = spawn('nsenter', [`--net=${serverNs}`, 'iperf3', '-s', '-1', '-p', '5201'], { stdio: 'ignore' });
  const serverDone = new Promise<void>((r) => server.on('close', () => r()));
  try {
    for (let attempt = 0; ; attempt++) {
      await new Promise((r) => setTimeout(r, 200));
      const r = await run('nsenter', [`--net=${clientNs}`, 'iperf3', '-c', ip, '-p', '5201', '-t', String(seconds), '-J'], { env: process.env as Record<string, string>, timeoutMs: (seconds + 20) * 1000 });
      if (r.code === 0) {
        const j = JSON.parse(r.out) as { end: { sum_received: { bits_per_second: number } } };
        return j.end.sum_received.bits_per_second / 1e9;
      }
      if (attempt >= 10) throw new Error(`iperf3 -c ${ip} failed: ${r.out.slice(0, 300)} ${r.err}`);
    }
  } finally {
    if (server.exitCode === null) server.kill('SIGTERM');
    await serverDone;
  }
}
