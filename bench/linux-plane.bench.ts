/**
 * `npm run bench:linux`: crosstalkd's real Linux data plane (`crosstalkd --sandbox`) side by side
 * with Podman 4.3 (netavark + aardvark-dns, run by ../shared/tools/podman-baseline.sh inside its
 * own network namespace, driven through its Docker-compatible socket with the same docker CLI
 * commands) and, for throughput, a bridge made by hand in namespaces of our own. One run, three
 * tables (median, p99, ratio against the named baseline):
 *
 *  1. container start with networking: 100 × `docker run -d --network benchnet IMAGE sleep 1000`,
 *     then 100 × `docker rm -f` (end to end, docker CLI included; and the daemon's share, measured
 *     by a timing proxy in front of each daemon: bench/linux/timing-proxy.ts; and the floor, the same
 *     commands against a stand-in that answers at once: bench/linux/instant-daemon.ts); network-setup share from
 *     crosstalkd's `network sync` debug log lines, and for both as run -d on the network minus
 *     run -d `--network none` (20 alternating pairs);
 *  2. DNS: dnsperf inside a container's namespace, A queries for the containers on the network,
 *     against 127.0.0.11 (crosstalkd) and against aardvark-dns at the network's gateway (Podman),
 *     at three dnsperf concurrency settings (-c 1 -q 1, -c 1 -q 10, -c 4 -q 100);
 *  3. throughput: iperf3 container → container across the bridge (host binaries run via nsenter
 *     in the containers' namespaces), 3 runs each, vs the hand-made veth/bridge pair.
 *
 * Nothing touches the machine's own network namespace; everything is removed at the end (also on
 * failure or ctrl-c), and the machine's links and nft tables are compared with their state before.
 * Root only. Options: --containers N (100), --pairs N (20), --dns-seconds N (10), --iperf-seconds N (5).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, run } from '../test/compat/harness.js';
import { startSandboxDaemon, type SandboxDaemon } from './linux/crosstalkd.js';
import { aardvarkPids, BASELINE, baseline, preparePodman } from './linux/podman.js';
import { rawBridge, type RawBridge } from './linux/raw.js';
import { startInstantDaemon } from './linux/instant-daemon.js';
import { startTimingProxy, type TimingProxy } from './linux/timing-proxy.js';
import { dnsperf, iperf3, median, ms, must, pct, printTable, ratio, sequentialDns, type DnsResult } from './linux/util.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const N = arg('containers', 100);
const PAIRS = arg('pairs', 20);
const DNS_SECONDS = arg('dns-seconds', 10);
const IPERF_SECONDS = arg('iperf-seconds', 5);
const IPERF_RUNS = 3;
const DNS_NAMES = 10;
const DNS_SETTINGS = [
  { c: 1, q: 1 }, // one query in flight: latency without queueing
  { c: 1, q: 10 },
  { c: 4, q: 100 },
];

interface Target {
  name: string;
  env: Record<string, string>;
  image: string;
  /** Names of containers made on this target (removed at the end). */
  made: Set<string>;
  proxy: TimingProxy;
  /** The daemon's share of the last docker() call (proxy), ms. */
  lastDaemonMs: number;
}

async function docker(t: Target, args: string[]): Promise<number> {
  t.proxy.reset();
  const t0 = performance.now();
  const r = await run('docker', args, { env: t.env, timeoutMs: 120_000 });
  const took = performance.now() - t0;
  if (r.code !== 0) throw new Error(`[${t.name}] docker ${args.join(' ')} → exit ${r.code}: ${r.err.trim()}`);
  t.lastDaemonMs = t.proxy.busy();
  return took;
}
const runD = (t: Target, name: string, network: string) => {
  t.made.add(name);
  return docker(t, ['run', '-d', '--name', name, '--network', network, t.image, 'sleep', '1000']);
};
async function inspect(t: Target, name: string): Promise<{ netns: string; ip: string; gateway: string }> {
  const out = await must('docker', ['inspect', '-f', '{{.State.Pid}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{.Gateway}}{{end}}', name], t.env);
  const [pid, ip, gateway] = out.trim().split(' ');
  return { netns: `/proc/${pid}/ns/net`, ip, gateway };
}

// ---------------------------------------------------------------- 1. container start

interface StartResult {
  run: number[];
  rm: number[];
  /** The daemon's share of each run / rm (timing proxy). */
  runDaemon: number[];
  rmDaemon: number[];
  pairNet: number[];
  pairNone: number[];
  syncRun: number[];
  syncRm: number[];
}

async function containerStart(t: Target, d?: SandboxDaemon): Promise<StartResult> {
  for (let i = 0; i < 3; i++) await runD(t, `w${i}`, 'benchnet'); // warm-up, not counted
  for (let i = 0; i < 3; i++) await docker(t, ['rm', '-f', `w${i}`]);
  const r: StartResult = { run: [], rm: [], runDaemon: [], rmDaemon: [], pairNet: [], pairNone: [], syncRun: [], syncRm: [] };
  const m0 = d?.mark();
  for (let i = 0; i < N; i++) {
    r.run.push(await runD(t, `s${i}`, 'benchnet'));
    r.runDaemon.push(t.lastDaemonMs);
  }
  const m1 = d?.mark();
  for (let i = 0; i < N; i++) {
    r.rm.push(await docker(t, ['rm', '-f', `s${i}`]));
    r.rmDaemon.push(t.lastDaemonMs);
  }
  if (d) {
    r.syncRun = d.syncMs(m0!, m1);
    r.syncRm = d.syncMs(m1!);
  }
  for (let i = 0; i < PAIRS; i++) {
    r.pairNet.push(await runD(t, `pn${i}`, 'benchnet'));
    r.pairNone.push(await runD(t, `pz${i}`, 'none'));
  }
  for (let i = 0; i < PAIRS; i++) for (const n of [`pn${i}`, `pz${i}`]) await docker(t, ['rm', '-f', n]);
  return r;
}

/** The CLI's own cost: run -d and rm -f against a stand-in daemon that answers at once. */
async function cliFloor(dir: string): Promise<{ run: number[]; rm: number[] }> {
  const instant = await startInstantDaemon(join(dir, 'instant.sock'));
  try {
    const env = cleanEnv({ DOCKER_HOST: `unix://${instant.socket}`, DOCKER_CONFIG: join(dir, 'dc') });
    const out = { run: [] as number[], rm: [] as number[] };
    for (let i = 0; i < 20; i++) {
      for (const [key, args] of [['run', ['run', '-d', '--name', 'fl', '--network', 'benchnet', 'alpine', 'sleep', '1000']], ['rm', ['rm', '-f', 'fl']]] as const) {
        const t0 = performance.now();
        const r = await run('docker', [...args], { env, timeoutMs: 60_000 });
        if (r.code !== 0) throw new Error(`[floor] docker ${args.join(' ')}: ${r.err}`);
        out[key].push(performance.now() - t0);
      }
    }
    return out;
  } finally {
    await instant.close();
  }
}

function startTable(ct: StartResult, pm: StartResult, cliStart: number, floor: { run: number[]; rm: number[] }): void {
  const row = (label: string, a: number[], b: number[]) => [label, ms(median(a)), ms(pct(a, 99)), ms(median(b)), ms(pct(b, 99)), ratio(median(b) / median(a))];
  const shareCt = median(ct.pairNet) - median(ct.pairNone);
  const sharePm = median(pm.pairNet) - median(pm.pairNone);
  const syncP50 = median(ct.syncRun);
  const runRatio = median(pm.run) / median(ct.run);
  const daemonRatio = median(pm.runDaemon) / median(ct.runDaemon);
  printTable(
    `1. Container start with networking (docker CLI ${N} × run -d / rm -f, end to end; baseline: Podman 4.3 compat socket)`,
    [
      ['metric', 'crosstalkd p50', 'p99', 'podman p50', 'p99', 'podman/crosstalkd'],
      row(`run -d --network benchnet (×${N})`, ct.run, pm.run),
      row(`rm -f (×${N})`, ct.rm, pm.rm),
      row(`  daemon's share of run -d (timing proxy)`, ct.runDaemon, pm.runDaemon),
      row(`  daemon's share of rm -f (timing proxy)`, ct.rmDaemon, pm.rmDaemon),
      ['floor: run -d against a daemon that answers at once', ms(median(floor.run)), ms(pct(floor.run, 99)), '', '', ''],
      ['floor: rm -f against a daemon that answers at once', ms(median(floor.rm)), ms(pct(floor.rm, 99)), '', '', ''],
      row(`run -d --network benchnet (×${PAIRS}, paired)`, ct.pairNet, pm.pairNet),
      row(`run -d --network none (×${PAIRS}, paired)`, ct.pairNone, pm.pairNone),
      ['network share: paired p50 difference', ms(shareCt), '', ms(sharePm), '', ratio(sharePm / shareCt)],
      [`network sync log, run -d (${ct.syncRun.length} lines)`, ms(syncP50), ms(pct(ct.syncRun, 99)), 'n/a: no such log', '', ''],
      [`network sync log, rm -f (${ct.syncRm.length} lines)`, ms(median(ct.syncRm)), ms(pct(ct.syncRm, 99)), 'n/a: no such log', '', ''],
    ],
    [
      `docker CLI start-up (median of \`docker --version\`, in every number above): ${ms(cliStart)}`,
      `goal network setup p50 ≤ 5 ms (sync log): ${ms(syncP50)} → ${syncP50 <= 5 ? 'met' : 'NOT met'}`,
      `goal run -d ≥ 8× faster than Podman (p50): ${ratio(runRatio)} → ${runRatio >= 8 ? 'met' : 'NOT met'}` +
        ` (minus CLI start-up: ${ratio((median(pm.run) - cliStart) / (median(ct.run) - cliStart))})`,
      `  daemon side (how long each daemon kept the CLI waiting: request's first byte → response's first byte, overlaps once): ${ratio(daemonRatio)} → ${daemonRatio >= 8 ? 'met' : 'NOT met'}`,
      `  end to end, 8× needs crosstalkd's whole run -d ≤ ${ms(median(pm.run) / 8)}; the docker CLI alone (floor) takes ${ms(median(floor.run))}` +
        (median(pm.run) / 8 < median(floor.run) ? ': out of reach for any daemon driven by this CLI' : ''),
    ],
  );
}

// ---------------------------------------------------------------- 2. DNS

async function dnsSection(t: Target, dir: string, server: (c: { gateway: string }) => string): Promise<DnsResult[]> {
  for (let i = 0; i < DNS_NAMES; i++) await runD(t, `d${i}`, 'benchnet');
  const file = join(dir, `queries-${t.name}`);
  writeFileSync(file, Array.from({ length: DNS_NAMES }, (_, i) => `d${i} A\n`).join(''));
  const c = await inspect(t, 'd0');
  const out: DnsResult[] = [];
  for (const s of DNS_SETTINGS) out.push(await dnsperf(c.netns, server(c), file, s.c, s.q, DNS_SECONDS));
  out.push(await sequentialDns(c.netns, server(c), Array.from({ length: DNS_NAMES }, (_, i) => `d${i}`), DNS_SECONDS));
  return out;
}

function dnsTable(ct: DnsResult[], pm: DnsResult[]): void {
  const cell = (r: DnsResult) => [r.qps.toFixed(0), ms(r.avgMs), ms(r.p50Ms), ms(r.p99Ms)];
  const rows = [['dnsperf setting', 'crosstalkd q/s', 'avg', 'p50', 'p99', 'aardvark q/s', 'avg', 'p50', 'p99', 'rate ratio']];
  DNS_SETTINGS.forEach((s, i) => rows.push([`-c ${s.c} -q ${s.q}`, ...cell(ct[i]), ...cell(pm[i]), ratio(ct[i].qps / pm[i].qps)]));
  const seq = DNS_SETTINGS.length;
  rows.push(['sequential client, 1 in flight', ...cell(ct[seq]), ...cell(pm[seq]), ratio(ct[seq].qps / pm[seq].qps)]);
  const best = (rs: DnsResult[]) => rs.reduce((a, b) => (b.qps > a.qps ? b : a));
  const bc = best(ct);
  const bp = best(pm);
  rows.push(['best of each (by q/s)', ...cell(bc), ...cell(bp), ratio(bc.qps / bp.qps)]);
  const lowP99 = Math.min(...ct.map((r) => r.p99Ms));
  const lost = [...ct, ...pm].map((r) => r.lost);
  printTable(
    `2. DNS: dnsperf in a container's netns, A queries for ${DNS_NAMES} containers on the network; crosstalkd 127.0.0.11 vs aardvark-dns (gateway)`,
    rows,
    [
      `q/s and avg from a ${DNS_SECONDS} s run; p50/p99 from a separate ${Math.max(2, DNS_SECONDS / 2)} s run with -v (one line per answer); queries lost: ${lost.join(', ')}`,
      'dnsperf\'s q/s with -q 1 and -q 10 is the tool\'s: its receiver wakes the sender before it counts the answer, and a sender that wins that race waits for the next 100 ms poll timeout (thread scheduling decides how often); the sequential client (Python, one socket, next query as soon as the answer is in) measures the unloaded round trip instead, p50/p99 from the same run',
      `goal ≥ 1.0× aardvark's rate: ${ratio(bc.qps / bp.qps)} → ${bc.qps >= bp.qps ? 'met' : 'NOT met'}; goal p99 < 2 ms: lowest crosstalkd p99 ${ms(lowP99)} → ${lowP99 < 2 ? 'met' : 'NOT met'}`,
    ],
  );
}

// ---------------------------------------------------------------- 3. throughput

async function iperfRuns(a: { netns: string; ip: string }, b: { netns: string }): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < IPERF_RUNS; i++) out.push(await iperf3(a.netns, b.netns, a.ip, IPERF_SECONDS));
  return out;
}

async function pairOn(t: Target): Promise<[{ netns: string; ip: string }, { netns: string; ip: string }]> {
  await runD(t, 't0', 'benchnet');
  await runD(t, 't1', 'benchnet');
  return [await inspect(t, 't0'), await inspect(t, 't1')];
}

function iperfTable(rows: Array<[string, number[] | string]>): void {
  const raw = rows[0][1] as number[];
  const body = rows.map(([label, v]) =>
    typeof v === 'string' ? [label, v, '', '', '', ''] : [label, ...v.map((x) => x.toFixed(2)), median(v).toFixed(2), ratio(median(v) / median(raw))],
  );
  const ct = rows[1][1];
  const diff = typeof ct === 'string' ? NaN : (median(ct) / median(raw) - 1) * 100;
  printTable(
    `3. Throughput: iperf3 TCP container → container across the bridge, ${IPERF_SECONDS} s per run, Gbit/s (baseline: hand-made veth/bridge)`,
    [['path', ...Array.from({ length: IPERF_RUNS }, (_, i) => `run ${i + 1}`), 'median', 'vs raw'], ...body],
    [`goal crosstalkd within 5% of raw: ${Number.isFinite(diff) ? `${diff.toFixed(1)}% → ${diff >= -5 ? 'met' : 'NOT met'}` : 'not measured'}`],
  );
}

// ---------------------------------------------------------------- machine check and main

function machineState(): string {
  const links = execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }).split('\n').map((l) => l.split(/\s+/)[0]).filter(Boolean).sort();
  const tables = execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }).trim();
  return `links: ${links.join(' ')}; nft tables: ${tables || '(none)'}`;
}
async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root: network namespaces');
  if (!existsSync(BASELINE)) throw new Error(`${BASELINE} not found`);
  const before = machineState();
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`load average at start (1/5/15 min, 2 cores): ${load()}`);
  const aardvarkBefore = new Set(aardvarkPids());
  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-linux-plane-'));
  mkdirSync(join(dir, 'dc'));
  const podmanSock = join(dir, 'podman.sock');
  let daemon: SandboxDaemon | undefined;
  let raw: RawBridge | undefined;
  let pm: Target | undefined;
  let podmanUp = false;
  let cleaning: Promise<void> | undefined;
  const proxies: TimingProxy[] = [];
  const cleanup = () =>
    (cleaning ??= (async () => {
      await raw?.destroy();
      await daemon?.stop();
      if (podmanUp) {
        // Remove our containers and network through the service that made them, then the sandbox.
        if (pm) for (const n of pm.made) await run('docker', ['rm', '-f', n], { env: pm.env, timeoutMs: 60_000 }).catch(() => undefined);
        if (pm) await run('docker', ['network', 'rm', 'benchnet'], { env: pm.env, timeoutMs: 60_000 }).catch(() => undefined);
        try {
          baseline(['cleanup']);
        } catch (e) {
          console.error(String(e));
        }
        for (const p of aardvarkPids()) if (!aardvarkBefore.has(p)) process.kill(Number(p), 'SIGTERM');
      }
      for (const p of proxies.splice(0)) await p.close();
      rmSync(dir, { recursive: true, force: true });
    })());
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    console.error('setting up the Podman baseline (podman-baseline.sh setup, service) …');
    podmanUp = true;
    preparePodman(dir);
    baseline(['service', podmanSock]);
    console.error('starting crosstalkd --sandbox …');
    daemon = await startSandboxDaemon();
    const ctProxy = await startTimingProxy(join(dir, 'ct-proxy.sock'), daemon.env.DOCKER_HOST.replace(/^unix:\/\//, ''));
    const pmProxy = await startTimingProxy(join(dir, 'pm-proxy.sock'), podmanSock);
    proxies.push(ctProxy, pmProxy);
    const ct: Target = { name: 'crosstalkd', env: { ...daemon.env, DOCKER_HOST: `unix://${ctProxy.socket}` }, image: 'alpine', made: new Set(), proxy: ctProxy, lastDaemonMs: 0 };
    pm = { name: 'podman', env: cleanEnv({ DOCKER_HOST: `unix://${pmProxy.socket}`, DOCKER_CONFIG: join(dir, 'dc') }), image: 'localhost/alpine', made: new Set(), proxy: pmProxy, lastDaemonMs: 0 };
    for (const t of [ct, pm]) await docker(t, ['network', 'create', 'benchnet']);

    console.error(`1. container start: ${N} × run -d / rm -f, ${PAIRS} pairs net/none, each target …`);
    const startCt = await containerStart(ct, daemon);
    const startPm = await containerStart(pm);
    const cliStart = median(Array.from({ length: 20 }, () => {
      const t0 = performance.now();
      execFileSync('docker', ['--version'], { stdio: 'ignore' });
      return performance.now() - t0;
    }));
    startTable(startCt, startPm, cliStart, await cliFloor(dir));

    console.error('2. DNS …');
    const dnsCt = await dnsSection(ct, dir, () => '127.0.0.11');
    const dnsPm = await dnsSection(pm, dir, (c) => c.gateway);
    dnsTable(dnsCt, dnsPm);

    console.error('3. throughput …');
    raw = await rawBridge();
    const rawG = await iperfRuns(raw.a, raw.b);
    await raw.destroy();
    raw = undefined;
    const [c0, c1] = await pairOn(ct);
    const ctG = await iperfRuns(c0, c1);
    let pmG: number[] | string;
    try {
      const [p0, p1] = await pairOn(pm);
      pmG = await iperfRuns(p0, p1);
    } catch (e) {
      pmG = `not measured: ${(e as Error).message.slice(0, 80)}`;
    }
    iperfTable([
      ['raw veth/bridge (baseline)', rawG],
      ['crosstalkd --sandbox', ctG],
      ['podman 4.3 (netavark)', pmG],
    ]);
  } finally {
    await cleanup();
    const after = machineState();
    console.log(`\nload average at end: ${load()}`);
    console.log(`machine namespace after clean-up: ${after === before ? 'unchanged' : `CHANGED\n  before: ${before}\n  after:  ${after}`} (${after})`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
