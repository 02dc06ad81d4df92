/**
 * `npm run bench:podman`: the same docker CLI command sequence, same machine, same run, against
 * crosstalkd (sim data plane) and against Podman 4.3's Docker-compatible API service, which
 * ../shared/tools/podman-baseline.sh starts inside its private network namespace (it never
 * touches this machine's own network). Sequence per round:
 *
 *   docker network create benchnet
 *   20 × docker run -d --name bN --network benchnet IMAGE sleep 3600
 *   docker network ls
 *   docker network inspect benchnet
 *   20 × docker rm -f bN
 *   docker network rm benchnet          (clean-up; timed too)
 *
 * IMAGE is `alpine` for crosstalkd and `localhost/alpine` (the busybox rootfs the baseline script
 * imports) for Podman, whose compat API would otherwise look for docker.io/library/alpine.
 * Each command is timed end to end as a user sees it (docker CLI process included), and the
 * daemon's own share of it is measured by a timing proxy in front of each daemon (the time it kept
 * the CLI waiting for answers; bench/linux/timing-proxy.ts). Both sides go through a proxy alike.
 * Prints the per-command medians of both and the ratios podman/crosstalkd (goal ≥ 5×), and the
 * floor: the same commands against a stand-in that answers at once (bench/linux/instant-daemon.ts),
 * i.e. what the docker CLI alone costs. Never a test.
 * Needs root (network namespaces) and podman (the baseline script's `setup` installs it).
 * Options: --rounds N (5), --containers N (20).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, run, startDaemon, type Daemon } from '../test/compat/harness.js';
import { aardvarkPids, BASELINE, baseline, preparePodman } from './linux/podman.js';
import { startInstantDaemon, type InstantDaemon } from './linux/instant-daemon.js';
import { startTimingProxy, type TimingProxy } from './linux/timing-proxy.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const ROUNDS = arg('rounds', 5);
const N = arg('containers', 20);

interface Target {
  name: string;
  env: Record<string, string>;
  image: string;
  proxy: TimingProxy;
}

type Timings = Map<string, number[]>;

function add(t: Timings, key: string, ms: number): void {
  const list = t.get(key) ?? [];
  list.push(ms);
  t.set(key, list);
}

/** End-to-end and daemon-side (proxy) milliseconds of one docker CLI command. */
async function docker(target: Target, args: string[]): Promise<{ ms: number; daemon: number }> {
  target.proxy.reset();
  const t0 = performance.now();
  const r = await run('docker', args, { env: target.env, timeoutMs: 120_000 });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`[${target.name}] docker ${args.join(' ')} → exit ${r.code}: ${r.err.trim()}`);
  return { ms, daemon: target.proxy.busy() };
}

/** One round of the sequence; per-command timings keyed by the command's label. */
async function round(target: Target, t: Timings, d: Timings): Promise<void> {
  const step = async (key: string, args: string[]) => {
    const r = await docker(target, args);
    add(t, key, r.ms);
    add(d, key, r.daemon);
  };
  await step('network create', ['network', 'create', 'benchnet']);
  for (let i = 0; i < N; i++) await step('run -d', ['run', '-d', '--name', `b${i}`, '--network', 'benchnet', target.image, 'sleep', '3600']);
  await step('network ls', ['network', 'ls']);
  await step('network inspect', ['network', 'inspect', 'benchnet']);
  for (let i = 0; i < N; i++) await step('rm -f', ['rm', '-f', `b${i}`]);
  await step('network rm', ['network', 'rm', 'benchnet']);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  if (!existsSync(BASELINE)) throw new Error(`${BASELINE} not found`);
  if (process.getuid?.() !== 0) throw new Error('needs root: the Podman baseline runs in a network namespace');
  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-podman-'));
  const dockerConfig = join(dir, 'docker-config');
  mkdirSync(dockerConfig);
  const podmanSock = join(dir, 'podman.sock');
  let daemon: Daemon | undefined;
  let podmanUp = false;
  const proxies: TimingProxy[] = [];
  let instant: InstantDaemon | undefined;
  const aardvarkBefore = new Set(aardvarkPids());
  const cleanup = async () => {
    for (const p of proxies.splice(0)) await p.close();
    await instant?.close();
    instant = undefined;
    if (podmanUp) {
      podmanUp = false;
      try {
        baseline(['cleanup']);
      } catch (e) {
        console.error(String(e));
      }
      // Podman leaves its DNS server running; the next baseline run could not start its own.
      for (const p of aardvarkPids()) if (!aardvarkBefore.has(p)) process.kill(Number(p), 'SIGTERM');
    }
    if (daemon) await daemon.stop();
    daemon = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    console.error('setting up the Podman baseline (podman-baseline.sh setup) …');
    podmanUp = true;
    preparePodman(dir);
    baseline(['service', podmanSock]);
    daemon = await startDaemon();
    const ctSock = daemon.clientEnv.DOCKER_HOST.replace(/^unix:\/\//, '');
    proxies.push(await startTimingProxy(join(dir, 'ct-proxy.sock'), ctSock), await startTimingProxy(join(dir, 'pm-proxy.sock'), podmanSock));
    const targets: Target[] = [
      { name: 'crosstalkd', env: { ...daemon.clientEnv, DOCKER_HOST: `unix://${proxies[0].socket}` }, image: 'alpine', proxy: proxies[0] },
      { name: 'podman', env: cleanEnv({ DOCKER_HOST: `unix://${proxies[1].socket}`, DOCKER_CONFIG: dockerConfig }), image: 'localhost/alpine', proxy: proxies[1] },
    ];
    instant = await startInstantDaemon(join(dir, 'instant.sock'));
    proxies.push(await startTimingProxy(join(dir, 'instant-proxy.sock'), instant.socket));
    const floor: Target = { name: 'instant', env: cleanEnv({ DOCKER_HOST: `unix://${proxies[2].socket}`, DOCKER_CONFIG: dockerConfig }), image: 'alpine', proxy: proxies[2] };
    const times = new Map<string, Timings>(targets.map((t) => [t.name, new Map()]));
    const daemonTimes = new Map<string, Timings>(targets.map((t) => [t.name, new Map()]));
    const totals = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    // Warm-up (first CLI start, page cache, podman's first container), not counted.
    for (const t of targets) await round(t, new Map(), new Map());
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order so neither side always runs on a warmer machine.
      for (const t of r % 2 ? [...targets].reverse() : targets) {
        const t0 = performance.now();
        await round(t, times.get(t.name)!, daemonTimes.get(t.name)!);
        totals.get(t.name)!.push(performance.now() - t0);
      }
    }

    const floorTimes: Timings = new Map();
    const floorDaemon: Timings = new Map();
    for (let r = 0; r < ROUNDS; r++) await round(floor, floorTimes, floorDaemon);
    // The docker CLI's own start-up is in every number; measure it to show the server-side ratio too.
    const version = Array.from({ length: 20 }, () => {
      const t0 = performance.now();
      spawnSync('docker', ['--version'], { stdio: 'ignore' });
      return performance.now() - t0;
    });
    const cliStart = median(version);
    const ct = times.get('crosstalkd')!;
    const pm = times.get('podman')!;
    const ctD = daemonTimes.get('crosstalkd')!;
    const pmD = daemonTimes.get('podman')!;
    const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
    const rows = [['command', 'count', 'crosstalkd', 'podman', 'podman/crosstalkd', 'floor (instant daemon)', 'crosstalkd daemon', 'podman daemon', 'podman/crosstalkd daemon', 'daemon floor']];
    const ratios = new Map<string, { e2e: number; daemon: number }>();
    for (const key of ct.keys()) {
      const [a, b, da, db] = [median(ct.get(key)!), median(pm.get(key)!), median(ctD.get(key)!), median(pmD.get(key)!)];
      ratios.set(key, { e2e: b / a, daemon: db / da });
      rows.push([key, String(ct.get(key)!.length / ROUNDS), ms(a), ms(b), `${(b / a).toFixed(1)}×`, ms(median(floorTimes.get(key)!)), ms(da), ms(db), `${(db / da).toFixed(1)}×`, ms(median(floorDaemon.get(key)!))]);
    }
    const ta = median(totals.get('crosstalkd')!);
    const tb = median(totals.get('podman')!);
    const sum = (t: Timings) => [...t.values()].reduce((acc, xs) => acc + xs.reduce((x, y) => x + y, 0), 0) / ROUNDS;
    const cmds = 2 * N + 4;
    rows.push([`whole sequence (${cmds} commands)`, '1', `${ta.toFixed(0)} ms`, `${tb.toFixed(0)} ms`, `${(tb / ta).toFixed(1)}×`, `${sum(floorTimes).toFixed(0)} ms`, `${sum(ctD).toFixed(0)} ms`, `${sum(pmD).toFixed(0)} ms`, `${(sum(pmD) / sum(ctD)).toFixed(1)}×`, `${sum(floorDaemon).toFixed(0)} ms`]);
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    console.log(`docker CLI 28.2.2, ${ROUNDS} rounds of the sequence per target (after one warm-up round); medians per command`);
    for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   '));
    console.log(`end to end: the docker CLI process as a user runs it, through the timing proxy; its own start-up (\`docker --version\`, no request) is ${ms(cliStart)} of every command`);
    console.log('floor: the same command against a stand-in daemon that answers at once (bench/linux/instant-daemon.ts): the docker CLI\'s own cost, which no daemon can go below');
    console.log('daemon: how long the daemon kept the CLI waiting for answers (request\'s first byte → response\'s first byte, overlaps counted once), measured by the same proxy for both');
    console.log('daemon floor: the same daemon-side measure for the stand-in that answers at once: the socket hops and the proxy, which no daemon can go below');
    const short = (k: 'e2e' | 'daemon') => [...ratios].filter(([, r]) => r[k] < 5).map(([key]) => key);
    const verdict = (k: 'e2e' | 'daemon') => (short(k).length === 0 ? 'met for every command' : `not met for ${short(k).join(', ')}`);
    const unreachable = [...pm.keys()].filter((k) => median(pm.get(k)!) / 5 < median(floorTimes.get(k)!));
    console.log(`goal crosstalkd ≥ 5× faster per command: daemon side ${verdict('daemon')}; end to end ${verdict('e2e')}`);
    const unreachableDaemon = [...pmD.keys()].filter((k) => median(pmD.get(k)!) / 5 < median(floorDaemon.get(k)!));
    if (unreachableDaemon.length) {
      console.log(
        `  out of reach daemon side for ${unreachableDaemon.map((k) => `${k} (podman ${ms(median(pmD.get(k)!))} / 5 = ${ms(median(pmD.get(k)!) / 5)} < daemon floor ${ms(median(floorDaemon.get(k)!))})`).join(', ')}`,
      );
    }
    if (unreachable.length) {
      console.log(
        `  out of reach end to end for ${unreachable.map((k) => `${k} (podman ${ms(median(pm.get(k)!))} / 5 = ${ms(median(pm.get(k)!) / 5)} < floor ${ms(median(floorTimes.get(k)!))})`).join(', ')}: no daemon can get there with this CLI`,
      );
    }
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
