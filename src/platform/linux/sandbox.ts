/**
 * A private network namespace that plays the host (issue 4's safety rule: real networking
 * happens only inside namespaces we create). The namespace is held by one `sleep` process started
 * with `unshare --net`; it dies — and the namespace with everything in it (bridges, veths,
 * addresses, routes, nft tables) disappears — when we destroy it or when this process dies
 * (`setpriv --pdeathsig KILL`), so nothing can be left behind in the machine's own namespace.
 */
import { spawn, execFileSync } from 'node:child_process';

export class Sandbox {
  private constructor(
    /** PID of the process that holds the namespace. */
    readonly pid: number,
  ) {}

  /** `/proc/<pid>/ns/net`: what `nsenter --net=` and `ip netns attach` take. */
  get netnsPath(): string {
    return `/proc/${this.pid}/ns/net`;
  }

  static async create(): Promise<Sandbox> {
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', 'unshare', '--net', 'sh', '-c', 'echo $$; exec sleep infinity'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
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
      child.on('exit', (code) => reject(new Error(`sandbox could not start (exit ${code}): ${err.trim()}`)));
    });
    child.stdout.destroy();
    child.stderr.destroy();
    child.unref();
    const sandbox = new Sandbox(pid);
    // Loopback up, as a host has it.
    sandbox.ipBatch(['link set lo up']);
    return sandbox;
  }

  /** Runs a command inside the namespace (synchronously; errors carry its stderr). */
  exec(argv: string[], input?: string): string {
    return execFileSync('nsenter', [`--net=${this.netnsPath}`, '--', ...argv], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** One `ip -batch` transaction: one process for any number of link/address/route changes. */
  ipBatch(commands: string[]): void {
    if (commands.length === 0) return;
    this.exec(['ip', '-batch', '-'], `${commands.join('\n')}\n`);
  }

  /** `ip -json` read of the namespace, parsed. */
  ipJson<T = unknown>(args: string[]): T {
    return JSON.parse(this.exec(['ip', '-json', ...args]) || '[]') as T;
  }

  alive(): boolean {
    try {
      process.kill(this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Ends the namespace and everything in it. */
  async destroy(): Promise<void> {
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      return;
    }
    for (let i = 0; i < 100 && this.alive(); i++) await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether real-namespace tests can run here (root, unshare, nsenter, ip). */
export function sandboxSupported(): { ok: boolean; why?: string } {
  if (process.platform !== 'linux') return { ok: false, why: 'not Linux' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'needs root' };
  for (const bin of ['unshare', 'nsenter', 'setpriv', 'ip']) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    } catch {
      return { ok: false, why: `${bin} is missing` };
    }
  }
  // Root without the capability (an unprivileged container) cannot make namespaces: try once.
  try {
    execFileSync('unshare', ['--net', 'true'], { stdio: 'ignore' });
  } catch {
    return { ok: false, why: 'cannot create network namespaces here (unshare --net failed: no CAP_SYS_ADMIN?)' };
  }
  return { ok: true };
}
