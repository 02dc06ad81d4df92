/**
 * Attach and exec sessions on a real process: bytes flow both ways unchanged (the pty does the
 * echo and line editing); only the detach keys are watched for, as Docker's escape proxy does.
 */
import type { HijackSession } from '../contract.js';
import type { ApiCore, AttachListener } from '../core.js';
import type { RealExec, RealStream } from '../real-runtime.js';
import type { ExecRecord } from '../types.js';
import { setTimer } from '../stream.js';

/** Watches typed input for the detach sequence across chunks; passes the rest through. */
export class DetachWatcher {
  private matched = 0;

  constructor(
    private readonly keys: string,
    private readonly pass: (data: string) => void,
    private readonly detach: () => void,
  ) {}

  feed(data: string): void {
    let out = '';
    for (const ch of data) {
      if (this.keys && ch === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) {
          if (out) this.pass(out);
          this.matched = 0;
          this.detach();
          return;
        }
        continue;
      }
      if (this.matched > 0) {
        out += this.keys.slice(0, this.matched);
        this.matched = 0;
      }
      out += ch;
    }
    if (out) this.pass(out);
  }
}

interface Streams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** A session on the container's main process (docker attach / docker run -a). */
export class RealAttachSession implements HijackSession, AttachListener {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private out: ((stream: 1 | 2, data: string) => void) | undefined;
  private pending: Array<[1 | 2, string]> = [];
  private stream: RealStream | undefined;
  private finished = false;
  private queued: Array<string | null> = [];
  private readonly watcher: DetachWatcher;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly core: ApiCore,
    private readonly target: { id: string; name: string; image: string; labels: Record<string, string>; tty: boolean; running: boolean },
    private readonly opts: Streams & { logs: boolean; stream: boolean; detachKeys: string },
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.watcher = new DetachWatcher(opts.detachKeys, (d) => this.toProcess(d), () => this.detach());
    if (opts.logs) for (const l of core.real!.logs(target.id)) this.emit(l.stream, l.text);
    if (!opts.stream) return;
    // Register for start/exit first, then connect if it already runs: nothing falls in between.
    this.unsubscribe = core.attach(target.id, this);
    if (target.running && core.real!.isLive(target.id)) this.connect();
  }

  private connect(): void {
    if (this.stream || this.finished) return;
    this.stream = this.core.real!.attach(this.target.id);
    this.stream.onOutput((s, d) => this.emit(s, d));
    for (const item of this.queued.splice(0)) {
      if (item === null) this.stream.closeStdin();
      else this.stream.write(item);
    }
  }

  start(output: (stream: 1 | 2, data: string) => void): void {
    this.out = output;
    for (const [s, d] of this.pending.splice(0)) output(s, d);
    if (!this.opts.stream || (!this.target.running && !this.unsubscribe)) this.finish();
  }

  private emit(stream: 1 | 2, data: string): void {
    if (this.finished) return;
    const s: 1 | 2 = this.target.tty ? 1 : stream;
    if ((s === 1 && !this.opts.stdout) || (s === 2 && !this.opts.stderr)) return;
    if (this.out) this.out(s, data);
    else this.pending.push([s, data]);
  }

  // AttachListener: the API core tells when the container starts and ends.
  output(): void {
    /* real output arrives on the stream */
  }

  started(): void {
    // The process runs once launch() resolved; the stream connects to the shim and buffers until then.
    this.connect();
  }

  ended(): void {
    // Let output already in flight arrive before the connection ends.
    setTimer(() => this.finish(), 50);
  }

  private toProcess(data: string): void {
    if (this.stream) this.stream.write(data);
    else this.queued.push(data);
  }

  input(data: string): void {
    if (this.finished || !this.opts.stdin) return;
    this.watcher.feed(data);
  }

  close(): void {
    if (this.finished || !this.opts.stdin) return;
    if (this.stream) this.stream.closeStdin();
    else this.queued.push(null);
  }

  disconnect(): void {
    this.finish();
  }

  private detach(): void {
    this.core.events.publish(this.core.containerEvent(this.target, 'detach', {}));
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.unsubscribe?.();
    this.stream?.detach();
    this.resolveDone();
  }
}

/** `docker exec` on a real container: a process in all of its namespaces. */
export class RealExecSession implements HijackSession {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private out: ((stream: 1 | 2, data: string) => void) | undefined;
  private pending: Array<[1 | 2, string]> = [];
  private finished = false;
  private readonly watcher: DetachWatcher;

  constructor(
    private readonly rec: ExecRecord,
    private readonly proc: RealExec,
    private readonly onExit: (code: number) => void,
    detachKeys: string,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.watcher = new DetachWatcher(detachKeys, (d) => this.proc.write(d), () => this.finish());
    proc.onOutput((s, d) => this.emit(s, d));
    void proc.exited.then((code) => {
      this.onExit(code);
      // Output written just before the exit may still be on its way.
      setTimer(() => this.finish(), 20);
    });
  }

  start(output: (stream: 1 | 2, data: string) => void): void {
    this.out = output;
    for (const [s, d] of this.pending.splice(0)) output(s, d);
    if (!this.rec.attachStdin) this.proc.closeStdin();
  }

  private emit(stream: 1 | 2, data: string): void {
    if (this.finished) return;
    const s: 1 | 2 = this.rec.tty ? 1 : stream;
    if ((s === 1 && !this.rec.attachStdout) || (s === 2 && !this.rec.attachStderr)) return;
    if (this.out) this.out(s, data);
    else this.pending.push([s, data]);
  }

  input(data: string): void {
    if (this.finished || !this.rec.attachStdin) return;
    this.watcher.feed(data);
  }

  close(): void {
    if (!this.finished) this.proc.closeStdin();
  }

  disconnect(): void {
    // The client is gone: the process gets hung up on, as a terminal closing would.
    if (!this.finished) this.proc.kill();
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.proc.detach();
    this.resolveDone();
  }
}
