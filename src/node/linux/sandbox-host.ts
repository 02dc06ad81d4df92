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

/**
 * The sandbox host's resolver (its resolv.conf, as far as containers are concerned): an address
 * on the sandbox's own loopback where a tiny server answers NXDOMAIN to everything. A sandbox has
 * no outside world, so no name exists out there — the embedded DNS says the same for user-defined
 * networks. Without it, a default-bridge container (which uses the host's resolvers, not
 * 127.0.0.11) would send its lookups to the machine's resolver address, unreachable from the
 * sandbox, and wait 5 s for each. 192.0.2.0/24 is TEST-NET-1 (never routed).
 */
export const SANDBOX_RESOLVER = '192.0.2.53';

/**
 * The resolver, run by the holder's shell in the background (argv[1] names the root, so
 * destroySandbox finds it). It dies with the holder (PR_SET_PDEATHSIG). One UDP socket; each
 * query is answered with its own ID and question, QR/RA set, RD copied, rcode 3.
 */
const RESOLVER_PY = `
import ctypes, signal, socket, struct
ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('${SANDBOX_RESOLVER}', 53))
while True:
    q, peer = s.recvfrom(4096)
    if len(q) < 12 or q[2] & 0x80:
        continue
    end = 12
    while end < len(q) and q[end]:
        end += q[end] + 1
    question = q[12:end + 5] if struct.unpack('!H', q[4:6])[0] == 1 and end + 5 <= len(q) else b''
    flags = 0x8000 | (q[2] & 0x79) << 8 | 0x80 | (3 if question else 1)
    s.sendto(q[:2] + struct.pack('!HHHHH', flags, 1 if question else 0, 0, 0, 0) + question, peer)
`;

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
  const resolver = `ip addr add ${SANDBOX_RESOLVER}/32 dev lo && python3 -S -c "$0" ${join(root, 'resolver')} </dev/null >/dev/null 2>&1 &`;
  const script = `echo $$; ip link set lo up; ${noBrNetfilter}; ${resolver} exec sleep infinity`;
  const child = spawn('unshare', ['--net', 'sh', '-c', script, RESOLVER_PY], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
  // The shims (and the resolver, which would die with the holder anyway).
  const shims = [...processesUnder(join(root, 'c')), ...processesUnder(join(root, 'resolver'))];
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
