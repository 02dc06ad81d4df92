/**
 * `POST /containers/{id}/attach` (hijacked, docker-engine.md §15.5): the client sees what the
 * container prints from now on (and its log with `logs=1`); with `stdin=1` on a `-i` shell
 * container each line typed runs in the simulated shell (a TTY echoes it and prompts `/ # `).
 * Detach keys (default ctrl-p ctrl-q) end the session and leave the container running; end of
 * input ends the shell, so the container exits (docs/decisions.md).
 */
import { invalidParameter } from '../../core/errors.js';
import { SHELLS, mainArgv, shellScriptOf } from '../../sim/argv.js';
import { SimShell } from '../../sim/attach-shell.js';
import { basename } from '../../sim/context.js';
import { NetView } from '../../sim/netview.js';
import { runCommand } from '../../sim/shell.js';
import type { HijackResponse, HijackSession } from '../contract.js';
import { applyEffect, exitContainer, type ApiCore, type AttachListener } from '../core.js';
import type { Route, RouteContext } from '../router.js';
import { MEDIA_MUX, MEDIA_RAW } from '../types.js';
import { versionAtLeast } from '../version.js';
import { containerIo } from './containers.js';
import { RealAttachSession } from './real-sessions.js';

export const PROMPT = '/ # ';

/** A shell reading commands from stdin: `sh`, `ash -i`, `/bin/bash -l` (no script, no file). */
export function isInteractiveShell(argv: string[]): boolean {
  return argv.length > 0 && SHELLS.has(basename(argv[0])) && shellScriptOf(argv) === undefined && argv.slice(1).every((a) => a.startsWith('-'));
}

/** Commands that read standard input when given no file: they run once their input ends. */
export function readsStdin(argv: string[]): boolean {
  const name = basename(argv[0] ?? '');
  const operands = argv.slice(1).filter((a) => !a.startsWith('-'));
  if (name === 'nc' || name === 'tee') return true;
  if (name === 'grep') return operands.length <= 1;
  return ['cat', 'head', 'wc', 'sort'].includes(name) && operands.length === 0;
}

/** term.ToBytes: `ctrl-p,ctrl-q` → "\x10\x11". */
export function parseDetachKeys(spec: string): string {
  if (spec === '') return '\x10\x11';
  let out = '';
  for (const part of spec.split(',')) {
    const m = /^ctrl-(.)$/i.exec(part);
    if (m) {
      const ch = m[1].toLowerCase();
      const special: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };
      if (ch >= 'a' && ch <= 'z') out += String.fromCharCode(ch.charCodeAt(0) - 96);
      else if (ch in special) out += String.fromCharCode(special[ch]);
      else throw invalidParameter(`Invalid detach keys (${spec}) provided`);
    } else if (part.length === 1) out += part;
    else throw invalidParameter(`Invalid detach keys (${spec}) provided`);
  }
  return out;
}

/**
 * What a terminal line discipline does with typed input, enough for a shell prompt: splits it into
 * lines (Enter is `\r` from a raw terminal, `\n` from a pipe) and watches for the detach sequence
 * across chunks, as Docker's escape proxy does. With a TTY it echoes what is typed, erases on
 * backspace, and turns ctrl-C into a fresh line and ctrl-D on an empty line into end of input.
 */
export class InputLines {
  private line = '';
  private matched = 0;
  private lastCr = false;
  private escape = 0;

  constructor(
    private readonly keys: string,
    private readonly handlers: {
      line(text: string): void;
      detach(): void;
      /** ctrl-D on an empty line (TTY). */
      eof?(): void;
      /** ctrl-C (TTY): the line is dropped. */
      interrupt?(): void;
      /** Terminal echo; absent without a TTY. */
      echo?(text: string): void;
      /** What was typed after the last newline, at end of input (default: a line). */
      rest?(text: string): void;
    },
  ) {}

  /** Returns false once the detach sequence was seen (the rest is ignored). */
  feed(data: string): boolean {
    for (const ch of data) {
      if (this.keys && ch === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) {
          this.handlers.detach();
          return false;
        }
        continue;
      }
      if (this.matched > 0) {
        const held = this.keys.slice(0, this.matched);
        this.matched = 0;
        for (const h of held) this.char(h);
      }
      this.char(ch);
    }
    return true;
  }

  private char(ch: string): void {
    const h = this.handlers;
    if (ch === '\n' && this.lastCr) {
      this.lastCr = false;
      return;
    }
    this.lastCr = ch === '\r';
    if (this.escape > 0) {
      // ESC [ A and friends (arrow keys): not line editing the simulation offers.
      this.escape = ch === '[' && this.escape === 1 ? 2 : 0;
      return;
    }
    if (ch === '\r' || ch === '\n') {
      const l = this.line;
      this.line = '';
      h.echo?.('\r\n');
      h.line(l);
      return;
    }
    if (h.echo) {
      if (ch === '\x1b') {
        this.escape = 1;
        return;
      }
      if (ch === '\x7f' || ch === '\b') {
        if (this.line.length) {
          this.line = [...this.line].slice(0, -1).join('');
          h.echo('\b \b');
        }
        return;
      }
      if (ch === '\x03') {
        this.line = '';
        h.echo('^C\r\n');
        h.interrupt?.();
        return;
      }
      if (ch === '\x04') {
        if (this.line === '') h.eof?.();
        return;
      }
      if (ch < ' ' && ch !== '\t') return;
      h.echo(ch);
    }
    this.line += ch;
  }

  /** End of input: a last line without a newline still counts. */
  end(): void {
    if (this.line !== '') {
      const l = this.line;
      this.line = '';
      (this.handlers.rest ?? this.handlers.line)(l);
    }
  }
}

/** A pseudo-terminal's output processing (ONLCR): `\n` goes out as `\r\n`. */
export function onlcr(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

interface AttachTarget {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  tty: boolean;
  openStdin: boolean;
  status: string;
  logs: string;
  interactive: boolean;
  /** The main process reads stdin to its end (`docker run -i alpine cat`). */
  reader: string[] | undefined;
}

interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  logs: boolean;
  stream: boolean;
  detachKeys: string;
}

export class AttachSession implements HijackSession, AttachListener {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private out: ((stream: 1 | 2, data: string) => void) | undefined;
  private pending: Array<[1 | 2, string]> = [];
  private finished = false;
  private endAfterStart = false;
  private running: boolean;
  private unsubscribe: (() => void) | undefined;
  private readonly lines: InputLines;
  private readerInput = '';
  /** Input (null: its end) that arrived before the container started. */
  private queued: Array<string | null> = [];

  constructor(
    private readonly core: ApiCore,
    private readonly target: AttachTarget,
    private readonly opts: AttachOptions,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.running = target.status === 'running';
    const tty = target.tty && (target.interactive || !!target.reader) && target.openStdin;
    this.lines = new InputLines(opts.detachKeys, {
      line: (l) => this.line(l),
      detach: () => this.detach(),
      eof: () => this.close(),
      interrupt: () => this.core.deliver(target.id, 1, PROMPT),
      echo: tty ? (text) => this.core.deliver(target.id, 1, text) : undefined,
      rest: (text) => (target.reader ? (this.readerInput += text) : this.line(text)),
    });
    if (opts.logs && target.logs) this.emit(1, target.logs);
    if (!opts.stream || target.status === 'exited') this.endAfterStart = true;
    else this.unsubscribe = core.attach(target.id, this);
  }

  start(output: (stream: 1 | 2, data: string) => void): void {
    this.out = output;
    for (const [s, d] of this.pending.splice(0)) output(s, d);
    if (this.endAfterStart) return this.finish();
    if (this.running && this.shellTty()) this.emit(1, PROMPT);
  }

  private shellTty(): boolean {
    return this.target.interactive && this.target.openStdin && this.target.tty && this.opts.stdin;
  }

  private emit(stream: 1 | 2, data: string): void {
    if (this.finished) return;
    const s: 1 | 2 = this.target.tty ? 1 : stream;
    if ((s === 1 && !this.opts.stdout) || (s === 2 && !this.opts.stderr)) return;
    const text = this.target.tty ? onlcr(data) : data;
    if (this.out) this.out(s, text);
    else this.pending.push([s, text]);
  }

  // AttachListener
  output(stream: 1 | 2, text: string): void {
    this.emit(stream, text);
  }

  started(): void {
    this.running = true;
    if (this.shellTty()) this.emit(1, PROMPT);
    for (const item of this.queued.splice(0)) {
      if (item === null) this.close();
      else this.lines.feed(item);
    }
  }

  ended(): void {
    this.running = false;
    this.finish();
  }

  input(data: string): void {
    if (this.finished || !this.opts.stdin) return;
    // Typed before the container started (`docker run -i` sends stdin at once): no terminal yet.
    if (!this.running && this.target.status !== 'exited') this.queued.push(data);
    else this.lines.feed(data);
  }

  close(): void {
    if (this.finished || !this.opts.stdin) return;
    if (!this.running && this.target.status !== 'exited') {
      this.queued.push(null);
      return;
    }
    this.lines.end();
    if (this.target.openStdin && this.target.reader) return this.runReader();
    if (!this.target.openStdin || !this.target.interactive) return;
    // End of input ends the shell; the container exits with it.
    this.guard(() =>
      this.core.write((tx) => {
        const c = tx.engine.containers.get(this.target.id);
        if (c) exitContainer(tx.engine, c, 0);
      }),
    );
  }

  disconnect(): void {
    this.finish();
  }

  /** A stdin-reading main process got its input's end: it runs on what it read, then exits. */
  private runReader(): void {
    const argv = this.target.reader!;
    const stdin = this.readerInput;
    this.readerInput = '';
    this.guard(() =>
      this.core.write((tx) => {
        const c = tx.engine.containers.get(this.target.id);
        if (!c || c.status !== 'running') return;
        const io = { ...containerIo(tx, c), stdin, tty: this.target.tty, effect: (e: Parameters<typeof applyEffect>[1]) => applyEffect(tx, e) };
        exitContainer(tx.engine, c, runCommand(new NetView(tx.engine), c, argv, io));
      }),
    );
  }

  private line(text: string): void {
    if (this.target.reader && this.target.openStdin) {
      this.readerInput += `${text}\n`;
      return;
    }
    if (!this.target.interactive || !this.target.openStdin || !this.running) return;
    const tty = this.target.tty;
    this.guard(() =>
      this.core.write((tx) => {
        const c = tx.engine.containers.get(this.target.id);
        if (!c || c.status !== 'running') return;
        const io = { ...containerIo(tx, c), tty, effect: (e: Parameters<typeof applyEffect>[1]) => applyEffect(tx, e) };
        const res = new SimShell(new NetView(tx.engine), c, io).runLine(text);
        if (res.exited) exitContainer(tx.engine, c, res.exitCode ?? 0);
        else if (tty) tx.output(c.id, 1, PROMPT);
      }),
    );
  }

  private detach(): void {
    this.core.events.publish(this.core.containerEvent(this.target, 'detach', {}));
    this.finish();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.core.log('error', 'attach: command failed', { container: this.target.id, error: (err as Error).message });
      this.emit(2, `crosstalk: ${(err as Error).message}\n`);
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.unsubscribe?.();
    this.resolveDone();
  }
}

function attach(ctx: RouteContext): HijackResponse {
  const q = ctx.query;
  const detachKeys = parseDetachKeys(q.get('detachKeys'));
  ctx.core.ensurePolling();
  const target = ctx.core.read((engine): AttachTarget => {
    const c = engine.findContainer(ctx.params.id);
    const argv = mainArgv(c);
    return { id: c.id, name: c.name, image: c.image, labels: c.labels, tty: c.tty, openStdin: c.openStdin, status: c.status, logs: c.logs, interactive: isInteractiveShell(argv), reader: readsStdin(argv) ? argv : undefined };
  });
  if (ctx.core.real) {
    const session = new RealAttachSession(ctx.core, { ...target, running: target.status === 'running' }, { stdin: q.bool('stdin'), stdout: q.bool('stdout'), stderr: q.bool('stderr'), logs: q.bool('logs'), stream: q.bool('stream'), detachKeys });
    ctx.core.events.publish(ctx.core.containerEvent(target, 'attach', {}));
    const multiplexed = !target.tty;
    return { kind: 'hijack', contentType: multiplexed && versionAtLeast(ctx.version, '1.42') ? MEDIA_MUX : MEDIA_RAW, multiplexed, session };
  }
  const session = new AttachSession(ctx.core, target, { stdin: q.bool('stdin'), stdout: q.bool('stdout'), stderr: q.bool('stderr'), logs: q.bool('logs'), stream: q.bool('stream'), detachKeys });
  ctx.core.events.publish(ctx.core.containerEvent(target, 'attach', {}));
  const multiplexed = !target.tty;
  return { kind: 'hijack', contentType: multiplexed && versionAtLeast(ctx.version, '1.42') ? MEDIA_MUX : MEDIA_RAW, multiplexed, session };
}

export const ATTACH_ROUTES: Route[] = [{ method: 'POST', path: '/containers/{id}/attach', handler: attach }];
