/**
 * busybox 1.36 `ping` / `ping6` (networking/ping.c), decided by the engine's model:
 *
 *   PING alpine2 (172.24.0.3): 56 data bytes
 *   64 bytes from 172.24.0.3: seq=0 ttl=64 time=0.199 ms
 *   …
 *   (blank line)
 *   --- alpine2 ping statistics ---
 *   2 packets transmitted, 2 packets received, 0% packet loss
 *   round-trip min/avg/max = 0.135/0.167/0.199 ms
 *
 * - unresolvable name: `ping: bad address 'x'` (musl/glibc both give busybox an error), exit 1;
 * - no route (internal-only container pinging outside): the header, then
 *   `ping: sendto: Network unreachable` (musl's strerror; glibc: `Network is unreachable`), exit 1;
 * - dropped (isolation, ICC off, nothing at the address): no replies, `100% packet loss`, exit 1.
 *   A missing neighbour on a local subnet is shown the same way (busybox ignores the ICMP
 *   host-unreachable errors the kernel generates).
 * - ttl: 64 for containers and the host, 63 for the simulated outside world (one router away).
 * - times: 0.050–0.300 ms locally, 8–25 ms outside, drawn from engine.deps.random; avg is the
 *   integer microsecond mean, as busybox computes it.
 * - no -c/-w: busybox pings until interrupted. An exec session shows 4 replies, then the
 *   statistics as after Ctrl-C (`^C` echoed when a terminal is attached); a container's main
 *   process keeps running.
 */
import { randomInt } from '../../core/ports.js';
import { getopt } from '../argv.js';
import { BUSYBOX_BANNER, KEEPS_RUNNING, strerror, type CmdContext } from '../context.js';
import { getaddrinfo } from '../resolve.js';

const USAGE = `${BUSYBOX_BANNER}\n\nUsage: ping [OPTIONS] HOST\n\nSend ICMP ECHO_REQUESTs to HOST\n\n\t-4,-6\t\tForce IP or IPv6 name resolution\n\t-c CNT\t\tSend only CNT pings\n\t-s SIZE\t\tSend SIZE data bytes in packets (default 56)\n\t-i SECS\t\tInterval\n\t-A\t\tPing as soon as reply is received\n\t-t TTL\t\tSet TTL\n\t-I IFACE/IP\tSource interface or IP address\n\t-W SEC\t\tSeconds to wait for the first response (default 10)\n\t\t\t(after all -c CNT packets are sent)\n\t-w SEC\t\tSeconds until ping exits (default:infinite)\n\t\t\t(can exit earlier with -c CNT)\n\t-q\t\tQuiet, only display output at start/finish\n\t-p HEXBYTE\tPattern to use for payload\n`;

/** `%u.%03u` of a microsecond count. */
export function fmtMs(us: number): string {
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

export function ping(ctx: CmdContext, argv: string[]): number {
  const six = argv[0].endsWith('ping6');
  const o = getopt(argv.slice(1), 'qvAnc:s:t:w:W:I:p:i:46');
  if (o.error || o.args.length !== 1) {
    if (o.error) ctx.err(`ping: ${o.error}\n`);
    ctx.err(USAGE);
    return 1;
  }
  const num = (k: string) => {
    const v = o.flags.get(k)?.at(-1);
    return v === undefined ? undefined : Number(v);
  };
  const count = num('c');
  const deadline = num('w');
  const size = num('s') ?? 56;
  for (const [k, v] of [['c', count], ['w', deadline], ['s', size]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      ctx.err(`ping: invalid number '${o.flags.get(k)!.at(-1)}'\n`);
      return 1;
    }
  }
  const quiet = o.flags.has('q');
  const host = o.args[0];
  const family = six || o.flags.has('6') ? 6 : o.flags.has('4') ? 4 : undefined;
  const finite = (count !== undefined && count > 0) || (deadline !== undefined && deadline > 0);

  const view = ctx.view;
  if (!view) return finite || ctx.mode === 'exec' ? 0 : KEEPS_RUNNING;

  const res = getaddrinfo(view, ctx.c, host, family);
  if (!res.ok) {
    ctx.err(`ping: bad address '${host}'\n`);
    return 1;
  }
  const addr = res.addresses[0];
  ctx.out(`PING ${host} (${addr}): ${size} data bytes\n`);
  const reach = view.reach(ctx.c, addr, 'icmp');
  if (reach.outcome === 'net-unreachable') {
    ctx.err(`ping: sendto: ${strerror(ctx.c, 'ENETUNREACH')}\n`);
    return 1;
  }
  if (!finite && ctx.mode === 'main') {
    if (reach.outcome === 'ok') ctx.out(replyLine(ctx, size, addr, 0, reach.targetKind));
    return KEEPS_RUNNING;
  }
  const interrupted = !finite;
  const c0 = count !== undefined && count > 0 ? count : undefined;
  const d0 = deadline !== undefined && deadline > 0 ? deadline : undefined;
  const transmitted = c0 !== undefined && d0 !== undefined ? Math.min(c0, d0) : (c0 ?? d0 ?? 4);
  const times: number[] = [];
  if (reach.outcome === 'ok') {
    for (let seq = 0; seq < transmitted; seq++) {
      const us = rtt(ctx, reach.targetKind);
      times.push(us);
      if (!quiet) ctx.out(`${size + 8} bytes from ${addr}: seq=${seq} ttl=${ttlFor(reach.targetKind)} time=${fmtMs(us)} ms\n`);
    }
  }
  if (interrupted && ctx.tty) ctx.out('^C');
  const received = times.length;
  const loss = transmitted ? Math.floor(((transmitted - received) * 100) / transmitted) : 0;
  let stats = `\n--- ${host} ping statistics ---\n${transmitted} packets transmitted, ${received} packets received, ${loss}% packet loss\n`;
  if (received > 0) {
    const min = Math.min(...times);
    const max = Math.max(...times);
    const avg = Math.floor(times.reduce((a, b) => a + b, 0) / received);
    stats += `round-trip min/avg/max = ${fmtMs(min)}/${fmtMs(avg)}/${fmtMs(max)} ms\n`;
  }
  ctx.out(stats);
  if (interrupted) return received === 0 ? 1 : 0;
  return received === 0 || (deadline !== undefined && deadline > 0 && count !== undefined && received < count) ? 1 : 0;
}

function ttlFor(kind: string): number {
  return kind === 'external' ? 63 : 64;
}

function rtt(ctx: CmdContext, kind: string): number {
  const random = ctx.view!.engine.deps.random;
  return kind === 'external' ? 8000 + randomInt(random, 17001) : 50 + randomInt(random, 251);
}

function replyLine(ctx: CmdContext, size: number, addr: string, seq: number, kind: string): string {
  return `${size + 8} bytes from ${addr}: seq=${seq} ttl=${ttlFor(kind)} time=${fmtMs(rtt(ctx, kind))} ms\n`;
}
