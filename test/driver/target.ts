/**
 * One Docker-CLI-shaped interface over both data planes, so the same scenario runs on either:
 *
 * - SimTarget: the crosstalk CLI (`dispatch`) in-process on a fresh MemoryStore engine; the
 *   busybox commands inside containers are simulated from the network model. No root needed.
 * - LinuxTarget: the real docker CLI against `crosstalkd --sandbox` (LinuxDaemon): real bridges,
 *   veths, nftables, busybox and the embedded DNS, all inside a private namespace.
 *
 * On top of `docker(args)`, the probes both planes answer the same way: does a name resolve
 * (busybox nslookup), does a ping get a reply, is a TCP port open (busybox nc prints "ok").
 */
import { newCli, type TestCli } from '../helpers.js';
import { which } from '../compat/harness.js';
import { skipReason as sandboxSkipReason } from '../integration/helpers.js';
import { LinuxDaemon, machineSnapshot, type MachineSnapshot } from '../integration/linux-daemon.js';

export interface DockerResult {
  code: number;
  out: string;
  err: string;
}

export interface Target {
  readonly kind: 'sim' | 'linux';
  /** One docker CLI command (no leading "docker"). */
  docker(args: string[]): Promise<DockerResult>;
  /** Removes every container and user network (between scenarios). */
  clean(): Promise<void>;
}

/** Why the linux target cannot run here (false when it can). */
export function linuxSkipReason(): string | false {
  return sandboxSkipReason(['nft', 'python3']) || (!which('docker') ? 'docker CLI missing' : false);
}

export class SimTarget implements Target {
  readonly kind = 'sim' as const;
  private cli: TestCli = newCli();

  docker(args: string[]): Promise<DockerResult> {
    return this.cli.run(args);
  }

  async clean(): Promise<void> {
    this.cli = newCli();
  }
}

export class LinuxTarget implements Target {
  readonly kind = 'linux' as const;
  readonly daemon = new LinuxDaemon();
  private machine: MachineSnapshot | undefined;
  private sandboxPid: number | undefined;

  async start(): Promise<void> {
    this.machine = machineSnapshot();
    await this.daemon.start();
    this.sandboxPid = this.daemon.sandboxPid();
  }

  docker(args: string[]): Promise<DockerResult> {
    return this.daemon.docker(args);
  }

  async clean(): Promise<void> {
    const ids = (await this.must(['ps', '-aq'])).split('\n').filter(Boolean);
    if (ids.length) await this.must(['rm', '-f', ...ids]);
    await this.must(['network', 'prune', '-f']);
  }

  /** Stops the daemon cleanly and asserts nothing is left on the machine. */
  async stopAndCheck(): Promise<void> {
    const code = await this.daemon.stop();
    if (code !== 0) throw new Error(`crosstalkd exited ${code}: ${this.daemon.logs}`);
    this.daemon.assertNothingLeft(this.machine!, this.sandboxPid);
  }

  /** Last resort (after): kill -9, --cleanup, remove the directory. Safe to call twice. */
  destroy(): Promise<void> {
    return this.daemon.destroy();
  }

  private async must(args: string[]): Promise<string> {
    const r = await this.docker(args);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.err}${r.out}`);
    return r.out.trim();
  }
}

// ------------------------------------------------------------------------------------ helpers

export async function must(t: Target, args: string[]): Promise<string> {
  const r = await t.docker(args);
  if (r.code !== 0) throw new Error(`[${t.kind}] docker ${args.join(' ')} failed (${r.code}): ${r.err}${r.out}`);
  return r.out.trim();
}

/** Runs async jobs with at most `limit` in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A container's IPv4 address on each of its networks (empty when stopped or none). */
export async function addresses(t: Target, container: string): Promise<Record<string, string>> {
  const out = await must(t, ['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}', container]);
  const res: Record<string, string> = {};
  for (const pair of out.split(/\s+/).filter(Boolean)) {
    const [net, ip] = pair.split('=');
    if (ip) res[net] = ip;
  }
  return res;
}

/**
 * The IPv4 addresses `name` resolves to from `from` (busybox nslookup), sorted; [] when it does
 * not resolve. The nameserver's own lines (before the first blank line) are left out.
 */
export async function resolve(t: Target, from: string, name: string): Promise<string[]> {
  const r = await t.docker(['exec', from, 'nslookup', '-type=a', name]);
  if (r.code !== 0) return [];
  const body = r.out.split(/\n\s*\n/).slice(1).join('\n');
  return [...body.matchAll(/^Address:\s*(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => m[1]).sort();
}

export async function pings(t: Target, from: string, ip: string): Promise<boolean> {
  return (await t.docker(['exec', from, 'ping', '-c', '1', '-W', '1', ip])).code === 0;
}

export const PORT = '8080';
/** The listener every probed container runs as its main command. */
export const LISTENER = ['nc', '-ll', '-p', PORT, '-e', 'echo', 'ok'];

export async function tcpOpen(t: Target, from: string, ip: string, port = PORT): Promise<boolean> {
  const r = await t.docker(['exec', from, 'nc', '-w', '1', ip, port]);
  return r.out.trim() === 'ok';
}
