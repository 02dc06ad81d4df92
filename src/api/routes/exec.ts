/**
 * `docker exec`: create an instance, start it over a hijacked connection (the command runs in
 * the simulated container in one transaction, its side effects on other containers included),
 * read its exit code from `GET /exec/{id}/json`. An interactive shell (`exec -it c sh`) runs
 * line by line like an attached shell; end of input ends it.
 */
import { EngineError, invalidParameter, notFound } from '../../core/errors.js';
import type { ContainerRecord } from '../../engine/model.js';
import { SimShell } from '../../sim/attach-shell.js';
import { NetView } from '../../sim/netview.js';
import { runCommand } from '../../sim/shell.js';
import { userProblem } from '../../sim/users.js';
import type { ApiResponse, HijackSession } from '../contract.js';
import { applyEffect, type ApiCore } from '../core.js';
import { emptyResponse, jsonResponse } from '../errors.js';
import { Fields } from '../json.js';
import type { Route, RouteContext } from '../router.js';
import { MEDIA_MUX, MEDIA_RAW, type ExecInspect, type ExecRecord } from '../types.js';
import { versionAtLeast } from '../version.js';
import { RealExecSession } from './real-sessions.js';
import { InputLines, isInteractiveShell, onlcr, parseDetachKeys, PROMPT, readsStdin } from './attach.js';

/** Finished exec instances kept for `GET /exec/{id}/json`; older ones are forgotten. */
const KEEP_FINISHED = 1000;

function execEvent(core: ApiCore, c: Pick<ContainerRecord, 'id' | 'name' | 'image' | 'labels'>, action: string, extra: Record<string, string>) {
  return core.containerEvent(c, action, extra);
}

function create(ctx: RouteContext): ApiResponse {
  const f = Fields.of(ctx.body(), 'ExecOptions', 'container.ExecOptions');
  const argv = f.strSlice('Cmd') ?? [];
  const rec = {
    tty: f.bool('Tty') ?? false,
    attachStdin: f.bool('AttachStdin') ?? false,
    attachStdout: f.bool('AttachStdout') ?? false,
    attachStderr: f.bool('AttachStderr') ?? false,
    detachKeys: f.str('DetachKeys') ?? '',
    user: f.str('User') ?? '',
    privileged: f.bool('Privileged') ?? false,
  };
  const env = f.strList('Env') ?? [];
  const workdir = f.str('WorkingDir') ?? '';
  if (rec.detachKeys) parseDetachKeys(rec.detachKeys);
  const c = ctx.core.read((engine) => engine.findContainer(ctx.params.id));
  if (c.status !== 'running') throw new EngineError('conflict', `container ${c.id} is not running`);
  if (argv.length === 0) throw invalidParameter('No exec command specified');
  const id = ctx.core.newExecId();
  ctx.core.execs.set(id, { id, containerId: c.id, argv, ...rec, env, workdir, running: false, exitCode: null, pid: 0, started: false });
  forgetOld(ctx.core);
  ctx.core.events.publish(execEvent(ctx.core, c, `exec_create: ${argv.join(' ')}`, { execID: id }));
  return jsonResponse(201, { Id: id });
}

function forgetOld(core: ApiCore): void {
  const finished = [...core.execs.values()].filter((e) => e.exitCode !== null);
  for (const e of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) core.execs.delete(e.id);
}

function lookup(core: ApiCore, id: string): ExecRecord {
  const rec = core.execs.get(id);
  if (!rec) throw notFound(`No such exec instance: ${id}`);
  return rec;
}

class ExecSession implements HijackSession {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private out: ((stream: 1 | 2, data: string) => void) | undefined;
  private pending: Array<[1 | 2, string]> = [];
  private finished = false;
  private readonly lines: InputLines;
  private stdinText = '';
  private readonly mode: 'shell' | 'stdin' | 'run';

  constructor(
    private readonly core: ApiCore,
    private readonly rec: ExecRecord,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.lines = new InputLines(parseDetachKeys(rec.detachKeys), {
      line: (l) => this.line(l),
      detach: () => this.finish(null),
      eof: () => this.finish(0),
      interrupt: () => this.emit(1, PROMPT),
      echo: rec.tty ? (text) => this.emit(1, text) : undefined,
    });
    this.mode = rec.attachStdin && isInteractiveShell(rec.argv) ? 'shell' : rec.attachStdin && readsStdin(rec.argv) ? 'stdin' : 'run';
  }

  start(output: (stream: 1 | 2, data: string) => void): void {
    this.out = output;
    for (const [s, d] of this.pending.splice(0)) output(s, d);
    // An interactive shell never reaches runCommand's check: refuse an unknown `-u` here.
    const badUser = this.mode !== 'run' && this.rec.user ? this.core.read((e) => {
      const c = e.containers.get(this.rec.containerId);
      return c && userProblem(c, this.rec.user);
    }) : undefined;
    if (badUser) {
      this.emit(1, `${badUser}\r\n`);
      this.finish(126);
      return;
    }
    if (this.mode === 'run') this.run(undefined);
    else if (this.mode === 'shell' && this.rec.tty) this.emit(1, PROMPT);
  }

  emit(stream: 1 | 2, data: string): void {
    if (this.finished) return;
    const s: 1 | 2 = this.rec.tty ? 1 : stream;
    if ((s === 1 && !this.rec.attachStdout) || (s === 2 && !this.rec.attachStderr)) return;
    const text = this.rec.tty ? onlcr(data) : data;
    if (this.out) this.out(s, text);
    else this.pending.push([s, text]);
  }

  input(data: string): void {
    if (this.finished || !this.rec.attachStdin) return;
    if (this.mode === 'shell') this.lines.feed(data);
    else if (this.mode === 'stdin') this.stdinText += data;
  }

  close(): void {
    if (this.finished) return;
    if (this.mode === 'shell') {
      this.lines.end();
      if (!this.finished) this.finish(0);
    } else if (this.mode === 'stdin') this.run(this.stdinText);
  }

  disconnect(): void {
    if (this.finished) return;
    // The process would get EOF/SIGHUP: a shell ends, a command waiting for input runs on what it got.
    if (this.mode === 'stdin') this.run(this.stdinText);
    else this.finish(this.mode === 'shell' ? 0 : null);
  }

  /** Runs the command now (output buffered by the transaction, delivered after commit). */
  run(stdin: string | undefined): void {
    const buffered: Array<[1 | 2, string]> = [];
    let code: number;
    try {
      code = this.core.write((tx) => {
        const c = tx.engine.containers.get(this.rec.containerId);
        if (!c || c.status !== 'running') {
          buffered.push([2, `Error response from daemon: container ${this.rec.containerId} is not running\n`]);
          return 126;
        }
        const io = {
          stdout: (s: string) => buffered.push([1, s]),
          stderr: (s: string) => buffered.push([2, s]),
          stdin,
          tty: this.rec.tty,
          effect: (e: Parameters<typeof applyEffect>[1]) => applyEffect(tx, e),
          user: this.rec.user || undefined,
        };
        return runCommand(new NetView(tx.engine), c, this.rec.argv, io);
      });
    } catch (err) {
      this.core.log('error', 'exec: command failed', { exec: this.rec.id, error: (err as Error).message });
      buffered.push([2, `crosstalk: ${(err as Error).message}\n`]);
      code = 126;
    }
    for (const [s, d] of buffered) this.emit(s, d);
    this.finish(code);
  }

  private line(text: string): void {
    if (this.finished) return;
    const tty = this.rec.tty;
    const buffered: Array<[1 | 2, string]> = [];
    let exited: number | undefined;
    try {
      this.core.write((tx) => {
        const c = tx.engine.containers.get(this.rec.containerId);
        if (!c || c.status !== 'running') {
          exited = 126;
          return;
        }
        const io = {
          stdout: (s: string) => buffered.push([1, s]),
          stderr: (s: string) => buffered.push([2, s]),
          tty,
          effect: (e: Parameters<typeof applyEffect>[1]) => applyEffect(tx, e),
          user: this.rec.user || undefined,
        };
        const res = new SimShell(new NetView(tx.engine), c, io, this.rec.argv[0]).runLine(text);
        if (res.exited) exited = res.exitCode ?? 0;
      });
    } catch (err) {
      buffered.push([2, `crosstalk: ${(err as Error).message}\n`]);
    }
    for (const [s, d] of buffered) this.emit(s, d);
    if (exited !== undefined) this.finish(exited);
    else if (tty) this.emit(1, PROMPT);
  }

  /** `null`: detached or gone; the instance keeps "running" as a detached process would. */
  finish(code: number | null): void {
    if (this.finished) return;
    this.finished = true;
    if (code !== null) {
      this.rec.exitCode = code;
      this.rec.running = false;
      const c = this.core.read((e) => e.containers.get(this.rec.containerId));
      if (c) this.core.events.publish(execEvent(this.core, c, 'exec_die', { execID: this.rec.id, exitCode: String(code) }));
    }
    this.resolveDone();
  }
}

function start(ctx: RouteContext): ApiResponse {
  const f = Fields.of(ctx.body(), 'ExecStartCheck', 'container.ExecStartOptions');
  const detach = f.bool('Detach') ?? false;
  f.bool('Tty');
  const rec = lookup(ctx.core, ctx.params.id);
  if (rec.exitCode !== null || (rec.started && !rec.running)) throw new EngineError('conflict', `Error: Exec command ${rec.id} has already run`);
  if (rec.running) throw new EngineError('conflict', `Error: Exec command ${rec.id} is already running`);
  const c = ctx.core.read((engine) => engine.containers.get(rec.containerId));
  if (!c) throw notFound(`No such container: ${rec.containerId}`);
  if (c.status !== 'running') throw new EngineError('conflict', `container ${c.id} is not running`);
  rec.started = true;
  rec.running = true;
  if (ctx.core.real) return startRealExec(ctx, rec, c, detach);
  rec.pid = ctx.core.nextPid();
  ctx.core.events.publish(execEvent(ctx.core, c, `exec_start: ${rec.argv.join(' ')}`, { execID: rec.id }));
  const session = new ExecSession(ctx.core, rec);
  if (detach) {
    // Detached: nothing is attached, the command runs to completion now.
    session.start(() => {});
    session.close();
    return emptyResponse(200);
  }
  const multiplexed = !rec.tty;
  return { kind: 'hijack', contentType: multiplexed && versionAtLeast(ctx.version, '1.42') ? MEDIA_MUX : MEDIA_RAW, multiplexed, session };
}

function startRealExec(ctx: RouteContext, rec: ExecRecord, c: ContainerRecord, detach: boolean): ApiResponse {
  const core = ctx.core;
  const env = [...c.env, ...rec.env];
  // Docker's defaults for an exec: the container's user and working directory.
  const proc = core.real!.exec(c.id, { argv: rec.argv, env, tty: rec.tty, openStdin: rec.attachStdin && !detach, workdir: rec.workdir || c.workingDir || '/', user: rec.user || c.user || '' });
  rec.pid = proc.pid;
  core.events.publish(execEvent(core, c, `exec_start: ${rec.argv.join(' ')}`, { execID: rec.id }));
  const onExit = (code: number) => {
    rec.exitCode = code;
    rec.running = false;
    core.events.publish(execEvent(core, c, 'exec_die', { execID: rec.id, exitCode: String(code) }));
  };
  const session = new RealExecSession(rec, proc, onExit, parseDetachKeys(rec.detachKeys));
  rec.resize = (h, w) => proc.resize(h, w);
  if (detach) {
    session.start(() => {});
    return emptyResponse(200);
  }
  const multiplexed = !rec.tty;
  return { kind: 'hijack', contentType: multiplexed && versionAtLeast(ctx.version, '1.42') ? MEDIA_MUX : MEDIA_RAW, multiplexed, session };
}

function inspect(ctx: RouteContext): ApiResponse {
  const rec = lookup(ctx.core, ctx.params.id);
  const [entrypoint, ...args] = rec.argv;
  const body: ExecInspect = {
    ID: rec.id,
    Running: rec.running,
    ExitCode: rec.exitCode,
    ProcessConfig: { tty: rec.tty, entrypoint, arguments: args, privileged: rec.privileged, ...(rec.user ? { user: rec.user } : {}) },
    OpenStdin: rec.attachStdin,
    OpenStderr: rec.attachStderr,
    OpenStdout: rec.attachStdout,
    CanRemove: false,
    ContainerID: rec.containerId,
    DetachKeys: rec.detachKeys,
    Pid: rec.pid,
  };
  return jsonResponse(200, body);
}

function resize(ctx: RouteContext): ApiResponse {
  for (const key of ['h', 'w']) {
    const v = ctx.query.get(key);
    if (!/^[+-]?\d+$/.test(v)) throw invalidParameter(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  const rec = lookup(ctx.core, ctx.params.id);
  rec.resize?.(Number(ctx.query.get('h')), Number(ctx.query.get('w')));
  return emptyResponse(200);
}

export const EXEC_ROUTES: Route[] = [
  { method: 'POST', path: '/containers/{id}/exec', handler: create },
  { method: 'POST', path: '/exec/{id}/start', handler: start },
  { method: 'GET', path: '/exec/{id}/json', handler: inspect },
  { method: 'POST', path: '/exec/{id}/resize', handler: resize },
];
