/**
 * The daemon's side of one shim: a control connection (line JSON, replies in request order,
 * unsolicited `{"event":"exit"}`), and attach connections (binary frames). See shim.py's header.
 */
import { connect, type Socket } from 'node:net';
import { constants, } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FrameDecoder, encodeFrame, type AddressAdvertisement, type AttachStream, type ShimHandle, type StartNetwork } from './types.js';

interface Reply {
  ok: boolean;
  error?: string;
  [k: string]: unknown;
}

export function signalNumber(sig: NodeJS.Signals | number): number {
  if (typeof sig === 'number') return sig;
  const n = constants.signals[sig];
  if (n === undefined) throw new Error(`unknown signal ${sig}`);
  return n;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Connects to a unix socket; rejects on error. */
function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

export function readExitFile(dir: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(join(dir, 'exit'), 'utf8'), 10);
    return Number.isNaN(n) ? undefined : n;
  } catch {
    return undefined;
  }
}

export class ShimClient implements ShimHandle {
  private pending: Array<(r: Reply) => void> = [];
  private buf = '';
  private closed = false;
  private exitCode: number | undefined;
  private resolveExit!: (code: number) => void;
  readonly exited: Promise<number>;
  pid: number | undefined;

  private constructor(
    readonly id: string,
    readonly dir: string,
    readonly shimPid: number,
    readonly netnsPath: string,
    private readonly sock: Socket,
  ) {
    this.exited = new Promise((r) => (this.resolveExit = r));
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => this.onData(chunk));
    sock.on('error', () => {}); // 'close' follows and does the work
    sock.on('close', () => this.onClose());
  }

  /** Connects to the shim of `dir` and reads its status. */
  static async connect(id: string, dir: string, shimPid: number, netnsPath: string): Promise<ShimClient> {
    const sock = await connectUnix(join(dir, 'shim.sock'));
    const client = new ShimClient(id, dir, shimPid, netnsPath, sock);
    const st = await client.request({ cmd: 'status' });
    if (typeof st.pid === 'number') client.pid = st.pid;
    if (typeof st.exitCode === 'number') client.setExit(st.exitCode);
    return client;
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(this.buf.slice(0, nl)) as Reply & { event?: string; exitCode?: number };
      this.buf = this.buf.slice(nl + 1);
      if (msg.event === 'exit') this.setExit(msg.exitCode ?? 0);
      else this.pending.shift()?.(msg);
    }
  }

  private onClose(): void {
    for (const p of this.pending.splice(0)) p({ ok: false, error: 'connection to the shim lost' });
    if (this.exitCode !== undefined) return this.resolveExit(this.exitCode);
    if (this.closed) return;
    // The shim went away without telling us: it wrote the exit file, or it was killed, and then
    // PDEATHSIG + unshare --kill-child took the container with it (reported as SIGKILL, 137).
    const code = readExitFile(this.dir);
    const settle = () => this.setExit(readExitFile(this.dir) ?? 137);
    if (code !== undefined || !processAlive(this.shimPid)) settle();
    else {
      const t = setInterval(() => {
        if (!processAlive(this.shimPid)) {
          clearInterval(t);
          settle();
        }
      }, 20);
    }
  }

  /**
   * Records the exit code; `exited` resolves when the shim has also closed our connection, i.e.
   * finished its cleanup (shim.sock and shim.json gone), so remove() right after works.
   */
  private setExit(code: number): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    if (this.sock.destroyed || this.closed) this.resolveExit(code);
    else setTimeout(() => this.resolveExit(code), 2000).unref(); // a shim stuck in its final flush
  }

  request(msg: Record<string, unknown>): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.sock.destroyed) return reject(new Error('connection to the shim is closed'));
      this.pending.push((r) => (r.ok ? resolve(r) : reject(new Error(r.error ?? 'shim error'))));
      this.sock.write(`${JSON.stringify(msg)}\n`);
    });
  }

  netMs: number | undefined;

  async start(net?: StartNetwork): Promise<number> {
    const r = await this.request(net && (net.host.length || net.container.length) ? { cmd: 'start', net } : { cmd: 'start' });
    this.netMs = typeof r.netMs === 'number' ? r.netMs : undefined;
    this.pid = r.pid as number;
    return this.pid;
  }

  signal(sig: NodeJS.Signals | number): void {
    this.request({ cmd: 'signal', signal: signalNumber(sig) }).catch(() => {}); // gone already: nothing to signal
  }

  advertise(addresses: AddressAdvertisement[]): void {
    if (addresses.length) this.request({ cmd: 'advertise', addresses }).catch(() => {}); // gone: nobody to announce
  }

  async stop(timeoutSeconds: number, sig: NodeJS.Signals = 'SIGTERM'): Promise<number> {
    if (this.exitCode !== undefined) return this.exitCode;
    if (this.pid === undefined) {
      // Never started: nothing to stop but the shim (and with it the netns). Docker keeps exit code 0.
      try {
        process.kill(this.shimPid, 'SIGKILL');
      } catch {}
      this.setExit(0);
      return 0;
    }
    this.signal(sig);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), Math.max(0, timeoutSeconds) * 1000))),
    ]);
    clearTimeout(timer);
    if (timedOut) this.signal('SIGKILL');
    return this.exited;
  }

  resize(rows: number, cols: number): void {
    this.request({ cmd: 'resize', rows, cols }).catch(() => {});
  }

  attach(): AttachStream & { ready: Promise<void> } {
    return new ShimAttach(join(this.dir, 'shim.sock'));
  }

  close(): void {
    this.closed = true;
    this.sock.destroy();
  }
}

/**
 * One attach connection. Output that arrives before onOutput() is registered is kept and
 * delivered then; `ready` resolves once the shim has registered us (attach before start, as
 * `docker run -it` does, then sees all output).
 */
class ShimAttach implements AttachStream {
  readonly ready: Promise<void>;
  private sock: Socket | undefined;
  private queue: Buffer[] = [];
  private cbs: Array<(stream: 1 | 2, data: Buffer) => void> = [];
  private early: Array<[1 | 2, Buffer]> = [];
  private detached = false;

  constructor(path: string) {
    const decoder = new FrameDecoder((stream, data) => {
      if (stream === 1 || stream === 2) {
        if (this.cbs.length === 0) this.early.push([stream, data]);
        for (const cb of this.cbs) cb(stream, data);
      } else if (stream === 3) {
        const ev = JSON.parse(data.toString()) as { event?: string };
        if (ev.event === 'attached') resolveReady();
      }
    });
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
    this.ready.catch(() => {});
    connectUnix(path).then(
      (s) => {
        this.sock = s;
        if (this.detached) return void s.end();
        s.on('data', (c: Buffer) => decoder.push(c));
        s.on('error', () => {});
        s.on('close', () => rejectReady(new Error('attach connection closed')));
        s.write('{"cmd":"attach"}\n');
        for (const b of this.queue.splice(0)) s.write(b);
      },
      (err: Error) => rejectReady(err),
    );
  }

  private send(b: Buffer): void {
    if (this.sock) this.sock.write(b);
    else this.queue.push(b);
  }

  onOutput(cb: (stream: 1 | 2, data: Buffer) => void): void {
    this.cbs.push(cb);
    for (const [s, d] of this.early.splice(0)) cb(s, d);
  }

  write(data: Buffer | string): void {
    this.send(encodeFrame(0, Buffer.isBuffer(data) ? data : Buffer.from(data)));
  }

  closeStdin(): void {
    this.send(encodeFrame(3, Buffer.from('{"closeStdin":true}')));
  }

  detach(): void {
    this.detached = true;
    this.sock?.end();
    this.queue = [];
  }
}

export function shimAliveFor(dir: string, pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => a.endsWith('shim.py')) && cmdline.includes(dir);
  } catch {
    return false;
  }
}

export function readShimInfo(dir: string): { pid: number; netns: string } | undefined {
  const f = join(dir, 'shim.json');
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as { pid: number; netns: string };
  } catch {
    return undefined;
  }
}

// Some callers import the runtime from here; runtime.ts is its home (it only uses ShimClient
// inside methods, so this import cycle is harmless).
export { LinuxContainerRuntime } from './runtime.js';
