/**
 * Running commands inside a simulated container: `docker exec`, a container's main process, the
 * lines typed into an attached shell. There are no real processes — each command is an applet
 * that prints what busybox 1.36 (or the image's program) would print, decided by the engine's
 * model through NetView.
 *
 * Which commands exist (a simplification, documented): every image has the busybox applets used
 * for network debugging (ping, nslookup, wget, nc, ip, netstat, …) — true for alpine and busybox,
 * not for the Debian-based images, whose own tools would print differently. Image programs exist
 * only in their image (node/npm in node, python in python, nginx, postgres, redis), `bash` only in
 * non-busybox images, `ash` and busybox `httpd` only where busybox is the shell (httpd only in
 * the busybox image: Alpine ships it separately), and `npm install -g X` adds X for the rest of
 * that run.
 *
 * Unknown commands: inside a shell, `sh: foo: not found` and status 127 (the prefix is the
 * shell's argv[0], as ash prints it). As the argv of `docker exec` itself there is no shell, so
 * runCommand prints the daemon's error the CLI shows —
 * `OCI runtime exec failed: exec failed: unable to start container process: exec: "foo":
 * executable file not found in $PATH: unknown` — and returns 126, `docker exec`'s exit status.
 * For a container's main command the runtime should check commandAvailable() first and report
 * Docker's create-time error itself (exit 127).
 *
 * Commands that never end on their own (servers, `tail -f`, `sleep infinity`, endless loops) in an
 * exec session end as if interrupted with Ctrl-C: `^C` echoed on a terminal, status 130.
 */
import { execExecError } from '../core/runc-errors.js';
import { userProblem, whoami } from './users.js';
import type { ContainerRecord } from '../engine/model.js';
import type { NetView } from './netview.js';
import { KEEPS_RUNNING, basename, imageRepo, libcOf, type CmdContext, type ExecIo, type ShellState } from './context.js';
import { SHELLS, shellScriptOf } from './argv.js';
import { ExitSignal, Interp } from './interp.js';
import { parseScript, ShellSyntaxError } from './script.js';
import { cat, echo, env, getent, hostname, make, readFile, sleep, tail, top, uname } from './busybox/basic.js';
import { ip } from './busybox/ip.js';
import { nc } from './busybox/nc.js';
import { netstat } from './busybox/netstat.js';
import { nslookup } from './busybox/nslookup.js';
import { ping } from './busybox/ping.js';
import { httpServer, httpd, nginx, node, npm, pgIsready, postgres, python, redisCli, redisServer } from './busybox/programs.js';
import { wget } from './busybox/wget.js';

export type { ExecIo, SimEffect } from './context.js';
export { KEEPS_RUNNING } from './context.js';

type Applet = (ctx: CmdContext, argv: string[]) => number;

const BUSYBOX: Record<string, Applet> = {
  echo,
  cat,
  hostname,
  sleep,
  tail,
  top,
  env,
  printenv: env,
  uname,
  make,
  ping,
  ping6: ping,
  nslookup,
  wget,
  nc,
  ip,
  netstat,
  true: () => 0,
  false: () => 1,
  pwd: (ctx) => (ctx.out(`${ctx.c.workingDir || '/'}\n`), 0),
  whoami: whoamiApplet,
  printf: printfApplet,
  test: testApplet,
  '[': testApplet,
  which: whichApplet,
  head: headApplet,
  grep: grepApplet,
};

const IMAGE_PROGRAMS: Record<string, Record<string, Applet>> = {
  node: { node, npm, npx: () => 0 },
  python: { python, python3: python, pip: () => 0, pip3: () => 0 },
  nginx: { nginx },
  postgres: { postgres, pg_isready: pgIsready, psql: () => 0 },
  redis: { 'redis-server': redisServer, 'redis-cli': redisCli },
  busybox: { httpd },
};

const INSTALLABLE: Record<string, Applet> = { 'http-server': httpServer };

const PATH_DIRS = new Set(['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']);

function isBusyboxImage(c: ContainerRecord): boolean {
  const repo = imageRepo(c);
  return repo === 'busybox' || libcOf(c) === 'musl';
}

/** whoami as `--user` (or `exec -u`) left it, named from the image's passwd. */
function whoamiApplet(ctx: CmdContext): number {
  const who = whoami(ctx.c, ctx.user);
  if ('name' in who) return ctx.out(`${who.name}\n`), 0;
  ctx.err(`whoami: unknown uid ${who.unknownUid}\n`);
  return 1;
}

/** The applet a command name runs in this container, if the image has it. */
function lookupApplet(c: ContainerRecord, name: string, shell?: ShellState): Applet | 'shell' | undefined {
  const slash = name.lastIndexOf('/');
  if (slash >= 0 && !PATH_DIRS.has(name.slice(0, slash) || '/')) return undefined;
  const base = basename(name);
  if (base === 'sh') return 'shell';
  if (base === 'ash') return isBusyboxImage(c) ? 'shell' : undefined;
  if (base === 'bash' || base === 'dash') return isBusyboxImage(c) ? undefined : 'shell';
  if (base === 'getent') return imageRepo(c) === 'busybox' ? undefined : getent;
  const prog = IMAGE_PROGRAMS[imageRepo(c)]?.[base];
  if (prog) return prog;
  if (shell?.installed.has(base) && INSTALLABLE[base]) return INSTALLABLE[base];
  return BUSYBOX[base];
}

/** Does `name` exist in the container's image (for Docker's "executable file not found")? */
export function commandAvailable(c: ContainerRecord, name: string): boolean {
  return lookupApplet(c, name) !== undefined;
}

export function newShellState(c: ContainerRecord): ShellState {
  const env = new Map<string, string>();
  const pathEntry = c.env.find((e) => e.startsWith('PATH='));
  env.set('PATH', pathEntry ? pathEntry.slice(5) : '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  env.set('HOSTNAME', c.hostname);
  if (c.tty) env.set('TERM', 'xterm');
  for (const e of c.env) {
    const eq = e.indexOf('=');
    if (eq > 0) env.set(e.slice(0, eq), e.slice(eq + 1));
  }
  env.set('HOME', '/root');
  return { env, lastStatus: 0, files: new Map(), installed: new Set() };
}

/** Runs one argv (a shell, an applet, or a wrapper like `exec`) in the context's container. */
export function runArgv(ctx: CmdContext, argv: string[], shellName = 'sh'): number {
  if (argv.length === 0) return 0;
  const name = argv[0];
  if (name === 'exec' || name === 'nohup' || name === 'command') {
    if (name === 'command' && argv[1] === '-v') {
      const found = argv[2] !== undefined && lookupApplet(ctx.c, argv[2], ctx.shell);
      if (found) ctx.out(`${found === 'shell' ? '/bin/' : '/usr/bin/'}${basename(argv[2])}\n`);
      return found ? 0 : 127;
    }
    const status = runArgv(ctx, argv.slice(1), shellName);
    if (name === 'exec' && status !== KEEPS_RUNNING) throw new ExitSignal(status);
    return status;
  }
  if (name === 'env' && argv.length > 1 && !argv[1].startsWith('-')) {
    let i = 1;
    while (i < argv.length && argv[i].includes('=')) {
      const eq = argv[i].indexOf('=');
      ctx.shell.env.set(argv[i].slice(0, eq), argv[i].slice(eq + 1));
      i++;
    }
    return runArgv(ctx, argv.slice(i), shellName);
  }
  const applet = lookupApplet(ctx.c, name, ctx.shell);
  if (!applet) {
    ctx.err(isUnsimulatedApplet(name) ? notSimulated(name) : `${shellName}: ${name}: not found\n`);
    return 127;
  }
  if (applet === 'shell') return runShell(ctx, argv);
  return applet(ctx, argv);
}

function runShell(ctx: CmdContext, argv: string[]): number {
  const shellName = argv[0];
  const script = shellScriptOf(argv);
  if (script !== undefined) return runScriptText(ctx, script, shellName);
  const file = argv.slice(1).find((a) => !a.startsWith('-'));
  if (file) {
    const text = readFile(ctx, file);
    if (text === undefined) {
      ctx.err(`${shellName}: can't open '${file}': No such file or directory\n`);
      return 2;
    }
    return runScriptText(ctx, text, shellName);
  }
  if (ctx.stdin) return runScriptText({ ...ctx, stdin: null }, ctx.stdin, shellName);
  return ctx.mode === 'main' && ctx.stdinOpen ? KEEPS_RUNNING : 0;
}

/** Parses and runs a script text in the context's shell state. */
export function runScriptText(ctx: CmdContext, text: string, shellName = 'sh'): number {
  let list;
  try {
    list = parseScript(text);
  } catch (e) {
    if (e instanceof ShellSyntaxError) {
      ctx.err(`${shellName}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const interp = new Interp(
    ctx.shell,
    (argv, streams) => runArgv({ ...ctx, stdin: streams.stdin, out: streams.out, err: streams.err }, argv, shellName),
    { loopLimit: ctx.mode === 'main' ? 1 : 3, files: ctx.shell.files },
  );
  return interp.runScript(list, { stdin: ctx.stdin, out: ctx.out, err: ctx.err });
}

export function makeContext(view: NetView | undefined, c: ContainerRecord, io: ExecIo, mode: 'main' | 'exec', shell = newShellState(c)): CmdContext {
  return {
    view,
    c,
    stdin: io.stdin ?? null,
    stdinOpen: mode === 'main' && (c.openStdin || c.tty),
    user: io.user ?? c.user ?? '',
    out: (s) => io.stdout(s),
    err: (s) => io.stderr(s),
    tty: io.tty ?? false,
    mode,
    effect: (e) => io.effect?.(e),
    shell,
  };
}

/** Runs argv to its exit status; a shell `exit N` inside it ends it with N. */
export function runToStatus(ctx: CmdContext, argv: string[]): number {
  try {
    return runArgv(ctx, argv);
  } catch (e) {
    if (e instanceof ExitSignal) return e.code;
    throw e;
  }
}

/** busybox applets every alpine/busybox image has that the simulator does not model. */
const UNSIMULATED_APPLETS = new Set([
  'ls', 'ps', 'top', 'df', 'du', 'find', 'mkdir', 'rm', 'cp', 'mv', 'touch', 'chmod', 'chown', 'ln', 'vi', 'less', 'more',
  'tail', 'wc', 'sort', 'uniq', 'tar', 'gzip', 'apk', 'kill', 'free', 'mount', 'uname', 'id', 'whoami', 'date', 'env', 'pwd',
  'traceroute', 'arp', 'route', 'ifconfig', 'telnet',
]);

/** A program every real image has that the simulator does not model (no filesystem or process table). */
export function isUnsimulatedApplet(name: string): boolean {
  return UNSIMULATED_APPLETS.has(name.replace(/^.*\//, ''));
}

/** What the simulator says instead of running it: honestly, not as if the image lacked it. */
function notSimulated(name: string): string {
  return `crosstalk: '${name}' exists in the real image but is not simulated (crosstalk simulates networking: ping, nslookup, getent, wget, nc, ip, netstat, hostname, cat /etc/hosts, cat /etc/resolv.conf, …)\n`;
}

/** `docker exec CONTAINER ARGV…`: the exit status, output through io. Synchronous. */
export function runCommand(view: NetView, c: ContainerRecord, argv: string[], io: ExecIo): number {
  if (argv.length === 0) return 0;
  // The daemon resolves the user before runc looks for the program; both failures are written
  // to the exec's stdout with "\r\n" (moby's postContainerExecStart) and the exec exits 126.
  const badUser = io.user ? userProblem(c, io.user) : undefined;
  if (badUser) {
    io.stdout(`${badUser}\r\n`);
    return 126;
  }
  if (!commandAvailable(c, argv[0]) && !['exec', 'env', 'command', 'nohup'].includes(argv[0])) {
    if (isUnsimulatedApplet(argv[0])) {
      io.stderr(notSimulated(argv[0]));
      return 127;
    }
    io.stdout(`${execExecError(argv[0], 'missing')}\r\n`);
    return 126;
  }
  const status = runToStatus(makeContext(view, c, io, 'exec'), argv);
  if (status === KEEPS_RUNNING) {
    if (io.tty) io.stdout('^C\n');
    return 130;
  }
  return status;
}

// ------------------------------------------------------------------ small applets

function printfApplet(ctx: CmdContext, argv: string[]): number {
  const fmt = argv[1];
  if (fmt === undefined) {
    ctx.err('printf: usage: printf FORMAT [ARGUMENT...]\n');
    return 1;
  }
  const args = argv.slice(2);
  let ai = 0;
  let out = '';
  do {
    out += fmt.replace(/%([-0-9.]*)([sdxc%])|\\([nrt\\0]|x[0-9a-fA-F]{1,2})/g, (m, _w, conv: string, esc: string) => {
      if (esc) {
        if (esc.startsWith('x')) return String.fromCharCode(parseInt(esc.slice(1), 16));
        return ({ n: '\n', r: '\r', t: '\t', '\\': '\\', '0': '\0' } as Record<string, string>)[esc] ?? m;
      }
      if (conv === '%') return '%';
      const a = args[ai++] ?? '';
      if (conv === 'd') return String(parseInt(a, 10) || 0);
      if (conv === 'x') return (parseInt(a, 10) || 0).toString(16);
      if (conv === 'c') return a.slice(0, 1);
      return a;
    });
  } while (ai > 0 && ai < args.length);
  ctx.out(out);
  return 0;
}

function testApplet(ctx: CmdContext, argv: string[]): number {
  let args = argv.slice(1);
  if (argv[0] === '[') {
    if (args.at(-1) !== ']') {
      ctx.err('[: missing ]\n');
      return 2;
    }
    args = args.slice(0, -1);
  }
  const evalExpr = (a: string[]): boolean => {
    if (a.length === 0) return false;
    if (a[0] === '!') return !evalExpr(a.slice(1));
    const or = a.indexOf('-o');
    if (or > 0) return evalExpr(a.slice(0, or)) || evalExpr(a.slice(or + 1));
    const and = a.indexOf('-a');
    if (and > 0) return evalExpr(a.slice(0, and)) && evalExpr(a.slice(and + 1));
    if (a.length === 1) return a[0] !== '';
    if (a.length === 2) {
      const [op, v] = a;
      if (op === '-z') return v === '';
      if (op === '-n') return v !== '';
      if (op === '-e' || op === '-f' || op === '-r' || op === '-s') return readFile(ctx, v) !== undefined && (op !== '-s' || readFile(ctx, v) !== '');
      if (op === '-d') return v === '/' || ['/etc', '/tmp', '/root', '/usr', '/bin', '/var'].includes(v.replace(/\/$/, ''));
      return false;
    }
    const [l, op, r] = a;
    const n = (x: string) => Number.parseInt(x, 10);
    switch (op) {
      case '=':
      case '==':
        return l === r;
      case '!=':
        return l !== r;
      case '-eq':
        return n(l) === n(r);
      case '-ne':
        return n(l) !== n(r);
      case '-gt':
        return n(l) > n(r);
      case '-lt':
        return n(l) < n(r);
      case '-ge':
        return n(l) >= n(r);
      case '-le':
        return n(l) <= n(r);
      default:
        return false;
    }
  };
  return evalExpr(args) ? 0 : 1;
}

function whichApplet(ctx: CmdContext, argv: string[]): number {
  let status = 0;
  for (const name of argv.slice(1)) {
    const found = lookupApplet(ctx.c, name, ctx.shell);
    if (found) ctx.out(`${found === 'shell' ? '/bin/' : '/usr/bin/'}${basename(name)}\n`);
    else status = 1;
  }
  return status;
}

function inputOf(ctx: CmdContext, file: string | undefined, applet: string): string | undefined {
  if (file === undefined || file === '-') return ctx.stdin ?? '';
  const text = readFile(ctx, file);
  if (text === undefined) ctx.err(`${applet}: ${file}: No such file or directory\n`);
  return text;
}

function headApplet(ctx: CmdContext, argv: string[]): number {
  let n = 10;
  const files: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '-n') n = Number(argv[++i]);
    else if (/^-\d+$/.test(argv[i])) n = Number(argv[i].slice(1));
    else if (/^-n\d+$/.test(argv[i])) n = Number(argv[i].slice(2));
    else files.push(argv[i]);
  }
  const text = inputOf(ctx, files[0], 'head');
  if (text === undefined) return 1;
  const lines = text.split('\n');
  const keep = lines.slice(0, n);
  ctx.out(keep.join('\n') + (lines.length > n ? '\n' : ''));
  return 0;
}

function grepApplet(ctx: CmdContext, argv: string[]): number {
  let quiet = false;
  let invert = false;
  let icase = false;
  let count = false;
  const rest: string[] = [];
  for (const a of argv.slice(1)) {
    if (/^-[qivcEF]+$/.test(a)) {
      quiet ||= a.includes('q');
      invert ||= a.includes('v');
      icase ||= a.includes('i');
      count ||= a.includes('c');
    } else rest.push(a);
  }
  const [pattern, file] = rest;
  if (pattern === undefined) {
    ctx.err('BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n');
    return 2;
  }
  const text = inputOf(ctx, file, 'grep');
  if (text === undefined) return 2;
  let re: RegExp;
  try {
    re = new RegExp(pattern, icase ? 'i' : '');
  } catch {
    re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), icase ? 'i' : '');
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const hits = lines.filter((l) => re.test(l) !== invert);
  if (count) ctx.out(`${hits.length}\n`);
  else if (!quiet) for (const l of hits) ctx.out(`${l}\n`);
  return hits.length ? 0 : 1;
}

export { SHELLS };
