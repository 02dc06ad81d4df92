/**
 * busybox `netstat` listing the container's listening sockets (the ones listeners.ts derives from
 * the main command), e.g. `netstat -tln`:
 *
 *   Active Internet connections (only servers)
 *   Proto Recv-Q Send-Q Local Address           Foreign Address         State       \n
 *   tcp        0      0 127.0.0.1:8080          0.0.0.0:*               LISTEN      \n
 *
 * This is the quickest way to see "listens on 127.0.0.1, so other containers are refused".
 * Established connections are not modelled (nothing lingers in the simulation).
 */
import { getopt } from '../argv.js';
import type { CmdContext } from '../context.js';

const SERVICES: Record<number, string> = { 21: 'ftp', 22: 'ssh', 25: 'smtp', 53: 'domain', 80: 'http', 443: 'https', 3306: 'mysql', 5432: 'postgresql' };

function hostPort(addr: string, port: number, numeric: boolean): string {
  let host = addr;
  if (!numeric && addr === '127.0.0.1') host = 'localhost';
  if (!numeric && addr === '::1') host = 'localhost';
  const svc = numeric ? String(port) : (SERVICES[port] ?? String(port));
  return `${host}:${svc}`;
}

export function netstat(ctx: CmdContext, argv: string[]): number {
  const o = getopt(argv.slice(1), 'laentuwxrWp');
  if (o.error) {
    ctx.err(`netstat: ${o.error}\n`);
    return 1;
  }
  const listening = o.flags.has('l');
  const all = o.flags.has('a');
  const numeric = o.flags.has('n');
  const anyProto = o.flags.has('t') || o.flags.has('u') || o.flags.has('w') || o.flags.has('x');
  const tcp = o.flags.has('t') || !anyProto;
  const udp = o.flags.has('u') || !anyProto;
  const prog = o.flags.has('p');
  const mode = all ? '(servers and established)' : listening ? '(only servers)' : '(w/o servers)';
  let out = `Active Internet connections ${mode}\nProto Recv-Q Send-Q Local Address           Foreign Address         State       ${prog ? 'PID/Program name' : ''}\n`;
  if (ctx.view && (listening || all)) {
    const sockets = ctx.view.listeners(ctx.c);
    for (const l of sockets) {
      if ((l.protocol === 'tcp' && !tcp) || (l.protocol === 'udp' && !udp)) continue;
      const v6 = l.address.includes(':');
      const proto = l.protocol + (v6 ? '6' : '');
      const local = hostPort(l.address, l.port, numeric);
      const foreign = `${v6 ? '::' : '0.0.0.0'}:*`;
      const state = l.protocol === 'tcp' ? 'LISTEN' : '';
      const pname = prog ? `1/${l.program ?? '-'}` : '';
      out += `${proto}   ${'0'.padStart(6)} ${'0'.padStart(6)} ${local.padEnd(23)} ${foreign.padEnd(23)} ${state.padEnd(12)}${pname}\n`;
    }
  }
  if (!anyProto || o.flags.has('x')) {
    out += `Active UNIX domain sockets ${mode}\nProto RefCnt Flags       Type       State         I-Node ${prog ? 'PID/Program name    ' : ''}Path\n`;
  }
  ctx.out(out);
  return 0;
}
