/**
 * The Podman 4.3 baseline of the benchmarks: ../shared/tools/podman-baseline.sh (Podman inside its
 * own private network namespace) plus the workarounds this Debian 12 machine needs. Shared by
 * bench/podman-side-by-side.ts and bench/linux-plane.bench.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, which } from '../../test/compat/harness.js';

export const BASELINE = join(ROOT, '..', 'shared', 'tools', 'podman-baseline.sh');
const BASELINE_NS = process.env.PODMAN_BASELINE_NS ?? 'ct-podman-baseline';

/** PIDs of running aardvark-dns processes (Podman's DNS server outlives `podman rm` and the service). */
export function aardvarkPids(): string[] {
  return readdirSync('/proc').filter((p) => {
    try {
      return /^\d+$/.test(p) && readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'aardvark-dns';
    } catch {
      return false;
    }
  });
}

/**
 * An aardvark-dns left by an earlier baseline run lives in that run's (deleted) namespace, but its
 * pid file makes Podman signal it instead of starting one in the new sandbox: the new network's
 * gateway then refuses DNS. Any aardvark-dns outside the current baseline namespace is such a
 * leftover (the baseline is the only Podman here); it is stopped.
 */
function stopStaleAardvark(): void {
  let ns: string;
  try {
    ns = nsInode(`/run/netns/${BASELINE_NS}`);
  } catch {
    return;
  }
  for (const pid of aardvarkPids()) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/net`) === ns) continue;
      console.error(`stopping aardvark-dns ${pid}, left by an earlier baseline run in another namespace`);
      process.kill(Number(pid), 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}

/** `net:[inode]` of a bind-mounted namespace file, as /proc/PID/ns/net reads. */
function nsInode(path: string): string {
  const r = spawnSync('stat', ['-L', '-c', '%i', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return `net:[${r.stdout.trim()}]`;
}

export function baseline(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('bash', [BASELINE, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
  if (r.status !== 0) throw new Error(`podman-baseline.sh ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

/** A dynamically linked ELF names its loader in .interp near the start of the file. */
function isStatic(file: string): boolean {
  return !readFileSync(file).subarray(0, 8192).includes('/lib64/ld-linux');
}

function installIfMissing(command: string, pkg: string, why: string): void {
  if (which(command)) return;
  console.error(`installing ${pkg} (${why}) …`);
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) throw new Error(`apt-get install ${pkg} failed`);
}

/**
 * podman-baseline.sh setup, plus the things this Debian 12 machine needs that the script assumes:
 *  - crun: the script's containers.conf disables cgroups, which Podman refuses with runc
 *    ("requested OCI runtime runc is not compatible with NoCgroups");
 *  - iptables, which netavark runs (the script installs netavark but not it);
 *  - a *static* busybox for the imported rootfs: the script copies `command -v busybox`, which
 *    is Debian's dynamically linked /usr/bin/busybox when the `busybox` package is installed
 *    (containers then fail with "exec container process (missing dynamic library?) /bin/sleep").
 *    busybox-static is fetched with `apt-get download` into a temp dir and put first on PATH
 *    for `setup` only; the system's packages are left alone.
 */
export function preparePodman(dir: string): void {
  installIfMissing('crun', 'crun', 'Podman with cgroups disabled needs it');
  // netavark 1.4 programs its firewall with iptables; without it every `podman run` on a network
  // fails with "netavark: No such file or directory (os error 2)".
  installIfMissing('iptables', 'iptables', "netavark's firewall driver runs it");
  let env: NodeJS.ProcessEnv = process.env;
  const bb = which('busybox');
  if (bb && !isStatic(bb)) {
    const bin = join(dir, 'busybox-static');
    mkdirSync(bin, { recursive: true });
    const dl = spawnSync('bash', ['-c', 'apt-get download busybox-static >/dev/null 2>&1 && dpkg-deb -x busybox-static_*.deb root'], { cwd: dir, stdio: 'inherit' });
    if (dl.status !== 0) throw new Error('could not fetch busybox-static (apt-get download busybox-static)');
    renameSync(join(dir, 'root', 'bin', 'busybox'), join(bin, 'busybox'));
    env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  }
  baseline(['setup'], env);
  stopStaleAardvark();
  // An image imported earlier from a dynamic busybox cannot run anything: import again.
  const probe = spawnSync('bash', [BASELINE, 'podman', 'run', '--rm', 'localhost/alpine', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    if (!/missing dynamic library|No such file or directory/.test(probe.stderr)) throw new Error(`podman cannot run localhost/alpine:\n${probe.stderr}`);
    console.error('re-importing localhost/alpine from a static busybox …');
    baseline(['podman', 'rmi', '-f', 'localhost/alpine']);
    baseline(['setup'], env);
    const again = spawnSync('bash', [BASELINE, 'podman', 'run', '--rm', 'localhost/alpine', 'true'], { encoding: 'utf8' });
    if (again.status !== 0) throw new Error(`podman still cannot run localhost/alpine:\n${again.stderr}`);
  }
}
