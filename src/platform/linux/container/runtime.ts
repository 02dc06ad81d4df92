/**
 * The Linux container runtime: one shim process (shim.py) per container, spawned detached so
 * containers outlive the daemon; the daemon reaches it through <dir>/shim.sock.
 *
 * Per-container dir layout: config.json (the spec, for the shim), hosts / resolv.conf / hostname
 * (bind-mounted into the container: update them in place with updateContainerFile(), never by
 * rename, because a bind mount pins the inode), upper/ work/ merged/ (overlay), log.jsonl
 * (Docker's json-file format), shim.json ({pid, netns}), shim.sock, shim.log (the shim's own
 * stderr), exit (the exit code, written atomically).
 *
 * Shims are forked by a zygote (`shim.py --zygote <socket>`, one per runtime, started lazily in
 * the shims' netns with every module already imported): a fork costs far less than an interpreter
 * start. A forked shim is the same independent process as a spawned one (own session, command
 * line `python3 -S -E shim.py <dir>`), so adopt() and cleanup find it by its dir, and it outlives
 * the zygote. When the zygote cannot be reached, create() spawns the shim the old way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ExecProblem } from '../../../core/runc-errors.js';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { execInContainer } from './exec.js';
import { DEFAULT_PATH } from './paths.js';
import { ShimClient, readExitFile, readShimInfo, shimAliveFor } from './shim-client.js';
import { assignSpare, requestShim, requestSpare, shimLogTail, ZygoteUnavailable, type Ready, type Spare } from './zygote-client.js';
import type { ContainerSpec, ExecOptions, ExecProcess, LogEntry, ShimHandle } from './types.js';

export interface RuntimeOptions {
  shimScript: string;
  python?: string;
  /** Network namespace the shims start in (the sandbox "host"); undefined = ours. */
  netnsPath?: string;
  /**
   * The zygote's socket (its path is on the zygote's command line, so `--cleanup` finds it under
   * the root); default `.zygote.sock` next to the first container dir; false = no zygote.
   */
  zygoteSocket?: string | false;
}


const FILE_NAMES = { hosts: 'hosts', resolvConf: 'resolv.conf', hostname: 'hostname' } as const;

/** Rewrites one of the bind-mounted files in place (same inode, so the container sees it). */
export function updateContainerFile(dir: string, which: keyof typeof FILE_NAMES, content: string): void {
  writeFileSync(join(dir, FILE_NAMES[which]), content);
}

export class LinuxContainerRuntime {
  private readonly python: string;
  private zygote: { pid: number; socket: string; child: ChildProcess } | undefined;
  private zygoteStarting: Promise<{ pid: number; socket: string }> | undefined;
  private zygoteFailures = 0;
  private closed = false;
  /** A shim forked ahead with a fresh namespace, waiting for its container (see warm()). */
  private spare: Spare | undefined;
  private spareComing: Promise<void> | undefined;

  constructor(private readonly opts: RuntimeOptions) {
    this.python = opts.python ?? '/usr/bin/python3';
  }

  /**
   * Writes the dir, config.json and the files (spec.files holds their contents), spawns the shim
   * and waits until its netns, DNS listener and control socket exist. Does not start the process.
   */
  async create(spec: ContainerSpec): Promise<ShimHandle> {
    if (!/^[0-9a-f]{64}$/.test(spec.id)) throw new Error(`invalid container ID ${spec.id}`);
    const dir = spec.dir;
    for (const d of ['upper', 'work', 'merged']) mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
    // The overlay's root takes the upper dir's mode: / must be 0755 for a --user that is not root.
    chmodSync(join(dir, 'upper'), 0o755);
    const files = {} as Record<keyof typeof FILE_NAMES, string>;
    for (const [k, name] of Object.entries(FILE_NAMES) as Array<[keyof typeof FILE_NAMES, string]>) {
      files[k] = join(dir, name);
      writeFileSync(files[k], spec.files[k], { mode: 0o644 });
    }
    const config = { ...spec, workdir: spec.workdir || '/', files };
    writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config)}\n`, { mode: 0o600 });

    let ready: Ready;
    try {
      ready = await this.forkShim(dir, !spec.sharedNetns);
    } catch (err) {
      if (!(err instanceof ZygoteUnavailable)) throw err;
      ready = await this.spawnShim(dir);
    }
    try {
      return await ShimClient.connect(spec.id, dir, ready.pid, ready.netns);
    } catch (err) {
      process.kill(ready.pid, 'SIGKILL');
      throw err;
    }
  }

  /** The old way: a fresh interpreter per shim. */
  private async spawnShim(dir: string): Promise<Ready> {
    const log = openSync(join(dir, 'shim.log'), 'a');
    const base = [this.python, '-S', '-E', this.opts.shimScript, dir];
    const argv = this.opts.netnsPath ? ['nsenter', `--net=${this.opts.netnsPath}`, '--', ...base] : base;
    // detached: its own session, so neither the daemon's death nor its terminal's hangup reach it.
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', log] });
    closeSync(log);
    const ready = await new Promise<{ pid: number; netns: string }>((resolve, reject) => {
      let out = '';
      const fail = (why: string) => reject(new Error(`container shim failed to start (${why})${shimLogTail(dir)}`));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail('timeout');
      }, 10_000);
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /^ready (\d+) (\S+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve({ pid: Number(m[1]), netns: m[2] });
        }
      });
      child.on('error', (e) => (clearTimeout(timer), fail(e.message)));
      child.on('exit', (code) => (clearTimeout(timer), fail(`exit ${code}`)));
    });
    child.removeAllListeners('exit');
    child.stdout!.destroy();
    child.unref();
    return ready;
  }

  /**
   * Has a spare made in the background, if there is a zygote and no spare yet: the next create()
   * of a container with a namespace of its own then skips the fork and the namespace set-up (the
   * daemon calls this once a start is done, so the spare is made while nothing else runs).
   */
  warm(): void {
    if (this.closed || this.spare || this.spareComing || !this.zygote) return;
    const socket = this.zygote.socket;
    this.spareComing = requestSpare(socket)
      .then((s) => {
        if (this.closed) s.socket.destroy();
        else this.spare = s;
      })
      .catch(() => undefined) // no spare: create() forks as before
      .finally(() => (this.spareComing = undefined));
  }

  /** The waiting spare's PID (tests). */
  get sparePid(): number | undefined {
    return this.spare && !this.spare.dead ? this.spare.pid : undefined;
  }

  /** Asks the zygote (started on first use, restarted once if it died) to fork the shim. */
  private async forkShim(dir: string, ownNetns: boolean): Promise<Ready> {
    if (ownNetns && this.spare) {
      const spare = this.spare;
      this.spare = undefined;
      try {
        return await assignSpare(spare, dir);
      } catch (err) {
        if (!(err instanceof ZygoteUnavailable)) throw err;
        // The spare was gone: fork one the usual way.
      }
    }
    if (this.opts.zygoteSocket === false || this.closed || this.zygoteFailures >= 3) throw new ZygoteUnavailable('no zygote');
    const socketPath = this.zygote?.socket ?? this.opts.zygoteSocket ?? join(dirname(dir), '.zygote.sock');
    for (let attempt = 0; ; attempt++) {
      let z: { pid: number; socket: string };
      try {
        z = await this.ensureZygote(socketPath);
      } catch (err) {
        this.zygoteFailures++;
        throw new ZygoteUnavailable((err as Error).message);
      }
      try {
        const ready = await requestShim(z.socket, dir);
        this.zygoteFailures = 0;
        return ready;
      } catch (err) {
        if (!(err instanceof ZygoteUnavailable)) throw err;
        // Dead, replaced or broken: drop it; the next attempt starts a fresh one.
        this.stopZygote(z.pid);
        if (attempt >= 1) {
          this.zygoteFailures++;
          throw err;
        }
      }
    }
  }

  private ensureZygote(socketPath: string): Promise<{ pid: number; socket: string }> {
    if (this.zygote) return Promise.resolve(this.zygote);
    this.zygoteStarting ??= this.startZygote(socketPath).finally(() => (this.zygoteStarting = undefined));
    return this.zygoteStarting;
  }

  private async startZygote(socketPath: string): Promise<{ pid: number; socket: string }> {
    mkdirSync(dirname(socketPath), { recursive: true });
    const log = openSync(join(dirname(socketPath), '.zygote.log'), 'a');
    // --room: spare argv bytes, so a forked shim can rewrite its command line to name its dir
    // where prctl(PR_SET_MM) is not allowed (see set_cmdline in shim.py).
    const base = [this.python, '-S', '-E', this.opts.shimScript, '--zygote', socketPath, `--room=${'.'.repeat(96)}`];
    const argv = this.opts.netnsPath ? ['nsenter', `--net=${this.opts.netnsPath}`, '--', ...base] : base;
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', log] });
    closeSync(log);
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('zygote start timed out'));
      }, 10_000);
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /^zygote (\d+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('error', (e) => (clearTimeout(timer), reject(e)));
      child.on('exit', (code) => (clearTimeout(timer), reject(new Error(`zygote exited (${code})`))));
    });
    child.removeAllListeners('exit');
    child.stdout!.destroy();
    child.unref();
    const z = { pid, socket: socketPath, child };
    child.on('exit', () => {
      if (this.zygote === z) this.zygote = undefined;
    });
    if (this.closed) {
      child.kill('SIGKILL');
      throw new Error('runtime closed');
    }
    this.zygote = z;
    return z;
  }

  private stopZygote(pid?: number): void {
    const z = this.zygote;
    if (!z || (pid !== undefined && z.pid !== pid)) return;
    this.zygote = undefined;
    // A spare ends with its connection (and with the zygote, by its parent-death signal).
    this.spare?.socket.destroy();
    this.spare = undefined;
    z.child.kill('SIGKILL');
    try {
      unlinkSync(z.socket);
    } catch {}
  }

  /** Stops the zygote (shims and their containers are independent of it and keep running). */
  close(): void {
    this.closed = true;
    this.stopZygote();
  }

  /** The running zygote's PID (tests). */
  get zygotePid(): number | undefined {
    return this.zygote?.pid;
  }

  /** Reconnects to a running shim after a daemon restart (undefined if it is gone). */
  async adopt(dir: string): Promise<ShimHandle | undefined> {
    const info = readShimInfo(dir);
    if (!info || !shimAliveFor(dir, info.pid)) return undefined;
    let id = '';
    try {
      id = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { id: string }).id;
      return await ShimClient.connect(id, dir, info.pid, info.netns);
    } catch {
      return undefined; // exited between the check and the connect
    }
  }

  readExitCode(dir: string): number | undefined {
    return readExitFile(dir);
  }

  readLogs(dir: string): LogEntry[] {
    let text = '';
    try {
      text = readFileSync(join(dir, 'log.jsonl'), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as LogEntry);
  }

  exec(pid: number, opts: ExecOptions): ExecProcess {
    return execInContainer(pid, opts, this.python, this.opts.shimScript);
  }

  /** Removes the dir (upper layer, logs). Refuses while its shim runs. */
  remove(dir: string): void {
    const info = readShimInfo(dir);
    if (info && shimAliveFor(dir, info.pid)) throw new Error(`container in ${dir} is still running (shim ${info.pid})`);
    rmSync(dir, { recursive: true, force: true });
  }

  /**
   * Why argv0 cannot be started inside the rootfs (undefined: it can), found as runc finds it
   * (Go's exec.LookPath, see core/runc-errors.ts): a bare name is searched in PATH, a path is taken
   * as it is. Symlinks are followed inside the rootfs (absolute targets are relative to it).
   */
  execProblem(rootfs: string, argv0: string, env: string[]): ExecProblem | undefined {
    if (!argv0) return 'missing';
    const kind = (candidate: string): 'exec' | 'other' | 'none' => {
      const real = resolveInRoot(rootfs, candidate);
      if (real === undefined) return 'none';
      try {
        const st = statSync(real);
        return st.isFile() && (st.mode & 0o111) !== 0 ? 'exec' : 'other';
      } catch {
        return 'none';
      }
    };
    if (argv0.includes('/')) {
      const k = kind(posix.resolve('/', argv0));
      return k === 'exec' ? undefined : k === 'other' ? 'denied' : 'missing';
    }
    const path = [...env].reverse().find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH;
    const found = path.split(':').filter(Boolean).some((d) => kind(posix.join(posix.resolve('/', d), argv0)) === 'exec');
    return found ? undefined : 'missing';
  }
}

/** Host path of `path` inside `root`, following symlinks without escaping root (like chroot). */
export function resolveInRoot(root: string, path: string): string | undefined {
  let hops = 0;
  const todo = path.split('/').filter(Boolean);
  const done: string[] = [];
  while (todo.length > 0) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    let st;
    try {
      st = lstatSync(host);
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink()) {
      if (++hops > 40) return undefined; // ELOOP
      const target = readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter(Boolean));
    } else done.push(part);
  }
  const result = join(root, ...done);
  return existsSync(result) ? result : undefined;
}
