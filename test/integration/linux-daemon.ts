/**
 * A `crosstalkd --sandbox` (linux data plane) for the real integration tests, driven by the real
 * docker CLI, and the checks that nothing is left behind: no process mentioning its directory,
 * no sandbox holder, no link or nft rule in the machine's namespace, no new mount.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, DAEMON_JS, run, type RunResult } from '../compat/harness.js';
import { hostLinks } from './helpers.js';

export interface MachineSnapshot {
  links: string[];
  nft: string;
  mounts: number;
}

export function machineSnapshot(): MachineSnapshot {
  return {
    links: hostLinks().sort(),
    nft: execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' }),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length,
  };
}

export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * Daemons not yet destroyed. A test file that is killed (the runner's timeout) runs no `after`
 * hook; these handlers still remove each daemon, its containers and its sandbox.
 */
const live = new Set<LinuxDaemon>();

/** Blocks until pid is dead (a zombie counts: only the reaping is left), at most 3 s. */
function waitGoneSync(pid: number): void {
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 300; i++) {
    let state: string;
    try {
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    } catch {
      return;
    }
    if (state === 'Z' || state === 'X') return;
    Atomics.wait(tick, 0, 0, 10);
  }
}
let handlersInstalled = false;

function destroyAllNow(): void {
  for (const d of live) d.destroySync();
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', destroyAllNow);
  for (const [sig, n] of [['SIGTERM', 15], ['SIGINT', 2], ['SIGHUP', 1]] as const) {
    process.once(sig, () => {
      destroyAllNow();
      process.exit(128 + n);
    });
  }
}

export class LinuxDaemon {
  child: ChildProcess | undefined;
  logs = '';
  readonly socket: string;
  readonly stateDir: string;
  readonly pidfile: string;
  readonly env: Record<string, string>;

  constructor(readonly dir: string = mkdtempSync(join(tmpdir(), 'ct-lx-'))) {
    this.socket = join(dir, 's.sock');
    this.stateDir = join(dir, 'state');
    this.pidfile = join(dir, 'd.pid');
    mkdirSync(join(dir, 'docker-config'), { recursive: true });
    this.env = cleanEnv({ DOCKER_HOST: `unix://${this.socket}`, DOCKER_CONFIG: join(dir, 'docker-config') });
  }

  get args(): string[] {
    return ['--sandbox', '-H', `unix://${this.socket}`, '--state-dir', this.stateDir, '--pidfile', this.pidfile, '--log-level', 'info'];
  }

  /** The sandbox holder's PID (the namespace that plays the host). */
  sandboxPid(): number | undefined {
    const f = join(this.stateDir, 'linux', 'sandbox.pid');
    return existsSync(f) ? Number.parseInt(readFileSync(f, 'utf8'), 10) : undefined;
  }

  async start(): Promise<void> {
    installExitHandlers();
    live.add(this);
    this.child = spawn(process.execPath, [DAEMON_JS, ...this.args], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.logs += s));
    for (let i = 0; i < 400; i++) {
      if (this.exited()) throw new Error(`crosstalkd exited ${this.child.exitCode}: ${this.logs}`);
      if (existsSync(this.socket)) {
        const r = await this.docker(['version', '--format', '{{.Server.Version}}']).catch(() => undefined);
        if (r && r.code === 0) return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`crosstalkd did not answer: ${this.logs}`);
  }

  docker(args: string[], timeoutMs = 60_000): Promise<RunResult> {
    return run('docker', args, { env: this.env, timeoutMs });
  }

  /** docker CLI, asserting success; returns trimmed stdout. */
  async ok(args: string[]): Promise<string> {
    const r = await this.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.err}${r.out}`);
    return r.out.trim();
  }

  /** Exit status of a command run in a container. */
  async status(container: string, cmd: string[]): Promise<number> {
    return (await this.docker(['exec', container, ...cmd])).code;
  }

  async ip(container: string, network: string): Promise<string> {
    return this.ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container]);
  }

  private exited(): boolean {
    return !this.child || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async stop(): Promise<number | null> {
    if (this.exited()) return this.child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => this.child!.once('exit', (code) => r(code)));
    this.child!.kill('SIGTERM');
    const t = setTimeout(() => this.child?.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(t);
    return code;
  }

  async kill9(): Promise<void> {
    if (this.exited()) return;
    const exited = new Promise((r) => this.child!.once('exit', r));
    this.child!.kill('SIGKILL');
    await exited;
  }

  cleanup(): void {
    spawnSync(process.execPath, [DAEMON_JS, ...this.args, '--cleanup'], { stdio: 'ignore' });
  }

  /** Last resort for a failed test: nothing of ours may survive it. */
  async destroy(): Promise<void> {
    await this.kill9();
    this.destroySync();
  }

  /** destroy() without waiting (for exit handlers): SIGKILL, --cleanup, stragglers, the dir. */
  destroySync(): void {
    live.delete(this);
    if (!this.exited()) {
      this.child!.kill('SIGKILL');
      waitGoneSync(this.child!.pid!);
    }
    this.cleanup();
    for (const pid of processesMentioning(this.dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Nothing of this daemon is left: processes, sandbox, pid file, and the machine is as before. */
  assertNothingLeft(before: MachineSnapshot, sandboxPid: number | undefined): void {
    assert.deepEqual(processesMentioning(this.dir), [], 'processes left behind');
    if (sandboxPid) assert.ok(!existsSync(`/proc/${sandboxPid}`), 'the sandbox namespace holder is still running');
    assert.ok(!existsSync(this.pidfile), 'pid file left behind');
    assert.ok(!existsSync(join(this.stateDir, 'linux')), 'runtime files left behind');
    const after = machineSnapshot();
    assert.deepEqual(after.links, before.links, 'links in the machine namespace changed');
    assert.equal(after.nft, before.nft, 'the machine nft ruleset changed');
    assert.equal(after.mounts, before.mounts, 'mounts changed');
  }
}
