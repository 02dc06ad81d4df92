/**
 * Executes parsed shell scripts (script.ts) the way busybox ash would, delegating each simple
 * command to a `leaf` (the applets in shell.ts). A leaf may return KEEPS_RUNNING: the command
 * does not end by itself (a server, `sleep`, `tail -f`), so the script blocks there for good.
 *
 * Loops: the simulated world does not change while a loop spins, so a loop whose condition still
 * holds after `loopLimit` iterations would spin forever; it then counts as KEEPS_RUNNING (in a
 * container's main process that means the container stays up, e.g. `until nc -z db 5432; do
 * sleep 1; done` waiting for a database that never comes).
 */
import { KEEPS_RUNNING, absPath, type ShellState } from './context.js';
import type { Command, List, Pipeline, Redirect, SimpleCommand, Word } from './script.js';

export interface Streams {
  stdin: string | null;
  out(s: string): void;
  err(s: string): void;
}

export type Leaf = (argv: string[], streams: Streams, env: Map<string, string>) => number;

export class ExitSignal {
  constructor(readonly code: number) {}
}

class LoopSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}

type Sink = 'out' | 'err' | 'null' | { file: string; append: boolean };

export class Interp {
  constructor(
    private readonly shell: ShellState,
    private readonly leaf: Leaf,
    private readonly opts: { loopLimit: number; files: Map<string, string> },
  ) {}

  /** Runs a whole script; `exit` ends it with its code. */
  runScript(list: List, streams: Streams): number {
    try {
      return this.runList(list, streams);
    } catch (e) {
      if (e instanceof ExitSignal) {
        this.shell.exited = true;
        return e.code;
      }
      if (e instanceof LoopSignal) return this.shell.lastStatus;
      throw e;
    }
  }

  runList(list: List, streams: Streams): number {
    let status = this.shell.lastStatus;
    for (const item of list.items) {
      if (item.background) {
        // A background job runs alongside; if it is long-running it simply keeps going.
        const s = this.runAndOr(item.andOr, { ...streams, stdin: null });
        this.shell.lastStatus = 0;
        status = 0;
        void s;
        continue;
      }
      status = this.runAndOr(item.andOr, streams);
      if (status === KEEPS_RUNNING) return KEEPS_RUNNING;
      this.shell.lastStatus = status;
    }
    return status;
  }

  private runAndOr(ao: List['items'][number]['andOr'], streams: Streams): number {
    let status = this.runPipeline(ao.first, streams);
    if (status === KEEPS_RUNNING) return status;
    for (const r of ao.rest) {
      this.shell.lastStatus = status;
      if ((r.op === '&&' && status !== 0) || (r.op === '||' && status === 0)) continue;
      status = this.runPipeline(r.pipeline, streams);
      if (status === KEEPS_RUNNING) return status;
    }
    return status;
  }

  private runPipeline(p: Pipeline, streams: Streams): number {
    let stdin = streams.stdin;
    let status = 0;
    for (let i = 0; i < p.commands.length; i++) {
      const last = i === p.commands.length - 1;
      let captured = '';
      const s: Streams = last ? { ...streams, stdin } : { stdin, out: (x) => (captured += x), err: streams.err };
      status = this.runCommand(p.commands[i], s);
      if (status === KEEPS_RUNNING && last) return status;
      stdin = captured;
    }
    if (p.negate) status = status === 0 ? 1 : 0;
    return status;
  }

  private runCommand(cmd: Command, streams: Streams): number {
    const s = this.applyRedirects(cmd.redirects, streams);
    if (typeof s === 'number') return s;
    switch (cmd.type) {
      case 'simple':
        return this.runSimple(cmd, s);
      case 'group':
        if (!cmd.subshell) return this.runList(cmd.body, s);
        return this.subshell(() => this.runList(cmd.body, s));
      case 'if': {
        for (const b of cmd.branches) {
          const c = this.runList(b.cond, s);
          if (c === KEEPS_RUNNING) return c;
          if (c === 0) return this.runList(b.body, s);
        }
        return cmd.otherwise ? this.runList(cmd.otherwise, s) : 0;
      }
      case 'loop':
        return this.runLoop(cmd.until, cmd.cond, cmd.body, s);
    }
  }

  private subshell(fn: () => number): number {
    const saved = new Map(this.shell.env);
    try {
      return fn();
    } catch (e) {
      if (e instanceof ExitSignal) return e.code;
      throw e;
    } finally {
      this.shell.env.clear();
      for (const [k, v] of saved) this.shell.env.set(k, v);
    }
  }

  private runLoop(until: boolean, cond: List, body: List, streams: Streams): number {
    let status = 0;
    for (let iteration = 0; ; iteration++) {
      const c = this.runList(cond, streams);
      if (c === KEEPS_RUNNING) return c;
      if ((c === 0) === until) return status;
      if (iteration >= this.opts.loopLimit) return KEEPS_RUNNING;
      try {
        status = this.runList(body, streams);
      } catch (e) {
        if (e instanceof LoopSignal) {
          if (e.kind === 'break') return 0;
          continue;
        }
        throw e;
      }
      if (status === KEEPS_RUNNING) return status;
    }
  }

  private runSimple(cmd: SimpleCommand, streams: Streams): number {
    const env = new Map<string, string>();
    for (const a of cmd.assigns) env.set(a.name, this.expand(a.value, streams));
    const argv: string[] = [];
    for (const w of cmd.words) {
      const text = this.expand(w, streams);
      const allUnquotedExpansions = w.every((p) => p.kind !== 'lit' && !p.quoted);
      if (text === '' && allUnquotedExpansions) continue;
      argv.push(text);
    }
    if (argv.length === 0) {
      for (const [k, v] of env) this.shell.env.set(k, v);
      return 0;
    }
    switch (argv[0]) {
      case 'exit': {
        const code = argv[1] === undefined ? this.shell.lastStatus : Number(argv[1]);
        if (!Number.isInteger(code)) {
          streams.err(`sh: exit: Illegal number: ${argv[1]}\n`);
          throw new ExitSignal(2);
        }
        throw new ExitSignal(code & 255);
      }
      case 'break':
      case 'continue':
        throw new LoopSignal(argv[0]);
      case 'export':
        for (const a of argv.slice(1)) {
          const eq = a.indexOf('=');
          if (eq > 0) this.shell.env.set(a.slice(0, eq), a.slice(eq + 1));
        }
        return 0;
      case 'unset':
        for (const a of argv.slice(1)) this.shell.env.delete(a);
        return 0;
      case ':':
      case 'cd':
      case 'set':
      case 'wait':
      case 'trap':
      case 'shift':
        return 0;
    }
    return this.leaf(argv, streams, env);
  }

  /** Redirections (order matters: `>/dev/null 2>&1` silences both). */
  private applyRedirects(redirects: Redirect[], streams: Streams): Streams | number {
    if (redirects.length === 0) return streams;
    const fds = new Map<number, Sink>([
      [1, 'out'],
      [2, 'err'],
    ]);
    let stdin = streams.stdin;
    for (const r of redirects) {
      const raw = this.expand(r.target, streams);
      const target = r.op === '>&' || r.op === '<&' || raw.startsWith('/dev/') ? raw : absPath(raw);
      if (r.op === '<') {
        if (target === '/dev/null') stdin = '';
        else if (this.opts.files.has(target)) stdin = this.opts.files.get(target)!;
        else {
          streams.err(`sh: can't open '${target}': No such file or directory\n`);
          return 1;
        }
      } else if (r.op === '<&') {
        continue;
      } else if (r.op === '>&') {
        const n = Number(target);
        if (target === '-') fds.set(r.fd, 'null');
        else if (Number.isInteger(n) && fds.has(n)) fds.set(r.fd, fds.get(n)!);
        else {
          streams.err(`sh: ${target}: bad file descriptor\n`);
          return 1;
        }
      } else if (target === '/dev/null') fds.set(r.fd, 'null');
      else if (target === '/dev/stderr') fds.set(r.fd, 'err');
      else if (target === '/dev/stdout') fds.set(r.fd, 'out');
      else {
        if (r.op === '>' || !this.opts.files.has(target)) this.opts.files.set(target, '');
        fds.set(r.fd, { file: target, append: true });
      }
    }
    const sinkFn = (sink: Sink | undefined): ((s: string) => void) => {
      if (sink === 'out') return streams.out;
      if (sink === 'err') return streams.err;
      if (sink === 'null' || sink === undefined) return () => {};
      const files = this.opts.files;
      return (s) => files.set(sink.file, (files.get(sink.file) ?? '') + s);
    };
    return { stdin, out: sinkFn(fds.get(1)), err: sinkFn(fds.get(2)) };
  }

  expand(word: Word, streams: Streams): string {
    let out = '';
    for (const p of word) {
      if (p.kind === 'lit') out += p.text;
      else if (p.kind === 'var') out += this.expandVar(p, streams);
      else {
        let captured = '';
        const status = this.subshell(() => this.runList(p.script, { stdin: null, out: (x) => (captured += x), err: streams.err }));
        this.shell.lastStatus = status === KEEPS_RUNNING ? 0 : status;
        out += captured.replace(/\n+$/, '');
      }
    }
    return out;
  }

  private expandVar(p: Extract<Word[number], { kind: 'var' }>, streams: Streams): string {
    let value: string | undefined;
    switch (p.name) {
      case '?':
        value = String(this.shell.lastStatus);
        break;
      case '$':
        value = '1';
        break;
      case '#':
        value = '0';
        break;
      case '0':
        value = 'sh';
        break;
      default:
        value = this.shell.env.get(p.name);
    }
    const arg = () => (p.arg ? this.expand(p.arg, streams) : '');
    switch (p.op) {
      case ':-':
        return value ? value : arg();
      case '-':
        return value !== undefined ? value : arg();
      case ':=':
      case '=':
        if (p.op === ':=' ? !value : value === undefined) {
          value = arg();
          this.shell.env.set(p.name, value);
        }
        return value ?? '';
      case ':+':
        return value ? arg() : '';
      case '+':
        return value !== undefined ? arg() : '';
      default:
        return value ?? '';
    }
  }
}
