/**
 * `crosstalkd`: the Docker Engine API daemon. Composition: SQLite state (the same store the CLI
 * uses, so a restart finds every network and container), one long-lived EngineHost, the API app,
 * HTTP on unix sockets / loopback TCP, a pid file, JSON logs on stderr, clean SIGTERM/SIGINT.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiApp } from '../api/app.js';
import { EngineHost } from '../cli/engine-host.js';
import { CryptoRandom, systemClock } from '../core/ports.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { createLogger, type Logger } from './daemon/log.js';
import { parseDaemonArgs, USAGE, type DaemonOptions, type Listen } from './daemon/options.js';
import { createApiServer, type ApiServer } from './daemon/server.js';
import { LinuxDataPlane } from './linux/data-plane.js';
import { readHostModel } from './linux/host-model.js';
import { destroySandbox, linuxSupport, openSandbox, SANDBOX_RESOLVER } from './linux/sandbox-host.js';

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'crosstalk') return pkg.version ?? 'unknown';
      } catch {
        /* keep looking */
      }
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

/** Is something answering on this unix socket? (A stale file from a crashed daemon is not.) */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed daemon its parent has not reaped yet is a zombie: not running.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function listen(api: ApiServer, target: Listen, log: Logger): Promise<string> {
  if (target.kind === 'unix') {
    const dir = dirname(target.path);
    mkdirSync(dir, { recursive: true, mode: process.getuid?.() === 0 ? 0o755 : 0o700 });
    if (existsSync(target.path)) {
      if (await socketInUse(target.path)) throw new Error(`${target.path} is in use: another daemon is listening there`);
      if (!statSync(target.path).isSocket()) throw new Error(`${target.path} exists and is not a socket`);
      unlinkSync(target.path);
    }
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(target.path, () => {
        api.server.off('error', reject);
        resolve();
      });
    });
    chmodSync(target.path, 0o660);
    log('info', `API listen on ${target.path}`);
    return `unix://${target.path}`;
  }
  await new Promise<void>((resolve, reject) => {
    api.server.once('error', reject);
    api.server.listen(target.port, target.host, () => {
      api.server.off('error', reject);
      resolve();
    });
  });
  log('info', `API listen on ${target.host}:${target.port}`);
  return `tcp://${target.host}:${target.port}`;
}

async function main(): Promise<number> {
  let opts: DaemonOptions;
  try {
    opts = parseDaemonArgs(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`crosstalkd: ${(err as Error).message}\nSee 'crosstalkd --help'.\n`);
    return 125;
  }
  const version = packageVersion();
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.sandbox && opts.dataPlane === 'sim') opts.dataPlane = 'linux';
  const planeName = opts.dataPlane === 'linux' ? (opts.sandbox ? 'linux (sandbox)' : 'linux') : 'sim';
  if (opts.version) {
    process.stdout.write(`crosstalkd version ${version} (Docker Engine API 1.50, data plane: ${planeName})\n`);
    return 0;
  }
  if (opts.dataPlane !== 'sim' && opts.dataPlane !== 'linux') {
    process.stderr.write(`crosstalkd: unknown data plane "${opts.dataPlane}" (expected sim or linux)\n`);
    return 125;
  }
  const linuxRoot = join(opts.stateDir, 'linux');
  if (opts.cleanup) {
    if (!opts.sandbox) {
      process.stderr.write('crosstalkd: --cleanup works with --sandbox only (it never touches the machine\'s own namespace)\n');
      return 125;
    }
    await destroySandbox(linuxRoot);
    for (const t of opts.listen) if (t.kind === 'unix' && existsSync(t.path) && !(await socketInUse(t.path))) rmSync(t.path, { force: true });
    if (existsSync(opts.pidfile)) {
      const pid = Number.parseInt(readFileSync(opts.pidfile, 'utf8').trim(), 10);
      if (!Number.isFinite(pid) || !pidAlive(pid)) rmSync(opts.pidfile, { force: true });
    }
    process.stdout.write('crosstalkd: sandbox cleaned up\n');
    return 0;
  }
  if (opts.dataPlane === 'linux' && !opts.sandbox && !opts.hostNamespace) {
    process.stderr.write(
      "crosstalkd: --data-plane linux changes this machine's network (bridges, veths and nftables rules in its own namespace); add --sandbox to run it inside a private network namespace, or --host-namespace to really change this machine\n",
    );
    return 125;
  }
  if (opts.sandbox && opts.hostNamespace) {
    process.stderr.write('crosstalkd: --sandbox and --host-namespace exclude each other\n');
    return 125;
  }
  if (opts.dataPlane === 'linux') {
    const why = linuxSupport();
    if (why) {
      process.stderr.write(`crosstalkd: ${why}\n`);
      return 1;
    }
  }
  const log = createLogger(opts.logLevel);

  // Pid file first: a second daemon on the same state must not start.
  if (existsSync(opts.pidfile)) {
    const pid = Number.parseInt(readFileSync(opts.pidfile, 'utf8').trim(), 10);
    if (Number.isFinite(pid) && pid !== process.pid && pidAlive(pid)) {
      log('error', `pid file found, ensure crosstalkd is not running or delete ${opts.pidfile}`, { pid });
      return 1;
    }
  }
  mkdirSync(dirname(opts.pidfile), { recursive: true });
  writeFileSync(opts.pidfile, `${process.pid}\n`);

  let store: SqliteStore | undefined;
  let plane: LinuxDataPlane | undefined;
  let sandboxRoot: string | undefined;
  const api: ApiServer[] = [];
  let app: ReturnType<typeof createApiApp> | undefined;
  const sockets: string[] = [];
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    for (const s of sockets) rmSync(s, { force: true });
    try {
      if (existsSync(opts.pidfile) && readFileSync(opts.pidfile, 'utf8').trim() === String(process.pid)) rmSync(opts.pidfile, { force: true });
    } catch {
      /* already gone */
    }
    app?.close();
    try {
      store?.close();
    } catch {
      /* closing twice */
    }
  };

  const shutdownPlane = async () => {
    try {
      await plane?.shutdown(!!sandboxRoot);
    } catch (err) {
      log('warn', 'data plane shutdown failed', { error: (err as Error).message });
    }
    if (sandboxRoot) await destroySandbox(sandboxRoot);
  };

  try {
    store = new SqliteStore(opts.stateDir);
    const seed = process.env.CROSSTALK_SEED ? Number(process.env.CROSSTALK_SEED) : undefined;
    const host = new EngineHost({ store, clock: systemClock, random: new CryptoRandom(), profile: opts.compat, seed });
    // Loads (or creates) the state now: a profile mismatch is a startup error, not a 500 later.
    const profile = host.read((e) => e.profile.name);
    if (opts.dataPlane === 'linux') {
      const sandbox = opts.sandbox ? await openSandbox(linuxRoot) : undefined;
      sandboxRoot = sandbox ? linuxRoot : undefined;
      // A sandbox's resolver is its own (NXDOMAIN for every name), not the machine's.
      const hostModel = { ...readHostModel(sandbox?.netnsPath), ...(sandbox ? { nameservers: [SANDBOX_RESOLVER], searchDomains: [] } : {}) };
      host.write((e) => e.setHost({ ...e.host, ...hostModel }));
      plane = new LinuxDataPlane({
        root: linuxRoot,
        netnsPath: sandbox?.netnsPath,
        shimScript: join(dirname(fileURLToPath(import.meta.url)), 'shim.py'),
        dnsUpstreams: opts.dnsUpstreams ?? (sandbox ? [] : (hostModel.nameservers ?? [])),
        // A sandbox has no outside: unknown names do not exist there (unless --dns-upstream none).
        dnsNoUpstream: sandbox && opts.dnsUpstreams === undefined ? 'nxdomain' : 'servfail',
        log,
      });
      await plane.start(host);
      log('info', 'linux data plane ready', { sandbox: sandbox?.netnsPath ?? 'none (the machine\'s own namespace)' });
    }
    app = createApiApp({
      host,
      log,
      real: plane,
      info: {
        crosstalkVersion: version,
        dataPlane: planeName,
        name: hostname(),
        kernelVersion: release(),
        arch: GO_ARCH[arch()] ?? arch(),
        ncpu: cpus().length,
        memTotal: totalmem(),
        rootDir: opts.stateDir,
        runtime: `Node.js ${process.version}`,
      },
    });
    for (const target of opts.listen) {
      const server = createApiServer(app, log, join(opts.stateDir, 'tmp'));
      api.push(server);
      const addr = await listen(server, target, log);
      if (target.kind === 'unix') sockets.push(target.path);
      log('debug', 'listening', { addr });
    }
    // As dockerd does at boot: containers whose restart policy covers how they ended (a daemon
    // shutdown stopped them, or they exited while it was down) start again.
    void app.startPolicyContainers();
    log('info', 'Daemon has completed initialization', { version, dataPlane: planeName, profile, stateDir: opts.stateDir, pid: process.pid });
  } catch (err) {
    log('error', `crosstalkd: ${(err as Error).message}`);
    await Promise.all(api.map((a) => a.close()));
    await shutdownPlane();
    cleanup();
    return 1;
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log('info', 'Processing signal', { signal });
      const force = setTimeout(() => {
        cleanup();
        resolve(0);
      }, plane ? 15_000 : 5_000);
      force.unref();
      Promise.all(api.map((a) => a.close()))
        // Restart policies first: the containers the shutdown stops must not be started again.
        .then(() => app?.close())
        .then(shutdownPlane)
        .finally(() => {
        clearTimeout(force);
        cleanup();
        log('info', 'Daemon shutdown complete');
        resolve(0);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('exit', cleanup);
  });
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`crosstalkd: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
