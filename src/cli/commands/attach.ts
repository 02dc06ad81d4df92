/**
 * `docker exec`, `docker attach` and the interactive shell of `run -it`. Each command (each shell
 * line) is one transaction: it reads the current state, and what it does to other containers
 * (a busybox `nc -l` server exiting after one connection, access logs) is saved with it.
 */
import { EngineError } from '../../core/errors.js';
import { markExited, removeContainer } from '../../engine/containers.js';
import { NetView } from '../../sim/netview.js';
import { SimShell } from '../../sim/attach-shell.js';
import { applySimEffect } from '../../sim/runtime.js';
import { runCommand, type ExecIo } from '../../sim/shell.js';
import type { Engine } from '../../engine/engine.js';
import type { ContainerRecord } from '../../engine/model.js';
import { bool, type ParsedArgs } from '../args.js';
import { CliError, type CommandContext, type CommandSpec } from '../command.js';

const DETACH = '\x10\x11';

/**
 * Runs `fn` inside container `id` in one write transaction, applying the command's side effects.
 * With a terminal (`-t`) stdout and stderr are one stream, as through a real pty.
 */
function inContainer<T>(ctx: CommandContext, id: string, tty: boolean, fn: (view: NetView, c: ContainerRecord, io: ExecIo) => T): T {
  return ctx.host.write((engine: Engine) => {
    const err = tty ? (s: string) => ctx.io.stdout(s) : (s: string) => ctx.io.stderr(s);
    const io: ExecIo = { stdout: (s) => ctx.io.stdout(s), stderr: err, effect: (e) => applySimEffect(engine, e) };
    return fn(new NetView(engine), engine.containers.get(id)!, io);
  });
}

export async function interactiveShell(ctx: CommandContext, id: string, opts: { autoRemove: boolean; tty: boolean }): Promise<number> {
  for (;;) {
    const alive = ctx.host.read((engine) => engine.containers.get(id)?.status === 'running');
    if (!alive) return 0;
    ctx.io.stdout('/ # ');
    const line = await ctx.io.readLine();
    const detachAt = line === null ? -1 : line.indexOf(DETACH);
    if (detachAt >= 0) {
      ctx.io.stdout('\n');
      ctx.io.stderr('read escape sequence\n');
      return 0;
    }
    let exitCode: number | undefined;
    if (line === null) exitCode = 0;
    else {
      // A pseudo-terminal echoes what is typed.
      ctx.io.stdout(`${line}\n`);
      const res = inContainer(ctx, id, opts.tty, (view, c, io) => new SimShell(view, c, io).runLine(line));
      if (res.exited) exitCode = res.exitCode ?? 0;
    }
    if (exitCode !== undefined) {
      ctx.host.write((engine) => {
        const c = engine.containers.get(id);
        if (!c || c.status !== 'running') return;
        markExited(engine, c, exitCode!);
        if (opts.autoRemove || c.autoRemove) removeContainer(engine, id, { force: true });
      });
      return exitCode;
    }
  }
}

const exec: CommandSpec = {
  path: 'docker exec',
  use: 'docker exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Execute a command in a running container',
  aliases: ['docker container exec'],
  flags: [
    { name: 'detach', short: 'd', kind: 'bool' },
    { name: 'detach-keys', kind: 'string' },
    { name: 'env', short: 'e', kind: 'list' },
    { name: 'env-file', kind: 'list' },
    { name: 'interactive', short: 'i', kind: 'bool' },
    { name: 'privileged', kind: 'bool' },
    { name: 'tty', short: 't', kind: 'bool' },
    { name: 'user', short: 'u', kind: 'string' },
    { name: 'workdir', short: 'w', kind: 'string' },
  ],
  interspersed: false,
  args: { min: 2 },
  async run(ctx, p: ParsedArgs) {
    const [ref, ...argv] = p.positionals;
    if (bool(p, 'tty') && bool(p, 'interactive') && !ctx.io.stdinIsTty) {
      ctx.io.stderr('the input device is not a TTY\n');
      return 1;
    }
    const interactiveShellCmd = bool(p, 'interactive') && argv.length === 1 && /^(\/bin\/)?(sh|ash|bash)$/.test(argv[0]);
    const id = ctx.host.read((engine) => {
      const c = engine.findContainer(ref);
      if (c.status !== 'running') throw new EngineError('conflict', `container ${c.id} is not running`);
      return c.id;
    });
    if (bool(p, 'detach')) return 0;
    if (interactiveShellCmd) {
      for (;;) {
        ctx.io.stdout('/ # ');
        const line = await ctx.io.readLine();
        if (line === null) return 0;
        ctx.io.stdout(`${line}\n`);
        const res = inContainer(ctx, id, bool(p, 'tty'), (view, c, io) => new SimShell(view, c, io).runLine(line));
        if (res.exited) return res.exitCode ?? 0;
      }
    }
    return inContainer(ctx, id, bool(p, 'tty'), (view, c, io) => runCommand(view, c, argv, io));
  },
};

const attach: CommandSpec = {
  path: 'docker attach',
  use: 'docker attach [OPTIONS] CONTAINER',
  short: 'Attach local standard input, output, and error streams to a running container',
  aliases: ['docker container attach'],
  flags: [
    { name: 'detach-keys', kind: 'string' },
    { name: 'no-stdin', kind: 'bool' },
    { name: 'sig-proxy', kind: 'bool' },
  ],
  args: { exact: 1 },
  async run(ctx, p) {
    const c = ctx.host.read((engine) => engine.findContainer(p.positionals[0]));
    if (c.status !== 'running') throw new CliError('You cannot attach to a stopped container, start it first');
    if (!c.openStdin || bool(p, 'no-stdin')) {
      if (c.logs) ctx.io.stdout(c.logs);
      return 0;
    }
    return interactiveShell(ctx, c.id, { autoRemove: c.autoRemove, tty: c.tty });
  },
};

export const ATTACH_COMMANDS: Record<string, CommandSpec> = { exec, attach };
