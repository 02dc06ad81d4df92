/**
 * busybox 1.36 `wget` (networking/wget.c) over the simulated network.
 *
 *   Connecting to web (172.18.0.2:80)                ← stderr, unless -q
 *   writing to stdout                                ← or: saving to 'index.html'
 *   -                    100% |*******************************|   615  0:00:00 ETA
 *   written to stdout                                ← or: 'index.html' saved
 *
 * Errors (exit 1): `wget: bad address 'x'`; `wget: can't connect to remote host (IP): <strerror>`
 * (no address in the message for IPv6, as busybox's xconnect prints it); `wget: download timed
 * out` when -T SEC expires first (connect attempts to a dropping peer, or a server that never
 * answers) — without -T the kernel gives up connecting after ~127 s (`Operation timed out`) before
 * busybox's 900 s default; `wget: server returned error: HTTP/1.1 404 Not Found`;
 * `wget: error getting response` when the peer closes without an HTTP reply.
 * The progress line assumes busybox's 80-column default (31-star bar), time is not simulated.
 */
import { getopt } from '../argv.js';
import { BUSYBOX_BANNER, absPath, strerror, utf8Length, type CmdContext } from '../context.js';
import { getaddrinfo, sockaddr } from '../resolve.js';
import { connect, errnoOf } from './connect.js';
import { accessLog, EXAMPLE_DOMAIN, serveHttp, type HttpOutcome } from './http.js';

const USAGE = `${BUSYBOX_BANNER}\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...\n\nRetrieve files via HTTP or FTP\n`;

const KERNEL_CONNECT_TIMEOUT = 127;

export interface ParsedUrl {
  scheme: string;
  host: string;
  port: number;
  path: string;
  /** host[:port] as written (the Host header). */
  hostHeader: string;
}

export function parseUrl(url: string): ParsedUrl | string {
  let scheme = 'http';
  let rest = url;
  const sep = url.indexOf('://');
  if (sep >= 0) {
    scheme = url.slice(0, sep);
    rest = url.slice(sep + 3);
  }
  const ports: Record<string, number> = { http: 80, https: 443, ftp: 21 };
  if (!(scheme in ports)) return `not an http or ftp url: ${url}`;
  let cut = rest.length;
  for (const ch of ['/', '?', '#']) {
    const i = rest.indexOf(ch);
    if (i >= 0 && i < cut) cut = i;
  }
  let hostPort = rest.slice(0, cut);
  let path = rest.slice(cut);
  if (path.startsWith('/')) path = path.slice(1);
  const at = hostPort.lastIndexOf('@');
  if (at >= 0) hostPort = hostPort.slice(at + 1);
  let host = hostPort;
  let port = ports[scheme];
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (v6) {
    host = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon >= 0 && hostPort.indexOf(':') === colon) {
      host = hostPort.slice(0, colon);
      port = Number(hostPort.slice(colon + 1));
    }
  }
  return { scheme, host, port, path: `/${path}`, hostHeader: hostPort };
}

function progressLine(file: string, size: number): string {
  let n = size;
  let scale = 0;
  while (n >= 100000) {
    n >>= 10;
    scale++;
  }
  const name = file.length > 20 ? file.slice(0, 20) : file.padEnd(20);
  return `${name} 100% |${'*'.repeat(31)}|${String(n).padStart(6)}${' kMGTPEZY'[scale]}  0:00:00 ETA\n`;
}

export function wget(ctx: CmdContext, argv: string[]): number {
  const o = getopt(argv.slice(1), 'cqSO:o:P:Y:U:T:t:n:', {
    continue: false, quiet: false, 'server-response': false, 'output-document': true, 'output-file': true, 'directory-prefix': true,
    proxy: true, 'user-agent': true, timeout: true, tries: true, header: true, 'post-data': true, spider: false,
    'no-check-certificate': false, 'post-file': true, 'passive-ftp': false, 'no-cache': false, 'no-verbose': false,
  });
  if (o.error || o.args.length === 0) {
    if (o.error) ctx.err(`wget: ${o.error}\n`);
    ctx.err(USAGE);
    return 1;
  }
  const quiet = o.flags.has('q') || o.flags.has('quiet');
  const spider = o.flags.has('spider');
  const showResponse = o.flags.has('S') || o.flags.has('server-response');
  const outName = o.flags.get('O')?.at(-1) ?? o.flags.get('output-document')?.at(-1);
  const timeoutStr = o.flags.get('T')?.at(-1) ?? o.flags.get('timeout')?.at(-1);
  const timeout = timeoutStr === undefined ? 900 : Number(timeoutStr);
  if (!Number.isInteger(timeout) || timeout < 0) {
    ctx.err(`wget: invalid number '${timeoutStr}'\n`);
    return 1;
  }
  if (!ctx.view) return 0;
  let status = 0;
  for (const url of o.args) {
    status = fetchOne(ctx, url, { quiet, spider, showResponse, outName, timeout });
    if (status !== 0) return status;
  }
  return status;
}

interface Opts {
  quiet: boolean;
  spider: boolean;
  showResponse: boolean;
  outName?: string;
  timeout: number;
}

function fetchOne(ctx: CmdContext, url: string, opts: Opts): number {
  const view = ctx.view!;
  const u = parseUrl(url);
  if (typeof u === 'string') {
    ctx.err(`wget: ${u}\n`);
    return 1;
  }
  const res = getaddrinfo(view, ctx.c, u.host);
  if (!res.ok) {
    ctx.err(`wget: bad address '${u.host}'\n`);
    return 1;
  }
  const addr = res.addresses[0];
  if (!opts.quiet) ctx.err(`Connecting to ${u.hostHeader} (${sockaddr(addr, u.port)})\n`);
  const conn = connect(ctx, addr, u.port, 'tcp');
  const { reach } = conn;
  if (reach.outcome !== 'ok') {
    if (reach.outcome === 'timeout' && opts.timeout > 0 && opts.timeout < KERNEL_CONNECT_TIMEOUT) {
      ctx.err('wget: download timed out\n');
      return 1;
    }
    const where = addr.includes(':') ? '' : ` (${addr})`;
    ctx.err(`wget: can't connect to remote host${where}: ${strerror(ctx.c, errnoOf(reach))}\n`);
    return 1;
  }
  let outcome: HttpOutcome;
  if (reach.targetKind === 'external') {
    outcome = { kind: 'reply', statusLine: 'HTTP/1.1 200 OK', headers: [['Content-Type', 'text/html'], ['Content-Length', String(EXAMPLE_DOMAIN.length)]], body: EXAMPLE_DOMAIN };
  } else {
    const owner = conn.server ?? reach.target!;
    outcome = serveHttp(conn.listener, u.path, owner);
    if (conn.server && conn.listener?.program === 'nc') {
      const request = `GET ${u.path} HTTP/1.1\r\nHost: ${u.hostHeader}\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n`;
      ctx.effect({ kind: 'log', container: conn.server, text: request });
      if (conn.listener.once && !conn.server.openStdin) ctx.effect({ kind: 'exit', container: conn.server, exitCode: 0 });
    }
    if (outcome.kind === 'reply' && conn.server) {
      const line = accessLog(conn.listener?.program, conn.client, u.path, outcome, view.engine.deps.clock.nowNanos());
      if (line) ctx.effect({ kind: 'log', container: conn.server, text: line });
    }
  }
  if (outcome.kind === 'hang') {
    ctx.err('wget: download timed out\n');
    return 1;
  }
  if (outcome.kind === 'closed') {
    ctx.err('wget: error getting response\n');
    return 1;
  }
  if (opts.showResponse) {
    ctx.err(`  ${outcome.statusLine}\n`);
    for (const [k, v] of outcome.headers) ctx.err(`  ${k}: ${v}\n`);
  }
  const code = Number(outcome.statusLine.split(' ')[1]);
  if (!(code >= 200 && code <= 204) && !(code >= 300 && code <= 308)) {
    ctx.err(`wget: server returned error: ${outcome.statusLine}\n`);
    return 1;
  }
  if (opts.spider) {
    if (!opts.quiet) ctx.err('remote file exists\n');
    return 0;
  }
  const toStdout = opts.outName === '-';
  let file = opts.outName ?? u.path.split(/[?#]/)[0].split('/').pop() ?? '';
  if (!toStdout && file === '') file = 'index.html';
  if (!opts.quiet) ctx.err(toStdout ? 'writing to stdout\n' : `saving to '${file}'\n`);
  if (toStdout) ctx.out(outcome.body);
  else ctx.shell.files.set(absPath(file), outcome.body);
  if (!opts.quiet) {
    ctx.err(progressLine(toStdout ? '-' : file.split('/').pop()!, utf8Length(outcome.body)));
    ctx.err(toStdout ? 'written to stdout\n' : `'${file}' saved\n`);
  }
  return 0;
}
