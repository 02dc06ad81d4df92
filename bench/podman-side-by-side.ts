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
 * Each command is timed end to end as a user sees it (docker CLI process included). Prints the
 * per-command median of both and the ratio podman/crosstalkd (goal ≥ 5×). Never a test.
 * Needs root (network namespaces) and podman (the baseline script's `setup` installs it).
 * Options: --rounds N (3), --containers N (20).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, run, startDaemon, type Daemon } from '../test/compat/harness.js';
import { BASELINE, baseline, preparePodman } from './linux/podman.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const ROUNDS = arg('rounds', 3);
const N = arg('containers', 20);

interface Target {
  name: string;
  env: Record<string, string>;
  image: string;
}

type Timings = Map<string, number[]>;

function add(t: Timings, key: string, ms: number): void {
  const list = t.get(key) ?? [];
  list.push(ms);
  t.set(key, list);
}

async function docker(target: Target, args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await run('docker', args, { env: target.env, timeoutMs: 120_000 });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`[${target.name}] docker ${args.join(' ')} → exit ${r.code}: ${r.err.trim()}`);
  return ms;
}

/** One round of the sequence; per-command timings keyed by the command's label. */
async function round(target: Target, t: Timings): Promise<void> {
  add(t, 'network create', await docker(target, ['network', 'create', 'benchnet']));
  for (let i = 0; i < N; i++) add(t, 'run -d', await docker(target, ['run', '-d', '--name', `b${i}`, '--network', 'benchnet', target.image, 'sleep', '3600']));
  add(t, 'network ls', await docker(target, ['network', 'ls']));
  add(t, 'network inspect', await docker(target, ['network', 'inspect', 'benchnet']));
  for (let i = 0; i < N; i++) add(t, 'rm -f', await docker(target, ['rm', '-f', `b${i}`]));
  add(t, 'network rm', await docker(target, ['network', 'rm', 'benchnet']));
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
  const cleanup = async () => {
    if (podmanUp) {
      podmanUp = false;
      try {
        baseline(['cleanup']);
      } catch (e) {
        console.error(String(e));
      }
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
    const targets: Target[] = [
      { name: 'crosstalkd', env: daemon.clientEnv, image: 'alpine' },
      { name: 'podman', env: cleanEnv({ DOCKER_HOST: `unix://${podmanSock}`, DOCKER_CONFIG: dockerConfig }), image: 'localhost/alpine' },
    ];
    const times = new Map<string, Timings>(targets.map((t) => [t.name, new Map()]));
    const totals = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    // Warm-up (first CLI start, page cache, podman's first container), not counted.
    for (const t of targets) await round(t, new Map());
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order so neither side always runs on a warmer machine.
      for (const t of r % 2 ? [...targets].reverse() : targets) {
        const t0 = performance.now();
        await round(t, times.get(t.name)!);
        totals.get(t.name)!.push(performance.now() - t0);
      }
    }

    // The docker CLI's own start-up is in every number; measure it to show the server-side ratio too.
    const version = Array.from({ length: 20 }, () => {
      const t0 = performance.now();
      spawnSync('docker', ['--version'], { stdio: 'ignore' });
      return performance.now() - t0;
    });
    const cliStart = median(version);
    const ct = times.get('crosstalkd')!;
    const pm = times.get('podman')!;
    const rows = [['command', 'count', 'crosstalkd median', 'podman median', 'podman/crosstalkd', `same, minus CLI start (${cliStart.toFixed(1)} ms)`]];
    const net = (x: number) => Math.max(x - cliStart, 0.1);
    for (const key of ct.keys()) {
      const a = median(ct.get(key)!);
      const b = median(pm.get(key)!);
      rows.push([key, String(ct.get(key)!.length / ROUNDS), `${a.toFixed(1)} ms`, `${b.toFixed(1)} ms`, `${(b / a).toFixed(1)}×`, `${(net(b) / net(a)).toFixed(1)}×`]);
    }
    const ta = median(totals.get('crosstalkd')!);
    const tb = median(totals.get('podman')!);
    const cmds = 2 * N + 4;
    rows.push([`whole sequence (${cmds} commands)`, '1', `${ta.toFixed(0)} ms`, `${tb.toFixed(0)} ms`, `${(tb / ta).toFixed(1)}×`, `${((tb - cmds * cliStart) / (ta - cmds * cliStart)).toFixed(1)}×`]);
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    console.log(`docker CLI 28.2.2, ${ROUNDS} rounds of the sequence per target (after one warm-up round); medians per command, end to end`);
    for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   '));
    console.log(`(CLI start = median of \`docker --version\`, which starts the docker CLI but sends no request)`);
    const worst = [...ct.keys()].map((k) => median(pm.get(k)!) / median(ct.get(k)!));
    console.log(`goal crosstalkd ≥ 5× faster per command: ${worst.every((x) => x >= 5) ? 'met' : `not met for ${[...ct.keys()].filter((_, i) => worst[i] < 5).join(', ')}`}`);
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
