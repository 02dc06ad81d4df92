/**
 * Small applets: echo, cat (the container's generated files), hostname, sleep, tail, top, env,
 * uname, make, getent. Long-running ones (`sleep`, `tail -f`, `top`) return KEEPS_RUNNING in a
 * container's main process; in an exec session `sleep N` returns at once (time is not simulated).
 */
import { netnsOwner } from '../../engine/containers.js';
import { hostsFile, parseHostsFile, resolvConf } from '../../dns/files.js';
import { KEEPS_RUNNING, absPath, libcOf, type CmdContext } from '../context.js';
import { getaddrinfo } from '../resolve.js';

export function echo(ctx: CmdContext, argv: string[]): number {
  let args = argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args.length && /^-[neE]+$/.test(args[0])) {
    if (args[0].includes('n')) newline = false;
    if (args[0].includes('e')) escapes = true;
    if (args[0].includes('E')) escapes = false;
    args = args.slice(1);
  }
  let text = args.join(' ');
  if (escapes) {
    const cut = text.indexOf('\\c');
    if (cut >= 0) {
      text = text.slice(0, cut);
      newline = false;
    }
    text = text.replace(/\\(n|t|\\|a|r)/g, (_, ch: string) => ({ n: '\n', t: '\t', '\\': '\\', a: '\x07', r: '\r' })[ch] ?? ch);
  }
  ctx.out(text + (newline ? '\n' : ''));
  return 0;
}

/** Files the simulated container has: the ones Docker generates, plus what this run wrote. */
export function readFile(ctx: CmdContext, file: string): string | undefined {
  const owner = ctx.view ? netnsOwner(ctx.view.engine, ctx.c) : ctx.c;
  const path = absPath(file);
  const written = ctx.shell.files.get(path);
  if (written !== undefined) return written;
  switch (path) {
    case '/etc/hosts':
      return ctx.view ? hostsFile(ctx.view.engine, ctx.c) : undefined;
    case '/etc/resolv.conf':
      return ctx.view ? resolvConf(ctx.view.engine, ctx.c) : undefined;
    case '/etc/hostname':
      return `${owner.hostname}\n`;
    case '/dev/null':
      return '';
    default:
      return undefined;
  }
}

export function cat(ctx: CmdContext, argv: string[]): number {
  const files = argv.slice(1).filter((a) => a !== '--');
  if (files.length === 0 || (files.length === 1 && files[0] === '-')) {
    if (ctx.stdin !== null) ctx.out(ctx.stdin);
    return ctx.mode === 'main' && ctx.stdinOpen ? KEEPS_RUNNING : 0;
  }
  let status = 0;
  for (const f of files) {
    if (f === '-') {
      if (ctx.stdin !== null) ctx.out(ctx.stdin);
      continue;
    }
    const text = readFile(ctx, f);
    if (text === undefined) {
      ctx.err(`cat: can't open '${f}': No such file or directory\n`);
      status = 1;
    } else ctx.out(text);
  }
  return status;
}

export function hostname(ctx: CmdContext, argv: string[]): number {
  const owner = ctx.view ? netnsOwner(ctx.view.engine, ctx.c) : ctx.c;
  const name = owner.hostname;
  const opt = argv[1];
  if (opt === '-s') ctx.out(`${name.split('.')[0]}\n`);
  else if (opt === '-d') ctx.out(`${owner.domainname}\n`);
  else if (opt === '-f') ctx.out(`${owner.domainname ? `${name}.${owner.domainname}` : name}\n`);
  else if (opt === '-i') {
    const addrs = ctx.view ? owner.endpoints.map((e) => e.ipv4).filter(Boolean) : [];
    ctx.out(`${addrs.join(' ')} \n`);
  } else if (opt !== undefined && !opt.startsWith('-')) {
    ctx.err('hostname: sethostname: Operation not permitted\n');
    return 1;
  } else ctx.out(`${name}\n`);
  return 0;
}

export function sleep(ctx: CmdContext, argv: string[]): number {
  const arg = argv[1];
  if (arg === undefined) {
    ctx.err('BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary.\n\nUsage: sleep [N]...\n\nPause for a time equal to the total of the args given, where each arg can\nhave an optional suffix of (s)econds, (m)inutes, (h)ours, or (d)ays\n');
    return 1;
  }
  if (arg !== 'infinity' && !/^\d+(\.\d+)?[smhd]?$/.test(arg)) {
    ctx.err(`sleep: invalid number '${arg}'\n`);
    return 1;
  }
  if (ctx.mode === 'main' && !/^0+(\.0+)?[smhd]?$/.test(arg)) return KEEPS_RUNNING;
  if (ctx.mode === 'exec' && arg === 'infinity') return KEEPS_RUNNING;
  return 0;
}

export function tail(ctx: CmdContext, argv: string[]): number {
  const follow = argv.slice(1).some((a) => /^-[a-zA-Z]*[fF]/.test(a));
  const files = argv.slice(1).filter((a) => !a.startsWith('-') && !/^\d+$/.test(a));
  for (const f of files) {
    const text = readFile(ctx, f);
    if (text === undefined) {
      ctx.err(`tail: can't open '${f}': No such file or directory\n`);
      if (!follow) return 1;
    } else ctx.out(text.split('\n').slice(-11).join('\n'));
  }
  return follow ? KEEPS_RUNNING : 0;
}

export function top(_ctx: CmdContext, _argv: string[]): number {
  return KEEPS_RUNNING;
}

export function env(ctx: CmdContext, _argv: string[]): number {
  const vars = new Map<string, string>();
  const path = ctx.shell.env.get('PATH');
  if (path !== undefined) vars.set('PATH', path);
  vars.set('HOSTNAME', ctx.shell.env.get('HOSTNAME') ?? ctx.c.hostname);
  for (const [k, v] of ctx.shell.env) if (!vars.has(k) && k !== 'HOME' && k !== 'PWD' && k !== 'SHLVL') vars.set(k, v);
  vars.set('HOME', ctx.shell.env.get('HOME') ?? '/root');
  for (const [k, v] of vars) ctx.out(`${k}=${v}\n`);
  return 0;
}

export function uname(ctx: CmdContext, argv: string[]): number {
  const all = argv.includes('-a');
  if (all) ctx.out(`Linux ${ctx.c.hostname} 6.8.0-60-generic #63-Ubuntu SMP PREEMPT_DYNAMIC x86_64 Linux\n`);
  else if (argv.includes('-r')) ctx.out('6.8.0-60-generic\n');
  else if (argv.includes('-n')) ctx.out(`${ctx.c.hostname}\n`);
  else if (argv.includes('-m')) ctx.out('x86_64\n');
  else ctx.out('Linux\n');
  return 0;
}

/**
 * `make`: the simulated image has no Makefile (the image filesystem is not modelled), so GNU
 * make says so and fails — what a build container whose sources are missing would print. The
 * point the walk-through needs holds either way: the process ends, so its container exits.
 */
export function make(ctx: CmdContext, _argv: string[]): number {
  ctx.err('make: *** No targets specified and no makefile found.  Stop.\n');
  return 2;
}

/**
 * `getent hosts [NAME…]` (musl-utils on Alpine, glibc's elsewhere): tries IPv6 then IPv4 like
 * gethostbyname2. musl repeats the canonical name as the first alias (`alpine2  alpine2`).
 */
export function getent(ctx: CmdContext, argv: string[]): number {
  const db = argv[1];
  if (db !== 'hosts' && db !== 'ahosts' && db !== 'ahostsv4') {
    ctx.err(db ? `Unknown database: ${db}\n` : 'Usage: getent [-s sources] database [key ...]\n');
    return db ? 1 : 1;
  }
  if (!ctx.view) return 0;
  const musl = libcOf(ctx.c) === 'musl';
  const format = (addr: string, names: string[]) =>
    musl ? `${addr.padEnd(16)}  ${names[0]}  ${names.slice(1).join(' ')}\n` : `${addr.padEnd(15)} ${names.join(' ')}\n`;
  const keys = argv.slice(2);
  if (keys.length === 0) {
    // musl's gethostent() is a stub: enumerating prints nothing there.
    if (!musl) for (const line of parseHostsFile(hostsFile(ctx.view.engine, ctx.c))) ctx.out(format(line.ip, line.names));
    return 0;
  }
  for (const key of keys) {
    let res = db === 'ahostsv4' ? getaddrinfo(ctx.view, ctx.c, key, 4) : getaddrinfo(ctx.view, ctx.c, key, 6);
    if (!res.ok && db !== 'ahostsv4') res = getaddrinfo(ctx.view, ctx.c, key, 4);
    if (!res.ok) return 2;
    const addr = res.addresses[0];
    // Canonical name: the first name of the matching hosts line, else the name queried.
    let canon = key;
    if (res.source === 'hosts') {
      const line = parseHostsFile(hostsFile(ctx.view.engine, ctx.c)).find((l) => l.ip === addr && l.names.some((n) => n.toLowerCase() === key.toLowerCase()));
      if (line) canon = line.names[0];
    }
    const names = musl ? [canon, canon, ...(canon !== key ? [key] : [])] : [canon, ...(canon !== key ? [key] : [])];
    ctx.out(format(addr, names));
  }
  return 0;
}
