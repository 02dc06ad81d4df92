/**
 * `crosstalkd --sandbox`: the engine's "host" is a private network namespace, held by one
 * `sleep` process whose PID is kept in `<root>/sandbox.pid`. It is not tied to the daemon's life,
 * so a daemon restart (even after kill -9) finds the same namespace, with running containers and
 * their DNS still in it; a clean exit or `--cleanup` ends it and everything in it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SandboxHost {
  pid: number;
  netnsPath: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The holder recorded in `root`, if it still runs and is ours (a `sleep` in another netns). */
export function existingSandbox(root: string): SandboxHost | undefined {
  const file = join(root, 'sandbox.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  if (!Number.isFinite(pid) || !alive(pid)) return undefined;
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep')) return undefined;
  } catch {
    return undefined;
  }
  return { pid, netnsPath: `/proc/${pid}/ns/net` };
}

export async function openSandbox(root: string): Promise<SandboxHost> {
  const found = existingSandbox(root);
  if (found) return found;
  mkdirSync(root, { recursive: true });
  // Bridged traffic skips the inet hooks in the sandbox (bridge-nf-call-*tables = 0, a per-namespace
  // setting): the sandbox is a host without br_netfilter, which our rules do not need (ICC off is
  // port isolation, published ports are L3 DNAT + masquerade), and same-network traffic then costs
  // no conntrack (docs/decisions.md).
  const noBrNetfilter = 'for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables /proc/sys/net/bridge/bridge-nf-call-arptables; do [ -w $f ] && echo 0 > $f; done';
  const child = spawn('unshare', ['--net', 'sh', '-c', `echo $$; ip link set lo up; ${noBrNetfilter}; exec sleep infinity`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the sandbox namespace could not be created (exit ${code}): ${err.trim()}`)));
  });
  child.stdout.destroy();
  child.stderr.destroy();
  child.unref();
  // `ip link set lo up` ran before the exec: wait until the holder is `sleep`.
  for (let i = 0; i < 200; i++) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep')) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  writeFileSync(join(root, 'sandbox.pid'), `${pid}\n`);
  return { pid, netnsPath: `/proc/${pid}/ns/net` };
}

/** Processes whose command line mentions `dir` (the shims of this root, their exec helpers). */
export function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(dir)) pids.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return pids;
}

async function waitGone(pids: number[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Ends the sandbox: every shim of this root (their containers die with them), then the holder —
 * the namespace and its bridges, veths and nft tables go with the last process in it.
 */
export async function destroySandbox(root: string): Promise<void> {
  const shims = processesUnder(join(root, 'c'));
  for (const pid of shims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await waitGone(shims, 3000);
  const holder = existingSandbox(root);
  if (holder) {
    try {
      process.kill(holder.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await waitGone([holder.pid], 3000);
  }
  rmSync(root, { recursive: true, force: true });
}

/** Is this machine able to run the real data plane? (why not, when it is not) */
export function linuxSupport(): string | undefined {
  if (process.platform !== 'linux') return 'the real data plane needs Linux';
  if (process.getuid?.() !== 0) return 'the real data plane needs root (network namespaces, bridges, nftables)';
  for (const bin of ['unshare', 'nsenter', 'ip', 'nft', 'python3']) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    } catch {
      return `${bin} is missing (Debian: apt-get install ${bin === 'nft' ? 'nftables' : bin === 'ip' ? 'iproute2' : bin === 'python3' ? 'python3' : 'util-linux'})`;
    }
  }
  try {
    execFileSync('unshare', ['--net', 'true'], { stdio: 'ignore' });
  } catch {
    return 'network namespaces cannot be created here (unshare --net failed: is this an unprivileged container?)';
  }
  return undefined;
}
