/**
 * Starts dist/crosstalkd.js (run `npm run build` first) on a private unix socket with a private
 * state directory; raw HTTP helpers for requests and hijacked connections. Every daemon started
 * here is killed and its directory removed when the test process exits, even after a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DAEMON_JS = join(ROOT, 'dist', 'crosstalkd.js');

const live = new Set<{ child: ChildProcess; dir: string }>();
process.on('exit', () => {
  for (const d of live) {
    try {
      d.child.kill('SIGKILL');
    } catch {
      /* gone */
    }
    rmSync(d.dir, { recursive: true, force: true });
  }
});

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any;
}

export function http(socketPath: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      { socketPath, method, path, agent: false, headers: { ...(data === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(data)) }), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => (text += s));
        res.on('end', () => {
          let json: any;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A raw connection: write a request by hand, read what comes back. */
export class RawConn {
  readonly socket: Socket;
  data = Buffer.alloc(0);
  ended = false;
  private waiters: Array<() => void> = [];

  constructor(socketPath: string) {
    this.socket = connect(socketPath);
    this.socket.on('data', (c: Buffer) => {
      this.data = Buffer.concat([this.data, c]);
      this.wake();
    });
    this.socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    this.socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    this.socket.on('error', () => undefined);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  text(): string {
    return this.data.toString('latin1');
  }

  /** Waits until the received bytes satisfy `pred` (or the connection ended). */
  async until(pred: (text: string) => boolean, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!pred(this.text())) {
      if (this.ended) throw new Error(`connection ended before the expected output; got ${JSON.stringify(this.text())}`);
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.text())}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.text();
  }

  async closed(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

/** Splits a multiplexed body into [stream, text] frames. */
export function demux(buf: Buffer): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    if (i + 8 + len > buf.length) break;
    out.push([buf[i], buf.subarray(i + 8, i + 8 + len).toString('utf8')]);
    i += 8 + len;
  }
  return out;
}

export interface Daemon {
  dir: string;
  socket: string;
  stateDir: string;
  pidfile: string;
  child: ChildProcess;
  logs(): string;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** SIGTERM and wait for the exit; keeps the directory (for restarts). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the daemon if needed and removes its directory. */
  cleanup(): Promise<void>;
}

/** Runs crosstalkd to completion (flag errors and the like). */
export function runDaemonCommand(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DAEMON_JS, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

export async function startDaemon(opts: { dir?: string; args?: string[]; env?: Record<string, string> } = {}): Promise<Daemon> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'ct-api-'));
  const socket = join(dir, 'crosstalk.sock');
  const stateDir = join(dir, 'state');
  const pidfile = join(dir, 'crosstalkd.pid');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(DOCKER_|CROSSTALK_)/.test(k)) env[k] = v;
  const child = spawn(process.execPath, [DAEMON_JS, '-H', `unix://${socket}`, '--state-dir', stateDir, '--pidfile', pidfile, ...(opts.args ?? [])], {
    env: { ...env, ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const entry = { child, dir };
  live.add(entry);
  let logs = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (logs += s));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((r) =>
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      r();
    }),
  );
  const daemon: Daemon = {
    dir,
    socket,
    stateDir,
    pidfile,
    child,
    logs: () => logs,
    api: (m, p, b, h) => http(socket, m, p, b, h),
    async stop(signal = 'SIGTERM') {
      if (!exit) {
        child.kill(signal);
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      live.delete(entry);
      return exit!;
    },
    async cleanup() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exit) {
      await daemon.cleanup();
      throw new Error(`crosstalkd exited during startup (${exit.code}):\n${logs}`);
    }
    if (existsSync(socket)) {
      try {
        if ((await http(socket, 'GET', '/_ping')).status === 200) return daemon;
      } catch {
        /* not yet */
      }
    }
    if (Date.now() > deadline) {
      await daemon.cleanup();
      throw new Error(`crosstalkd did not answer on ${socket}:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 30));
  }
}
