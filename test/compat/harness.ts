/**
 * Harness for the third-party-client conformance suites (test/compat): starts a fresh crosstalkd
 * (dist/crosstalkd.js) on a private unix socket with a private state directory, runs the real
 * `docker` CLI / docker-compose / any client against it, and tears everything down again (SIGTERM,
 * socket removed, temp dirs deleted), also when a test fails or the test process exits early.
 *
 * Nothing here talks to anything but the unix socket this harness created.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DAEMON_JS = join(ROOT, 'dist', 'crosstalkd.js');
export const CLI_JS = join(ROOT, 'bin', 'crosstalk.js');
const PTY_DRIVER = join(ROOT, 'test', 'compat', 'pty-run.py');

export interface RunResult {
  code: number;
  out: string;
  err: string;
}

export interface RunOptions {
  /** Written to stdin, then stdin is closed. */
  input?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** Absolute path of an executable on PATH, or undefined. */
export function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, bin);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Why a suite cannot run here (a missing tool), or undefined when it can. With
 * CROSSTALK_COMPAT_REQUIRED=1 (set by .ci/run) a missing tool is an error instead of a skip, so
 * CI never silently skips a conformance suite.
 */
export function missing(...bins: string[]): string | undefined {
  const reasons: string[] = [];
  if (!existsSync(DAEMON_JS)) reasons.push(`${DAEMON_JS} not built (npm run build)`);
  for (const b of bins) if (!which(b)) reasons.push(`\`${b}\` not installed (.ci/run installs it)`);
  if (!reasons.length) return undefined;
  const reason = reasons.join('; ');
  if (process.env.CROSSTALK_COMPAT_REQUIRED === '1') throw new Error(`compat suite cannot run: ${reason}`);
  return reason;
}

/** The environment for client processes: no DOCKER_, CROSSTALK_ or COMPOSE_ variables leak in from the user shell. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(DOCKER_|CROSSTALK_|COMPOSE_)/.test(k)) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs a program to completion, collecting stdout and stderr separately. */
export function run(file: string, args: string[], opts: RunOptions & { env: Record<string, string> }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${opts.timeoutMs ?? 60_000} ms: ${file} ${args.join(' ')}\nstdout: ${out}\nstderr: ${err}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), out, err });
    });
    child.stdin.on('error', () => undefined); // the program may exit without reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

export interface PtyStep {
  /** Bytes typed into the terminal (use `\r` for Enter, `\x10\x11` for ctrl-p ctrl-q). */
  send: string;
  /** Wait until the output since this step's input matches (JS regex source), then until idle. */
  expect?: string;
}

export interface PtyResult extends RunResult {
  /** The program did not exit within the timeout after the last step and was killed. */
  timedOut: boolean;
  /** A step's `expect` was not seen in time (the step index), or -1. */
  stalledAt: number;
}

/**
 * Runs a program with stdin and stdout on a pseudo-terminal (stderr stays a pipe), as a person
 * typing at a terminal: waits until the program has switched the terminal to raw mode, then
 * types each step once the previous output has arrived. Needs python3 (pty module).
 */
export function runPty(file: string, args: string[], steps: PtyStep[], opts: { env: Record<string, string>; timeoutMs?: number }): Promise<PtyResult> {
  const spec = JSON.stringify({ argv: [file, ...args], steps, timeoutMs: opts.timeoutMs ?? 20_000, idleMs: 300, rows: 24, cols: 80 });
  return run('python3', [PTY_DRIVER, spec], { env: opts.env, timeoutMs: (opts.timeoutMs ?? 20_000) * 3 }).then((r) => {
    if (r.code !== 0) throw new Error(`pty driver failed (${r.code}): ${r.err}`);
    const res = JSON.parse(r.out) as { out: string; err: string; code: number; timedOut: boolean; stalledAt: number };
    return { code: res.code, out: res.out, err: res.err, timedOut: res.timedOut, stalledAt: res.stalledAt };
  });
}

/** A raw HTTP request on a unix socket (status, headers, body). */
export function httpUnix(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: data === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => (text += s));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

export interface DaemonOptions {
  /** `--compat legacy` (Engine 24–27 behaviour: MACs from IPs, as in the seed transcript). */
  compat?: 'legacy';
  /** Extra environment for the daemon (e.g. CROSSTALK_SEED). */
  env?: Record<string, string>;
  /** Extra daemon flags. */
  args?: string[];
}

export interface Daemon {
  readonly dir: string;
  readonly socket: string;
  readonly stateDir: string;
  readonly pidfile: string;
  /** `unix:///…/crosstalk.sock` */
  readonly host: string;
  /** Environment for docker clients: DOCKER_HOST and a private, empty DOCKER_CONFIG. */
  readonly clientEnv: Record<string, string>;
  /** The daemon's stderr so far (structured logs). */
  logs(): string;
  /** The real docker CLI against this daemon. */
  docker(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** The real docker CLI on a pseudo-terminal (attach, run -it). */
  dockerPty(args: string[], steps: PtyStep[], opts?: { timeoutMs?: number }): Promise<PtyResult>;
  /** Any client program with this daemon's environment. */
  client(file: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Raw API request. */
  api(method: string, path: string, body?: unknown): ReturnType<typeof httpUnix>;
  /** SIGTERM, wait for exit, check the socket is gone, remove temp dirs. Idempotent. */
  stop(): Promise<StopReport>;
}

export interface StopReport {
  code: number | null;
  signal: NodeJS.Signals | null;
  socketRemoved: boolean;
  pidfileRemoved: boolean;
  /** Had to SIGKILL: the daemon did not exit within 10 s of SIGTERM. */
  killed: boolean;
}

/** Stops the daemon and asserts it shut down cleanly: exit 0 on SIGTERM, socket and pid file removed. */
export async function stopCleanly(daemon: Daemon): Promise<void> {
  const report = await daemon.stop();
  assert.ok(report.socketRemoved, 'crosstalkd left its socket behind after SIGTERM');
  assert.ok(!report.killed, 'crosstalkd did not exit within 10 s of SIGTERM');
  assert.ok(report.pidfileRemoved, 'crosstalkd left its pid file behind after SIGTERM');
  assert.equal(report.code, 0, `crosstalkd exit status after SIGTERM: ${report.code ?? report.signal}`);
}

const live = new Set<{ child: ChildProcess; dir: string }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a test process ends without running its `after` hooks.
  const killAll = () => {
    for (const d of live) {
      try {
        d.child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
      rmSync(d.dir, { recursive: true, force: true });
    }
    live.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig);
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts a fresh crosstalkd on a temp socket and waits until `GET /_ping` answers. */
export async function startDaemon(opts: DaemonOptions = {}): Promise<Daemon> {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'ct-compat-'));
  const socket = join(dir, 'crosstalk.sock');
  const stateDir = join(dir, 'state');
  const pidfile = join(dir, 'crosstalkd.pid');
  const dockerConfig = join(dir, 'docker-config');
  mkdirSync(stateDir);
  mkdirSync(dockerConfig);
  const args = [DAEMON_JS, '-H', `unix://${socket}`, '--state-dir', stateDir, '--pidfile', pidfile];
  if (opts.compat) args.push('--compat', opts.compat);
  // CROSSTALK_COMPAT_LOG=debug logs every request to the daemon's stderr (daemon.logs()).
  if (process.env.CROSSTALK_COMPAT_LOG) args.push('--log-level', process.env.CROSSTALK_COMPAT_LOG);
  args.push(...(opts.args ?? []));
  const child = spawn(process.execPath, args, { env: cleanEnv(opts.env ?? {}), stdio: ['ignore', 'ignore', 'pipe'] });
  const entry = { child, dir };
  live.add(entry);
  let logs = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (logs += s));
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitedP = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );

  const host = `unix://${socket}`;
  const clientEnv = cleanEnv({ DOCKER_HOST: host, DOCKER_CONFIG: dockerConfig });
  let stopped: StopReport | undefined;

  const daemon: Daemon = {
    dir,
    socket,
    stateDir,
    pidfile,
    host,
    clientEnv,
    logs: () => logs,
    docker: (a, o = {}) => run('docker', a, { ...o, env: { ...clientEnv, ...(o.env as Record<string, string>) } }),
    dockerPty: (a, steps, o = {}) => runPty('docker', a, steps, { env: clientEnv, timeoutMs: o.timeoutMs }),
    client: (file, a, o = {}) => run(file, a, { ...o, env: { ...clientEnv, ...(o.env as Record<string, string>) } }),
    api: (method, path, body) => httpUnix(socket, method, path, body),
    async stop() {
      if (stopped) return stopped;
      let killed = false;
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, 10_000);
        await exitedP;
        clearTimeout(t);
      }
      const socketRemoved = !existsSync(socket);
      const pidfileRemoved = !existsSync(pidfile);
      stopped = { code: exited!.code, signal: exited!.signal, socketRemoved, pidfileRemoved, killed };
      live.delete(entry);
      rmSync(dir, { recursive: true, force: true });
      return stopped;
    },
  };

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) {
      const msg = `crosstalkd exited during startup (code ${exited.code}, signal ${exited.signal}):\n${logs}`;
      await daemon.stop();
      throw new Error(msg);
    }
    if (existsSync(socket)) {
      try {
        const r = await httpUnix(socket, 'GET', '/_ping');
        if (r.status === 200) break;
      } catch {
        /* not listening yet */
      }
    }
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new Error(`crosstalkd did not answer GET /_ping on ${socket} within 20 s:\n${logs}`);
    }
    await sleep(50);
  }
  return daemon;
}

/**
 * The crosstalk CLI in embedded mode (no daemon): its own temp state dir and no DOCKER_HOST /
 * CROSSTALK_HOST, so it cannot find any daemon. `seed` makes IDs and timings deterministic.
 */
export function embeddedCli(opts: { seed?: number } = {}): {
  dir: string;
  run(args: string[], o?: RunOptions): Promise<RunResult>;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'ct-compat-cli-'));
  const env = cleanEnv({
    CROSSTALK_STATE_DIR: dir,
    CROSSTALK_SEED: opts.seed === undefined ? undefined : String(opts.seed),
    // No daemon named; for non-root users the default socket moves into this temp dir too.
    // (Root's default /run/crosstalk/crosstalk.sock cannot be moved: callers check `crosstalk info`.)
    XDG_RUNTIME_DIR: join(dir, 'no-runtime-dir'),
  });
  return {
    dir,
    run: (args, o = {}) => run(process.execPath, [CLI_JS, ...args], { ...o, env: { ...env, ...(o.env as Record<string, string>) } }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// ---------------------------------------------------------------------------------------------
// Normalisation for comparing two runs whose IDs, times and ping timings differ.

/** Go's units.HumanDuration, as `docker ps` prints ages. */
const AGE = '(?:Less than a second|About a minute|About an hour|\\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?))';

/**
 * Replaces what legitimately differs between two runs of the same steps: 64- and 12-hex IDs,
 * RFC 3339 times, ping round-trip times, `docker ps` ages, CRLF from a terminal, and the column
 * padding that depends on those widths.
 */
export function normalize(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\b[0-9a-f]{64}\b/g, '<ID>')
    .replace(/\b[0-9a-f]{12}\b/g, '<ID12>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<TIME>')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \w+/g, '<TIME>')
    .replace(/time=\d+(\.\d+)? ms/g, 'time=<T> ms')
    .replace(/min\/avg\/max = [\d./]+ ms/g, 'min/avg/max = <T> ms')
    .replace(new RegExp(`\\b${AGE} ago\\b`, 'g'), '<AGO>')
    .replace(new RegExp(`\\bUp ${AGE}\\b`, 'g'), 'Up <AGE>')
    .replace(new RegExp(`\\bExited \\((\\d+)\\) <AGO>`, 'g'), 'Exited ($1) <AGO>');
}

/** normalize() plus collapsing table padding (widths depend on the replaced cells). */
export function normalizeTable(text: string): string {
  return normalize(text)
    .split('\n')
    .map((l) => l.replace(/ {2,}/g, '  ').trimEnd())
    .join('\n');
}

const ID_KEY = /^[0-9a-f]{64}$|^<ID>$/;

/**
 * Canonical JSON for comparing inspect output across runs: IDs replaced, and maps keyed by IDs
 * (e.g. a network's `Containers`, whose order follows the random IDs) sorted by their values.
 */
export function canonicalJson(text: string): string {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return normalize(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length && entries.every(([k]) => ID_KEY.test(k))) {
        return { '<ID-keyed>': entries.map(([, x]) => JSON.stringify(walk(x))).sort().map((s) => JSON.parse(s)) };
      }
      return Object.fromEntries(entries.map(([k, x]) => [normalize(k), walk(x)]));
    }
    return v;
  };
  return JSON.stringify(walk(JSON.parse(text)), null, 4);
}

/** Lines of normalize(text), sorted: same formatting, whatever the order of ID-keyed entries. */
export function sortedLines(text: string): string[] {
  return normalize(text)
    .split('\n')
    .map((l) => l.replace(/,$/, ''))
    .sort();
}

export function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** True when `python3 -c 'import pty'` works (needed for runPty). */
export function havePty(): boolean {
  return spawnSync('python3', ['-c', 'import pty, termios'], { stdio: 'ignore' }).status === 0;
}
