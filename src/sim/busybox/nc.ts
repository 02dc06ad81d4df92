/**
 * busybox 1.36 `nc` as Alpine builds it (networking/nc_bloaty.c, NC_110_COMPAT):
 *
 *   nc [OPTIONS] HOST PORT        connect; `-z` just connects and closes
 *   nc -l [-k] [-s ADDR] -p PORT  listen (only a container's main command serves; see below)
 *
 * Exit 0 when the connect succeeds, 1 otherwise. `-v` prints `HOST (IP:PORT) open` to stderr;
 * failures are printed with -v except "Connection refused", which needs -vv
 * (`nc: HOST (IP:PORT): Connection refused`). `-w SEC` bounds the connect (a dropping peer then
 * fails with ETIMEDOUT, as nc fakes it). UDP (`-u -z`) can only notice an ICMP port-unreachable
 * (refused); silence counts as open.
 *
 * Data: stdin (`echo run | nc worker 9000`) is sent to the peer; a busybox `nc -l` peer prints it
 * (its container's logs) and — with no stdin of its own — exits after that one connection,
 * taking its container down (effects `log` and `exit`), unless it is persistent (`-lk` or `-ll`
 * with `-e`). A peer running `-e echo TEXT` sends TEXT back, which the client prints.
 *
 * Listening from `docker exec` would block the session; the simulator cannot add listeners
 * after start, so `nc -l` in an exec session reports that and fails (exit 1).
 */
import { parseIp } from '../../ipam/ip.js';
import { getopt } from '../argv.js';
import { BUSYBOX_BANNER, KEEPS_RUNNING, strerror, type CmdContext } from '../context.js';
import { getaddrinfo, sockaddr } from '../resolve.js';
import { connect, errnoOf } from './connect.js';

const USAGE = `${BUSYBOX_BANNER}\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n\n\t-e PROG\tRun PROG after connect (must be last)\n\t-l\tListen mode, for inbound connects\n\t-lk\tWith -e, provides persistent server\n\t-p PORT\tLocal port\n\t-s ADDR\tLocal address\n\t-w SEC\tTimeout for connects and final net reads\n\t-i SEC\tDelay interval for lines sent\n\t-n\tDon't do DNS resolution\n\t-u\tUDP mode\n\t-b\tAllow broadcast\n\t-v\tVerbose\n\t-o FILE\tHex dump traffic\n\t-z\tZero-I/O mode (scanning)\n`;

const SERVICES: Record<string, number> = { http: 80, https: 443, ssh: 22, ftp: 21, smtp: 25, domain: 53, postgresql: 5432, mysql: 3306, redis: 6379 };

export function nc(ctx: CmdContext, argv: string[]): number {
  const e = argv.indexOf('-e', 1);
  const own = e >= 0 ? argv.slice(1, e) : argv.slice(1);
  const o = getopt(own, 'np:s:uvw:lki:o:zb');
  if (o.error || o.args.length > 2) {
    if (o.error) ctx.err(`nc: ${o.error}\n`);
    ctx.err(USAGE);
    return 1;
  }
  const verbose = o.flags.get('v')?.length ?? 0;
  const udp = o.flags.has('u');
  const zero = o.flags.has('z');
  if (o.flags.has('l')) {
    if (ctx.mode === 'main') return KEEPS_RUNNING;
    ctx.err(`nc: listening from an exec session is not simulated (only a container's main command can serve); run it as the container's command\n`);
    return 1;
  }
  if (o.args.length < 2) {
    ctx.err(USAGE);
    return 1;
  }
  const [host, portStr] = o.args;
  const port = /^\d+$/.test(portStr) ? Number(portStr) : SERVICES[portStr];
  if (port === undefined || port > 65535) {
    ctx.err(`nc: bad port '${portStr}'\n`);
    return 1;
  }
  const view = ctx.view;
  if (!view) return 0;
  if (o.flags.has('n') && !parseIp(host)) {
    ctx.err(`nc: bad address '${host}'\n`);
    return 1;
  }
  const res = getaddrinfo(view, ctx.c, host);
  if (!res.ok) {
    ctx.err(`nc: bad address '${host}'\n`);
    return 1;
  }
  const addr = res.addresses[0];
  const dotted = sockaddr(addr, port);
  const conn = connect(ctx, addr, port, udp ? 'udp' : 'tcp');
  const { reach } = conn;
  let ok = reach.outcome === 'ok';
  if (udp) ok = reach.outcome === 'ok' || reach.outcome === 'timeout';
  if (!ok) {
    const errno = errnoOf(reach);
    if (verbose > 1 || (verbose === 1 && errno !== 'ECONNREFUSED')) ctx.err(`nc: ${host} (${dotted}): ${strerror(ctx.c, errno)}\n`);
    return 1;
  }
  if (verbose) ctx.err(`${host} (${dotted}) open\n`);
  if (zero) {
    deliver(ctx, conn, '');
    return 0;
  }
  deliver(ctx, conn, ctx.stdin ?? '');
  // A `nc -l … -e echo TEXT` server answers every connection with TEXT.
  if (conn.listener?.program === 'nc' && conn.listener.reply !== undefined) ctx.out(conn.listener.reply);
  return 0;
}

/** The peer's process gets the data; a one-shot `nc -l` exits after the connection closes. */
function deliver(ctx: CmdContext, conn: ReturnType<typeof connect>, data: string): void {
  const server = conn.server;
  if (!server || conn.listener?.program !== 'nc') return;
  if (data) ctx.effect({ kind: 'log', container: server, text: data });
  if (conn.listener.once && !server.openStdin) ctx.effect({ kind: 'exit', container: server, exitCode: 0 });
}
