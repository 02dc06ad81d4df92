/**
 * What a container's main process listens on, read from its command line (including the commands
 * inside `sh -c '…'` chains). The address matters: `127.0.0.1` is reachable only from inside the
 * container; `0.0.0.0` from everywhere over IPv4; `::` is a dual-stack socket (IPv4 too).
 *
 * Defaults, per program:
 *   - busybox `nc -l [-k] [-u] [-s ADDR] -p PORT [HOST [PORT]]`: binds ADDR, else `::` (nc tries
 *     IPv6 first), or `0.0.0.0` when the peer filter HOST is IPv4. `nc -l 8080` (BSD syntax) makes
 *     busybox treat 8080 as the peer HOST and listen on a random port: no usable listener.
 *   - busybox `httpd [-f] [-p [IP:]PORT]`: port 80, `::` (with or without -f; without -f it
 *     daemonizes, which only matters for whether the container stays up).
 *   - `python[3] -m http.server [PORT] [--bind ADDR]`: 8000 on `::` (Python 3.8+ dual stack).
 *   - `http-server [-a ADDR] [-p PORT]`: 8080 on 0.0.0.0.
 *   - nginx (default config): 80 on 0.0.0.0 and `::`; postgres 5432 and redis-server 6379 on
 *     0.0.0.0 and `::` (the official images listen on all interfaces).
 *   - `socat TCP-LISTEN:PORT[,bind=ADDR]…` (TCP4-/TCP6-/UDP-/UDP4-/UDP6-LISTEN too).
 * Listeners started later through `docker exec` are not modelled; on the real data plane explain
 * reads the container's socket tables instead (proc-net.ts).
 */
import type { ContainerRecord } from '../engine/model.js';
import { parseIp } from '../ipam/ip.js';
import { commandsOf, getopt } from './argv.js';
import { basename } from './context.js';

export type ListenerProgram = 'nc' | 'httpd' | 'python-http' | 'http-server' | 'nginx' | 'postgres' | 'redis' | 'socat';

export interface Listener {
  port: number;
  protocol: 'tcp' | 'udp';
  address: string;
  /** Which program owns the socket (decides what a client gets back). */
  program?: ListenerProgram;
  /** `nc -l` serves a single connection, then exits (unless `-k` or `-ll` with `-e`). */
  once?: boolean;
  /** What the server writes back to each client (`nc -l … -e echo TEXT` → "TEXT\n"). */
  reply?: string;
}

export function listenersOf(c: ContainerRecord): Listener[] {
  const out: Listener[] = [];
  for (const argv of commandsOf(c)) {
    for (const l of commandListeners(argv)) {
      if (!out.some((o) => o.port === l.port && o.protocol === l.protocol && o.address === l.address)) out.push(l);
    }
  }
  return out;
}

const validPort = (p: number) => Number.isInteger(p) && p > 0 && p < 65536;

/** Listeners a single command opens (empty for clients and one-shot commands). */
export function commandListeners(argv: string[]): Listener[] {
  if (argv.length === 0) return [];
  const name = basename(argv[0]);
  const args = argv.slice(1);
  switch (name) {
    case 'nc':
    case 'netcat':
      return ncListeners(args);
    case 'httpd': {
      const o = getopt(args, 'ifvc:d:e:h:m:p:r:u:');
      if (o.error || o.flags.has('i') || o.flags.has('d') || o.flags.has('e') || o.flags.has('m')) return [];
      const spec = o.flags.get('p')?.at(-1) ?? '80';
      const m = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(spec);
      if (!m || !validPort(Number(m[2]))) return [];
      return [{ port: Number(m[2]), protocol: 'tcp', address: m[1] || '::', program: 'httpd' }];
    }
    case 'python':
    case 'python3':
    case 'python2': {
      const mi = args.indexOf('-m');
      const mod = mi >= 0 ? args[mi + 1] : undefined;
      if (mod !== 'http.server' && mod !== 'SimpleHTTPServer') return [];
      const rest = args.slice(mi + 2);
      const o = getopt(rest, 'b:d:', { bind: true, directory: true, cgi: false, protocol: true });
      const port = o.args[0] !== undefined ? Number(o.args[0]) : 8000;
      if (!validPort(port)) return [];
      const bind = o.flags.get('b')?.at(-1) ?? o.flags.get('bind')?.at(-1);
      const address = mod === 'SimpleHTTPServer' ? '0.0.0.0' : bind ?? '::';
      return [{ port, protocol: 'tcp', address, program: 'python-http' }];
    }
    case 'http-server': {
      const o = getopt(args, 'p:a:d:i:g:b:e:s:c:t:u:P:C:K:S:U:r:o:h', {
        port: true, address: true, cors: false, gzip: false, brotli: false, silent: false, ssl: false, proxy: true, 'no-dotfiles': false,
        'log-ip': false, 'cache': true, help: false, 'base-dir': true, tls: false, cert: true, key: true, robots: false, username: true, password: true,
      });
      const port = Number(o.flags.get('p')?.at(-1) ?? o.flags.get('port')?.at(-1) ?? 8080);
      if (!validPort(port)) return [];
      const address = o.flags.get('a')?.at(-1) ?? o.flags.get('address')?.at(-1) ?? '0.0.0.0';
      return [{ port, protocol: 'tcp', address, program: 'http-server' }];
    }
    case 'nginx':
      if (args.includes('-t') || args.includes('-v') || args.includes('-V') || args.includes('-s')) return [];
      return dual(80, 'nginx');
    case 'postgres': {
      let port = 5432;
      const o = getopt(args, 'p:c:D:h:k:B:d:N:', {}, true);
      const p = o.flags.get('p')?.at(-1);
      if (p) port = Number(p);
      for (const kv of o.flags.get('c') ?? []) if (kv.startsWith('port=')) port = Number(kv.slice(5));
      return validPort(port) ? dual(port, 'postgres') : [];
    }
    case 'redis-server': {
      let port = 6379;
      const pi = args.indexOf('--port');
      if (pi >= 0) port = Number(args[pi + 1]);
      if (!validPort(port)) return [];
      const bi = args.indexOf('--bind');
      if (bi >= 0) {
        const addrs: string[] = [];
        for (let i = bi + 1; i < args.length && !args[i].startsWith('--'); i++) addrs.push(args[i].replace(/^-/, ''));
        return addrs.map((a) => ({ port, protocol: 'tcp' as const, address: a === '*' ? '0.0.0.0' : a, program: 'redis' as const }));
      }
      return dual(port, 'redis');
    }
    case 'socat':
      return socatListeners(args);
    default:
      return [];
  }
}

function dual(port: number, program: ListenerProgram): Listener[] {
  return [
    { port, protocol: 'tcp', address: '0.0.0.0', program },
    { port, protocol: 'tcp', address: '::', program },
  ];
}

function ncListeners(args: string[]): Listener[] {
  // -e PROG ends option parsing: everything after belongs to PROG.
  const e = args.indexOf('-e');
  const own = e >= 0 ? args.slice(0, e) : args;
  const o = getopt(own, 'np:s:uvw:lki:o:z');
  if (o.error || !o.flags.has('l')) return [];
  const portStr = o.flags.get('p')?.at(-1);
  if (!portStr) return [];
  const port = Number(portStr);
  if (!validPort(port)) return [];
  const protocol = o.flags.has('u') ? 'udp' : 'tcp';
  let address = o.flags.get('s')?.at(-1);
  if (!address) {
    const peer = o.args[0] ? parseIp(o.args[0]) : null;
    address = peer?.family === 4 ? '0.0.0.0' : '::';
  }
  // busybox counts -l: `-ll` is the same as `-lk` (nc_bloaty.c: -k sets the count to 2; nc.c: "-ll with -e").
  const persistent = (o.flags.has('k') || (o.flags.get('l')?.length ?? 0) >= 2) && e >= 0;
  const prog = e >= 0 ? args.slice(e + 1) : [];
  const reply = prog.length && basename(prog[0]) === 'echo' ? `${prog.slice(1).join(' ')}\n` : undefined;
  return [{ port, protocol, address, program: 'nc', once: !persistent, ...(reply !== undefined ? { reply } : {}) }];
}

function socatListeners(args: string[]): Listener[] {
  for (const a of args) {
    const m = /^(TCP|TCP4|TCP6|UDP|UDP4|UDP6)-(LISTEN|RECVFROM|RECV):(\d+)(,.*)?$/i.exec(a);
    if (!m) continue;
    const port = Number(m[3]);
    if (!validPort(port)) return [];
    const kind = m[1].toUpperCase();
    const bind = /,bind=([^,]+)/i.exec(m[4] ?? '')?.[1];
    const address = bind ?? (kind.endsWith('6') ? '::' : '0.0.0.0');
    return [{ port, protocol: kind.startsWith('UDP') ? 'udp' : 'tcp', address, program: 'socat' }];
  }
  return [];
}
