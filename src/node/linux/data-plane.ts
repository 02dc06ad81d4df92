/**
 * The real Linux data plane behind the API's RealRuntime seam: per container a shim (namespaces,
 * pty, logs, the 127.0.0.11 listener), per network a bridge, per endpoint a veth — kept equal to
 * the engine state inside every transaction — and the embedded DNS service answering from the
 * engine. Everything happens inside the sandbox namespace when one is given.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RealExec, RealExecOptions, RealLogLine, RealRuntime, RealStream } from '../../api/real-runtime.js';
import type { EngineHost } from '../../cli/engine-host.js';
import { exitContainer } from '../../api/core.js';
import { desiredState } from '../../drivers/linux/desired.js';
import { LinuxNetworkPlane, type Advertisement } from '../../drivers/linux/network-plane.js';
import { netnsOwner } from '../../engine/containers.js';
import type { Engine } from '../../engine/engine.js';
import { findImage, normalizeImageRef, registerImage, SIM_IMAGES, type SimImage } from '../../engine/images.js';
import { invalidParameter } from '../../core/errors.js';
import { execExecError, startExecError } from '../../core/runc-errors.js';
import type { ContainerRecord } from '../../engine/model.js';
import { hostsFile, resolvConf } from '../../dns/files.js';
import type { Listener } from '../../sim/listeners.js';
import { parseProcNet } from '../../sim/proc-net.js';
import { EmbeddedDnsService } from '../dns-service.js';
import { engineDnsResolver } from '../dns-resolver.js';
import { ensureBusyboxImage, imageDirName, importRootfsTar, loadDockerArchive } from '../../platform/linux/container/image.js';
import { LinuxContainerRuntime, readShimInfo, shimAliveFor } from '../../platform/linux/container/shim-client.js';
import type { ContainerSpec, ShimHandle } from '../../platform/linux/container/types.js';
import type { ExecUser } from '../../core/exec-user.js';
import { execUserIn } from '../../platform/linux/container/user-files.js';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface LinuxDataPlaneOptions {
  /** Runtime root: images, per-container dirs (`c/<12 hex>`), the DNS socket. */
  root: string;
  /** The sandbox namespace that plays the host (undefined: the machine's own namespace). */
  netnsPath?: string;
  shimScript: string;
  /** Upstream resolvers for names the networks do not know (empty: no forwarding). */
  dnsUpstreams: string[];
  /** The answer without upstreams (see EmbeddedDnsService). */
  dnsNoUpstream?: 'servfail' | 'nxdomain';
  log: Log;
}

/** Debian's static tini (package tini), bind-mounted as /sbin/docker-init for `--init`. */
const DOCKER_INIT = '/usr/bin/tini-static';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** What `image import` records next to an imported rootfs (the built-in image has its own files). */
const IMPORTED_META = 'crosstalk-import.json';
/** What a container's directory keeps from one run to the next. */
const KEPT_ACROSS_STARTS = new Set(['upper', 'log.jsonl']);
/** Images the machine's static busybox stands in for. */
const BUSYBOX_REPOS = new Set(['busybox', 'alpine']);

const decoderFor = () => {
  const d = [new TextDecoder(), new TextDecoder(), new TextDecoder()];
  return (stream: 1 | 2, data: Buffer) => d[stream].decode(data, { stream: true });
};

export class LinuxDataPlane implements RealRuntime {
  readonly name = 'linux';
  private readonly runtime: LinuxContainerRuntime;
  private readonly plane: LinuxNetworkPlane;
  private readonly handles = new Map<string, ShimHandle>();
  /** Resolves once a container's exit has been recorded in the state. */
  private readonly recorded = new Map<string, Promise<number>>();
  private readonly files = new Map<string, string>();
  private onExit: (id: string, code: number) => void = () => {};
  private dns: EmbeddedDnsService | undefined;
  private engineRef: (() => Engine) | undefined;
  private busyboxRootfs = '';

  constructor(private readonly opts: LinuxDataPlaneOptions) {
    this.runtime = new LinuxContainerRuntime({ shimScript: opts.shimScript, netnsPath: opts.netnsPath });
    const nsArgs = opts.netnsPath ? ['nsenter', `--net=${opts.netnsPath}`, '--'] : [];
    this.plane = new LinuxNetworkPlane({
      run: (argv, input) => {
        const full = [...nsArgs, ...argv];
        return execFileSync(full[0], full.slice(1), { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
      },
    });
  }

  get dnsSocket(): string {
    return join(this.opts.root, 'dns.sock');
  }

  private dirOf(id: string): string {
    return join(this.opts.root, 'c', id.slice(0, 12));
  }

  /**
   * Daemon start: the image, the DNS service, then reconcile — adopt shims still running from
   * before (their containers keep running), record the exits of the others, make the network
   * match the state and remove what it does not have.
   */
  async start(host: EngineHost): Promise<void> {
    mkdirSync(join(this.opts.root, 'c'), { recursive: true });
    this.busyboxRootfs = ensureBusyboxImage(join(this.opts.root, 'images'));
    this.registerImported();
    // DNS answers from the last committed engine (no store read per query); until the first
    // commit, from the store.
    this.engineRef = () => this.latest ?? host.read((e) => e);
    this.dns = new EmbeddedDnsService({ socketPath: this.dnsSocket, resolver: engineDnsResolver(() => this.engineRef!()), upstreams: this.opts.dnsUpstreams, noUpstream: this.opts.dnsNoUpstream, log: this.opts.log });
    await this.dns.listen();
    const running = host.read((e) => [...e.containers.values()].filter((c) => c.status === 'running').map((c) => c.id));
    const gone: Array<[string, number]> = [];
    for (const id of running) {
      const handle = await this.runtime.adopt(this.dirOf(id));
      if (handle && handle.pid !== undefined) {
        this.track(id, handle);
        this.opts.log('info', 'adopted a running container', { container: id, pid: handle.pid });
      } else gone.push([id, this.runtime.readExitCode(this.dirOf(id)) ?? 255]);
    }
    host.write((engine) => {
      for (const [id, code] of gone) {
        const c = engine.containers.get(id);
        if (c && c.status === 'running') exitContainer(engine, c, code);
      }
      this.plane.reconcile(desiredState(engine, (cid) => this.handles.get(cid)?.netnsPath));
      this.writeFiles(engine);
    });
    // Directories of containers that no longer exist (removed while we were down).
    const known = host.read((e) => new Map([...e.containers.keys()].map((id) => [id.slice(0, 12), id])));
    for (const d of readdirSync(join(this.opts.root, 'c'))) {
      const id = known.get(d);
      if (id) {
        this.dirs.add(id);
        continue;
      }
      // A container the state does not know: its shim (and so its namespace) must not live on.
      const dir = join(this.opts.root, 'c', d);
      const shim = readShimInfo(dir);
      if (shim && shimAliveFor(dir, shim.pid)) {
        try {
          process.kill(shim.pid, 'SIGKILL');
        } catch {
          /* gone meanwhile */
        }
        this.opts.log('info', 'killed the shim of a container the state does not know', { dir });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Clean shutdown: with `killContainers` (sandbox) every container ends; otherwise they keep running. */
  async shutdown(killContainers: boolean): Promise<void> {
    if (killContainers) {
      const waits = [...this.handles.entries()].map(([id]) => this.stop(id, 9, 0, () => {}).catch(() => 0));
      await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 5000))]);
      try {
        this.plane.teardown();
      } catch (err) {
        this.opts.log('warn', 'network teardown failed', { error: (err as Error).message });
      }
    }
    for (const h of this.handles.values()) h.close();
    this.runtime.close(); // the shim zygote; running shims do not depend on it
    await this.dns?.close();
  }

  setExitHandler(fn: (containerId: string, exitCode: number) => void): void {
    this.onExit = fn;
  }

  // ------------------------------------------------------------------ transactions

  /** Attach clients registering with a shim before its process starts. */
  private readonly attachReady = new Map<string, Array<Promise<unknown>>>();

  /** Host-side network setup time of containers whose start will finish it (ms), for the log. */
  private readonly pendingNetMs = new Map<string, number>();

  sync(engine: Engine): void {
    const t0 = performance.now();
    const desired = desiredState(engine, (id) => this.handles.get(id)?.netnsPath);
    // Containers about to start set up their own side from inside (their shim): no process spawn here.
    const starting = [...this.handles.entries()].filter(([, h]) => h.pid === undefined);
    desired.deferredNetns = new Set(starting.map(([, h]) => h.netnsPath));
    this.plane.sync(desired);
    this.announce(this.plane.takeCreated());
    const timings = this.plane.lastTimings();
    const ms = performance.now() - t0;
    const startingWithNet = starting.filter(([id]) => desired.endpoints.some((e) => e.containerId === id));
    if (startingWithNet.length > 0) {
      for (const [id] of startingWithNet) this.pendingNetMs.set(id, ms);
    } else if ((timings.host ?? 0) + (timings.containers ?? 0) + (timings.nft ?? 0) > 0.5) {
      // Only syncs that changed something (the benchmark reads these to isolate network setup).
      this.opts.log('debug', 'network sync', { ms: Number(ms.toFixed(3)), ...timings });
    }
    this.writeFiles(engine);
  }

  /** New endpoints of running containers (network connect, reconcile): their shims announce the addresses. */
  private announce(created: Array<{ netnsPath: string; advertise: Advertisement[] }>): void {
    for (const e of created) {
      const h = [...this.handles.values()].find((x) => x.netnsPath === e.netnsPath && x.pid !== undefined);
      h?.advertise(e.advertise);
    }
  }

  /**
   * /etc/hosts and /etc/resolv.conf of each running container, as Docker writes them (rewritten in
   * place: they are bind-mounted into the container, so a connect shows up there at once).
   */
  private writeFiles(engine: Engine): void {
    for (const [id, handle] of this.handles) {
      const c = engine.containers.get(id);
      if (!c) continue;
      for (const [name, text] of [
        ['hosts', hostsFile(engine, c)],
        ['resolv.conf', resolvConf(engine, c)],
      ] as const) {
        const key = `${id}/${name}`;
        if (this.files.get(key) === text) continue;
        writeFileSync(join(handle.dir, name), text);
        this.files.set(key, text);
      }
    }
  }

  /** Container directories that exist (created by prepare, found at start). */
  private readonly dirs = new Set<string>();

  private latest: Engine | undefined;

  committed(engine: Engine): void {
    this.latest = engine;
    this.dns?.invalidate();
    for (const id of this.dirs) {
      if (engine.containers.has(id) || this.handles.has(id)) continue;
      rmSync(this.dirOf(id), { recursive: true, force: true });
      this.dirs.delete(id);
    }
  }

  // ------------------------------------------------------------------ images

  private get imagesDir(): string {
    return join(this.opts.root, 'images');
  }

  /** Imported images found on disk become known to the engine again (after a restart). */
  private registerImported(): void {
    for (const name of existsSync(this.imagesDir) ? readdirSync(this.imagesDir) : []) {
      const meta = join(this.imagesDir, name, IMPORTED_META);
      if (!existsSync(meta)) continue;
      try {
        const image = JSON.parse(readFileSync(meta, 'utf8')) as SimImage;
        if (typeof image.repository !== 'string' || !Array.isArray(image.tags) || !Array.isArray(image.cmd)) throw new Error('not an image description');
        registerImage(image);
      } catch (err) {
        this.opts.log('warn', 'an imported image could not be read', { image: name, error: (err as Error).message });
      }
    }
  }

  async importImage(name: string, tarPath: string): Promise<void> {
    if (SIM_IMAGES.some((i) => i.repository === name)) throw invalidParameter(`${name} is a built-in image; import under another name`);
    if (!existsSync(tarPath)) throw invalidParameter(`no such file on the daemon's machine: ${tarPath}`);
    importRootfsTar(this.imagesDir, name, tarPath);
    // `docker import` images have no default command; a shell is the useful one for a rootfs.
    const image: SimImage = { repository: name, tags: ['latest'], cmd: ['sh'], entrypoint: [], exposedPorts: [], env: [DEFAULT_PATH], stopExitCode: 137 };
    this.retagImage(image);
    registerImage(image);
  }

  removeImage(image: SimImage): void {
    rmSync(join(this.imagesDir, imageDirName(image.repository)), { recursive: true, force: true });
  }

  /** Records an imported/loaded image next to its rootfs (registerImported reads it back after a restart). */
  retagImage(image: SimImage): void {
    writeFileSync(join(this.imagesDir, imageDirName(image.repository), IMPORTED_META), `${JSON.stringify(image)}\n`);
  }

  /** `docker load`: every image of a `docker save` archive; returns their `repo:tag` references. */
  async loadImages(archivePath: string): Promise<string[]> {
    const loaded = loadDockerArchive(this.imagesDir, archivePath, (ref) => {
      const repo = normalizeImageRef(ref).replace(/:[^:/]+$/, '');
      if (!SIM_IMAGES.some((i) => i.repository === repo)) return undefined;
      return `${repo} is one of crosstalk's built-in image names; tag the image under another name before docker save (docker tag ${repo} my/${repo})`;
    });
    const refs: string[] = [];
    for (const l of loaded) {
      const repository = normalizeImageRef(l.repoTags[0]).replace(/:[^:/]+$/, '');
      const image: SimImage = {
        repository,
        tags: l.repoTags.map((t) => t.slice(t.lastIndexOf(':') + 1)),
        cmd: l.config.Cmd ?? [],
        entrypoint: l.config.Entrypoint ?? [],
        exposedPorts: Object.keys(l.config.ExposedPorts ?? {}),
        env: l.config.Env ?? [DEFAULT_PATH],
        ...(l.config.WorkingDir ? { workingDir: l.config.WorkingDir } : {}),
        ...(l.config.User ? { user: l.config.User } : {}),
        stopExitCode: 137,
      };
      this.retagImage(image);
      registerImage(image);
      refs.push(...l.repoTags);
    }
    return refs;
  }

  // ------------------------------------------------------------------ start

  private rootfsOf(image: string): string | undefined {
    const repo = normalizeImageRef(image).split(':')[0];
    if (BUSYBOX_REPOS.has(repo)) return this.busyboxRootfs;
    const imported = join(this.opts.root, 'images', imageDirName(repo), 'rootfs');
    return existsSync(imported) ? imported : undefined;
  }

  private argvOf(c: ContainerRecord): string[] {
    return [...c.entrypoint, ...c.cmd];
  }

  listeners(containerId: string): Listener[] | undefined {
    const pid = this.handles.get(containerId)?.pid;
    if (pid === undefined) return undefined;
    const table = (name: string) => {
      try {
        return readFileSync(`/proc/${pid}/net/${name}`, 'utf8');
      } catch {
        return undefined; // gone meanwhile, or no IPv6 in this kernel
      }
    };
    const tcp = table('tcp');
    if (tcp === undefined) return undefined;
    // The embedded DNS shim's own 127.0.0.11:53 sockets are not the container's servers.
    return [
      ...parseProcNet(tcp, 'tcp'),
      ...parseProcNet(table('tcp6') ?? '', 'tcp'),
      ...parseProcNet(table('udp') ?? '', 'udp'),
      ...parseProcNet(table('udp6') ?? '', 'udp'),
    ].filter((l) => l.address !== '127.0.0.11');
  }

  hasImage(ref: string): boolean {
    return this.rootfsOf(ref) !== undefined;
  }

  checkStartable(c: ContainerRecord): string | undefined {
    const rootfs = this.rootfsOf(c.image);
    if (!rootfs) {
      return `crosstalk: image ${normalizeImageRef(c.image)} has no root filesystem on the linux data plane (built in: busybox, alpine — both backed by the machine's static busybox)`;
    }
    let user: ExecUser;
    try {
      user = this.execUserOf(c);
    } catch (err) {
      return (err as Error).message; // Docker's own text (the daemon resolves the user when it builds the spec)
    }
    const argv0 = this.argvOf(c)[0];
    if (!argv0) return 'failed to create task for container: no command specified';
    if (c.init) {
      // runc starts docker-init, which reports a missing program itself (and exits 127).
      return existsSync(DOCKER_INIT) ? undefined : `crosstalk: --init runs ${DOCKER_INIT} as docker-init (Docker's is tini), and this machine lacks it: apt-get install tini`;
    }
    const problem = this.runtime.execProblem(rootfs, argv0, this.envOf(c, user.home));
    return problem && startExecError(argv0, problem);
  }

  /** `--user` (or the image's USER) in the container's files: its writable layer over the image. */
  private execUserOf(c: ContainerRecord): ExecUser {
    return execUserIn([join(this.dirOf(c.id), 'upper'), this.rootfsOf(c.image)!], c.user ?? '');
  }

  private envOf(c: ContainerRecord, home: string, hostname = c.hostname): string[] {
    const env = [...c.env];
    const has = (k: string) => env.some((e) => e.startsWith(`${k}=`));
    if (!has('PATH')) env.unshift(DEFAULT_PATH);
    env.push(`HOSTNAME=${hostname}`);
    if (c.tty && !has('TERM')) env.push('TERM=xterm');
    if (!has('HOME')) env.push(`HOME=${home}`);
    return env;
  }

  async prepare(engine: Engine, c: ContainerRecord): Promise<void> {
    const old = this.handles.get(c.id);
    if (old) throw new Error(`container ${c.id} still has a running process`);
    const dir = this.dirOf(c.id);
    // A start after a stop keeps what Docker keeps: the container's writable layer and its log
    // (each run appends). The rest (sockets, config, files, overlay work dir) is made anew.
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      if (!KEPT_ACROSS_STARTS.has(name)) rmSync(join(dir, name), { recursive: true, force: true });
    }
    const owner = netnsOwner(engine, c);
    // A container:X container has X's hostname (the engine records it when the start commits).
    const hostname = owner !== c ? owner.hostname : c.hostname;
    const user = this.execUserOf(c);
    const spec: ContainerSpec = {
      id: c.id,
      dir,
      rootfs: this.rootfsOf(c.image)!,
      // --init: Docker's docker-init is tini; PID 1 is `/sbin/docker-init -- ARGV`.
      argv: c.init ? ['/sbin/docker-init', '--', ...this.argvOf(c)] : this.argvOf(c),
      ...(c.init ? { init: DOCKER_INIT } : {}),
      env: this.envOf(c, user.home, hostname),
      workdir: c.workingDir || '/',
      // Always set, root too: the groups are the container's (its /etc/group), not the daemon's.
      user: { uid: user.uid, gid: user.gid, groups: user.groups },
      hostname,
      tty: c.tty,
      openStdin: c.openStdin,
      files: { hosts: hostsFile(engine, c), resolvConf: resolvConf(engine, c), hostname: `${hostname}\n` },
      // Its own netns (and DNS listener), the host's, or the one of the container it joins.
      dnsSocket: owner !== c || owner.networkMode === 'host' ? undefined : this.dnsSocket,
      sharedNetns: owner.networkMode === 'host' ? 'host' : owner !== c ? this.handles.get(owner.id)?.netnsPath : undefined,
    };
    if (owner !== c && !spec.sharedNetns) throw new Error(`cannot join network of a non running container: ${owner.id}`);
    this.dirs.add(c.id);
    const handle = await this.runtime.create(spec);
    this.handles.set(c.id, handle);
    this.files.delete(`${c.id}/hosts`);
    this.files.delete(`${c.id}/resolv.conf`);
  }

  discard(containerId: string): void {
    const h = this.handles.get(containerId);
    if (!h) return;
    this.handles.delete(containerId);
    this.plane.takeDeferred(h.netnsPath);
    this.pendingNetMs.delete(containerId);
    try {
      process.kill(h.shimPid, 'SIGKILL');
    } catch {
      /* gone */
    }
    h.close();
  }

  async launch(containerId: string): Promise<number> {
    const h = this.handles.get(containerId);
    if (!h) throw new Error(`container ${containerId} was not prepared`);
    await Promise.all(this.attachReady.get(containerId) ?? []);
    this.attachReady.delete(containerId);
    const pid = await h.start(this.plane.takeDeferred(h.netnsPath));
    const hostMs = this.pendingNetMs.get(containerId);
    this.pendingNetMs.delete(containerId);
    if (hostMs !== undefined) {
      // One line per container start: the daemon's part plus the container side its shim ran.
      const shimMs = h.netMs ?? 0;
      this.opts.log('debug', 'network sync', { ms: Number((hostMs + shimMs).toFixed(3)), daemon: Number(hostMs.toFixed(3)), shim: shimMs, start: true });
    }
    this.track(containerId, h);
    // The next container's shim and namespace are made now, between the commands.
    this.runtime.warm();
    return pid;
  }

  /** Follows the process to its end, then records the exit (once). */
  private track(id: string, h: ShimHandle): void {
    this.handles.set(id, h);
    this.recorded.set(
      id,
      h.exited.then((code) => {
        this.handles.delete(id);
        this.files.delete(`${id}/hosts`);
        this.files.delete(`${id}/resolv.conf`);
        h.close();
        this.onExit(id, code);
        return code;
      }),
    );
  }

  // ------------------------------------------------------------------ running processes

  isLive(containerId: string): boolean {
    return this.handles.get(containerId)?.pid !== undefined;
  }

  signal(containerId: string, signal: number): void {
    this.handles.get(containerId)?.signal(signal);
  }

  async stop(containerId: string, signal: number, timeoutSeconds: number, onKill: () => void): Promise<number> {
    const h = this.handles.get(containerId);
    const done = this.recorded.get(containerId);
    if (!h || !done) return done ?? 0;
    if (signal !== 9) h.signal(signal);
    const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), signal === 9 ? 0 : timeoutSeconds * 1000))]);
    if (timedOut) {
      onKill();
      h.signal(9);
    }
    return done;
  }

  attach(containerId: string): RealStream {
    const h = this.handles.get(containerId);
    if (!h) throw new Error(`container ${containerId} is not running`);
    const a = h.attach();
    // A client attached before the process starts must see its first output: launch waits for it.
    if (h.pid === undefined && a.ready) {
      const waits = this.attachReady.get(containerId) ?? [];
      waits.push(a.ready.catch(() => {}));
      this.attachReady.set(containerId, waits);
    }
    const decode = decoderFor();
    return {
      onOutput: (cb) => a.onOutput((s, d) => cb(s, decode(s, d))),
      write: (d) => a.write(d),
      closeStdin: () => a.closeStdin(),
      resize: (r, c) => h.resize(r, c),
      detach: () => a.detach(),
    };
  }

  exec(containerId: string, opts: RealExecOptions): RealExec {
    const h = this.handles.get(containerId);
    if (!h || h.pid === undefined) throw new Error(`container ${containerId} is not running`);
    const root = `/proc/${h.pid}/root`;
    let user: ExecUser;
    try {
      user = execUserIn([root], opts.user);
    } catch (err) {
      return failedExec((err as Error).message);
    }
    const env = [...opts.env];
    if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
    if (opts.tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
    if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`);
    const problem = this.runtime.execProblem(root, opts.argv[0], env);
    if (problem) return failedExec(execExecError(opts.argv[0], problem));
    const p = this.runtime.exec(h.pid, { argv: opts.argv, env, workdir: opts.workdir, user: { uid: user.uid, gid: user.gid }, tty: opts.tty, openStdin: opts.openStdin });
    const decode = decoderFor();
    return {
      pid: p.pid,
      exited: p.exited,
      onOutput: (cb) => p.onOutput((s, d) => cb(s, decode(s, d))),
      write: (d) => p.write(d),
      closeStdin: () => p.closeStdin(),
      resize: (r, c) => p.resize(r, c),
      detach: () => {},
      kill: () => p.kill('SIGHUP'),
    };
  }

  logs(containerId: string): RealLogLine[] {
    const dir = this.dirOf(containerId);
    if (!existsSync(dir)) return [];
    return this.runtime.readLogs(dir).map((l) => ({ stream: l.stream === 'stderr' ? 2 : 1, text: l.log, time: l.time }));
  }

  resize(containerId: string, rows: number, cols: number): void {
    this.handles.get(containerId)?.resize(rows, cols);
  }

  /** Timings of the last network sync (bench). */
  networkTimings(): Record<string, number> {
    return this.plane.lastTimings();
  }

  dnsStats(): { queries: number; forwarded: number } {
    return this.dns?.stats() ?? { queries: 0, forwarded: 0 };
  }
}

/** An exec that cannot start: Docker's reason as its output, exit 126 (as the simulator). */
function failedExec(reason: string): RealExec {
  let deliver: ((stream: 1 | 2, data: string) => void) | undefined;
  // moby's postContainerExecStart writes the error to the exec's stdout, ending "\r\n".
  const text = `${reason}\r\n`;
  return {
    pid: 0,
    exited: new Promise((resolve) => setTimeout(() => resolve(126), 0)),
    onOutput: (cb) => {
      deliver = cb;
      setTimeout(() => deliver?.(1, text), 0);
    },
    write: () => {},
    closeStdin: () => {},
    resize: () => {},
    detach: () => (deliver = undefined),
    kill: () => {},
  };
}

/** Images the linux data plane can run, for messages. */
export function linuxImages(): string {
  return [...BUSYBOX_REPOS].map((r) => findImage(r)?.repository ?? r).join(', ');
}
