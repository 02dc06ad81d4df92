/**
 * Test infrastructure for the real runtime (like ../sandbox.ts): a temp dir, a sandbox netns
 * playing the host, the busybox image, and a teardown that kills every shim it started and
 * proves nothing is left (no process whose cmdline or root mentions the temp dir, no mounts).
 */
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sandbox } from '../sandbox.js';
import { ensureBusyboxImage } from './image.js';
import { LinuxContainerRuntime } from './runtime.js';
import type { ContainerSpec, ShimHandle } from './types.js';

export const SHIM_SCRIPT = resolve(fileURLToPath(new URL('.', import.meta.url)), 'shim.py');

/** PIDs of processes whose cmdline or root directory mentions `needle`. */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      let root = '';
      try {
        root = readlinkSync(`/proc/${name}/root`);
      } catch {}
      if (cmd.includes(needle) || root.includes(needle)) found.push(Number(name));
    } catch {}
  }
  return found;
}

export function mountCount(): number {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Testbed {
  readonly handles: ShimHandle[] = [];
  private n = 0;
  private constructor(
    readonly dir: string,
    readonly sandbox: Sandbox,
    readonly rootfs: string,
    readonly runtime: LinuxContainerRuntime,
    private readonly mountsBefore: number,
  ) {}

  static async create(): Promise<Testbed> {
    const mounts = mountCount();
    const dir = mkdtempSync(join(tmpdir(), 'ct-rt-'));
    const sandbox = await Sandbox.create();
    const rootfs = ensureBusyboxImage(join(dir, 'images'));
    return new Testbed(dir, sandbox, rootfs, new LinuxContainerRuntime({ shimScript: SHIM_SCRIPT, netnsPath: sandbox.netnsPath }), mounts);
  }

  spec(argv: string[], extra: Partial<ContainerSpec> = {}): ContainerSpec {
    const n = ++this.n;
    const id = n.toString(16).padStart(64, 'c');
    return {
      id,
      dir: join(this.dir, 'c', id.slice(0, 12)),
      rootfs: this.rootfs,
      argv,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root'],
      workdir: '/',
      hostname: `box${n}`,
      tty: false,
      openStdin: false,
      files: { hosts: `127.0.0.1\tlocalhost\n10.9.0.${n}\tbox${n}\n`, resolvConf: 'nameserver 127.0.0.11\noptions ndots:0\n', hostname: `box${n}\n` },
      ...extra,
    };
  }

  async create(spec: ContainerSpec): Promise<ShimHandle> {
    const h = await this.runtime.create(spec);
    this.handles.push(h);
    return h;
  }

  /** Kills everything, then returns what was left over (empty = clean). */
  async teardown(): Promise<string[]> {
    this.runtime.close();
    for (const h of this.handles) {
      h.close();
      try {
        process.kill(h.shimPid, 'SIGKILL');
      } catch {}
    }
    const problems: string[] = [];
    let left: number[] = [];
    for (let i = 0; i < 200; i++) {
      left = processesMentioning(this.dir);
      if (left.length === 0) break;
      await sleep(10);
    }
    if (left.length) {
      problems.push(`processes left: ${left.join(' ')}`);
      for (const p of left) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {}
      }
    }
    await this.sandbox.destroy();
    if (mountCount() !== this.mountsBefore) problems.push(`mount table changed: ${this.mountsBefore} -> ${mountCount()}`);
    for (const h of this.handles) {
      try {
        this.runtime.remove(h.dir);
      } catch (e) {
        problems.push(String(e));
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    return problems;
  }
}
