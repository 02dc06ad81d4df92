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

/**
 * One query in flight, each sent as soon as the previous answer arrived: a minimal client (Python,
 * one UDP socket, the same names round robin) run inside `netns` for `seconds`. dnsperf cannot
 * measure this: its receiver wakes the sender before it counts the answer (do_recv signals, then
 * increments num_completed), and a sender that wins that race waits for the receiver's next
 * 100 ms poll timeout, so dnsperf's q/s with -q 1 or -q 10 depends on thread scheduling.
 */
export async function sequentialDns(netns: string, server: string, names: string[], seconds: number): Promise<DnsResult> {
  const script = `
import socket, struct, sys, time
server, secs, names = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
qs = [struct.pack('!HHHHHH', 0, 0x0100, 1, 0, 0, 0) + b''.join(bytes([len(p)]) + p.encode() for p in n.split('.')) + b'\\0\\0\\1\\0\\1' for n in names]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((server, 53))
s.settimeout(2)
lat, lost, i, end = [], 0, 0, time.perf_counter() + secs
t_start = time.perf_counter()
while time.perf_counter() < end:
    qid = i & 0xffff
    q = qs[i % len(qs)]
    t0 = time.perf_counter()
    s.send(struct.pack('!H', qid) + q[2:])
    try:
        while struct.unpack('!H', s.recv(4096)[:2])[0] != qid:
            pass
        lat.append((time.perf_counter() - t0) * 1000)
    except socket.timeout:
        lost += 1
    i += 1
took = time.perf_counter() - t_start
print(len(lat) / took, lost, ' '.join('%.4f' % x for x in lat))
`;
  const out = await must('nsenter', [`--net=${netns}`, 'python3', '-c', script, server, String(seconds), ...names], undefined, (seconds + 30) * 1000);
  const [qps, lost, ...lat] = out.trim().split(/\s+/).map(Number);
  return { qps, avgMs: lat.reduce((a, b) => a + b, 0) / lat.length, lost, p50Ms: median(lat), p99Ms: pct(lat, 99) };
}
