/**
 * `docker exec` and `docker attach` over the Engine API: hijacked streams carry what the
 * container prints and what the user types; ctrl-p ctrl-q detaches.
 */
import { bool, list, str, type ParsedArgs } from '../args.js';
import type { HijackedStream } from '../client/api-client.js';
import { CliError, type CommandContext, type CommandSpec } from '../command.js';

const DETACH = '\x10\x11';
const enc = encodeURIComponent;

/**
 * Feeds stdin lines into an attached session until the session ends, stdin ends (the shell then
 * gets EOF and exits, as in Docker) or the user types the detach keys. Returns true on detach.
 */
export async function pumpSession(ctx: CommandContext, session: HijackedStream): Promise<boolean> {
  let finished = false;
  void session.done.then(() => (finished = true));
  for (;;) {
    const line = await Promise.race([ctx.io.readLine(), session.done.then(() => undefined)]);
    if (line === undefined || finished) return false;
    if (line === null) {
      session.close();
      return false;
    }
    const at = line.indexOf(DETACH);
    if (at >= 0) {
      session.input(line.slice(0, at + DETACH.length));
      await session.done;
      ctx.io.stderr('read escape sequence\n');
      return true;
    }
    session.input(`${line}\n`);
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
    const tty = bool(p, 'tty');
    const interactive = bool(p, 'interactive');
    if (tty && interactive && !ctx.io.stdinIsTty) {
      ctx.io.stderr('the input device is not a TTY\n');
      return 1;
    }
    await ctx.api.request('GET', `/containers/${enc(ref)}/json`);
    const detach = bool(p, 'detach');
    const { Id } = await ctx.api.request<{ Id: string }>('POST', `/containers/${enc(ref)}/exec`, {
      body: {
        User: str(p, 'user'),
        Privileged: bool(p, 'privileged'),
        Tty: tty,
        AttachStdin: interactive && !detach,
        AttachStderr: !detach,
        AttachStdout: !detach,
        Detach: detach,
        DetachKeys: str(p, 'detach-keys'),
        Env: list(p, 'env').length ? list(p, 'env') : null,
        WorkingDir: str(p, 'workdir'),
        Cmd: argv,
      },
    });
    if (detach) {
      await ctx.api.request('POST', `/exec/${Id}/start`, { body: { Detach: true, Tty: tty } });
      return 0;
    }
    const session = await ctx.api.hijack(`/exec/${Id}/start`, {}, { Detach: false, Tty: tty });
    session.onOutput((stream, data) => (stream === 2 && !tty ? ctx.io.stderr(data) : ctx.io.stdout(data)));
    if (interactive) await pumpSession(ctx, session);
    else session.close();
    await session.done;
    const inspect = await ctx.api.request<{ ExitCode: number | null }>('GET', `/exec/${Id}/json`);
    return inspect.ExitCode ?? 0;
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
    const ref = p.positionals[0];
    const c = await ctx.api.request<{ Id: string; State: { Running: boolean; Paused: boolean; Restarting: boolean }; Config: { Tty: boolean; OpenStdin: boolean } }>('GET', `/containers/${enc(ref)}/json`);
    if (c.State.Paused) throw new CliError('You cannot attach to a paused container, unpause it first');
    if (c.State.Restarting) throw new CliError('You cannot attach to a restarting container, wait until it is running');
    if (!c.State.Running) throw new CliError('You cannot attach to a stopped container, start it first');
    const withStdin = c.Config.OpenStdin && !bool(p, 'no-stdin');
    const session = await ctx.api.hijack(`/containers/${enc(c.Id)}/attach`, {
      detachKeys: str(p, 'detach-keys') || undefined,
      stderr: 1,
      stdin: withStdin ? 1 : undefined,
      stdout: 1,
      stream: 1,
    });
    session.onOutput((stream, data) => (stream === 2 && !c.Config.Tty ? ctx.io.stderr(data) : ctx.io.stdout(data)));
    if (withStdin) {
      // The docker CLI reports the detach as an error ("read escape sequence"): exit 1. `run` exits 0.
      if (await pumpSession(ctx, session)) return 1;
    }
    await session.done;
    const after = await ctx.api.request<{ State: { ExitCode: number } }>('GET', `/containers/${enc(c.Id)}/json`).catch(() => undefined);
    return after?.State.ExitCode ?? 0;
  },
};

export const ATTACH_COMMANDS: Record<string, CommandSpec> = { exec, attach };
