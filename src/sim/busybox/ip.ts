/**
 * busybox 1.36 `ip` (networking/libiproute): `ip addr|a [show [dev] IF]`, `ip link|l [show IF]`,
 * `ip route|r [show]`, with `-4` / `-6` / `-o`. Layout as busybox prints a Docker container:
 *
 *   1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000
 *       link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
 *       inet 127.0.0.1/8 scope host lo
 *          valid_lft forever preferred_lft forever
 *       inet6 ::1/128 scope host \n       valid_lft forever preferred_lft forever
 *   27: eth0@if28: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue state UP \n
 *       link/ether 02:42:ac:18:00:02 brd ff:ff:ff:ff:ff:ff
 *       inet 172.24.0.2/16 brd 172.24.255.255 scope global eth0
 *          valid_lft forever preferred_lft forever
 *
 * (trailing spaces are busybox's: it prints "state UP " and "scope host " before the newline.)
 * `@ifNN` names the host-side veth (an index the container cannot resolve, hence M-DOWN).
 * Engine 26+ always configures ::1 on lo but disables IPv6 on interfaces of IPv4-only networks,
 * so eth* get inet6 lines (global with `flags 02` = nodad, then link-local) only with IPv6.
 * Interface indexes are derived from the endpoint ID (stable, increasing in attach order).
 *
 *   default via 172.24.0.1 dev eth0 \n
 *   172.24.0.0/16 dev eth0 scope link  src 172.24.0.2 \n
 */
import { netnsOwner } from '../../engine/containers.js';
import { endpointsByPriority } from '../../engine/containers.js';
import { cidrContains, formatIp, parseCidr, parseIp } from '../../ipam/ip.js';
import type { CmdContext } from '../context.js';
import { BUSYBOX_BANNER } from '../context.js';

const USAGE = `${BUSYBOX_BANNER}\n\nUsage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]\n\nOPTIONS := -f[amily] inet|inet6|link | -o[neline]\n\nip addr add|del IFADDR dev IFACE | show|flush [dev IFACE] [to PREFIX]\nip route list|flush|add|del|change|append|replace|test ROUTE\nip link set IFACE [up|down] [arp on|off] [multicast on|off]\n\t[promisc on|off] [mtu NUM] [name NAME] [qlen NUM] [address MAC]\n\t[master IFACE | nomaster] [netns PID]\n`;

interface Addr {
  family: 4 | 6;
  addr: string;
  plen: number;
  scope: 'host' | 'global' | 'link';
  brd?: string;
  label?: string;
  nodad?: boolean;
}

interface Iface {
  index: number;
  name: string;
  /** The first line after `N: `, e.g. `eth0@if28: <…> mtu 1500 qdisc noqueue state UP `. */
  header: string;
  link: string;
  addrs: Addr[];
}

function matchObject(word: string | undefined, full: string, min: number): boolean {
  return word !== undefined && word.length >= min && full.startsWith(word);
}

export function ip(ctx: CmdContext, argv: string[]): number {
  let args = argv.slice(1);
  let family: 4 | 6 | 0 = 0;
  let oneline = false;
  while (args[0]?.startsWith('-')) {
    const opt = args.shift()!;
    if (opt === '-4') family = 4;
    else if (opt === '-6') family = 6;
    else if (opt === '-o' || opt === '-oneline') oneline = true;
    else if (opt === '-f' || opt === '-family') {
      const f = args.shift();
      family = f === 'inet' ? 4 : f === 'inet6' ? 6 : 0;
    } else {
      ctx.err(USAGE);
      return 1;
    }
  }
  const obj = args[0];
  const rest = args.slice(1);
  if (!ctx.view) return 0;
  const ifaces = interfaces(ctx);
  if (obj === undefined) {
    ctx.err(USAGE);
    return 1;
  }
  if (matchObject(obj, 'address', 1)) return showAddr(ctx, ifaces, rest, family, oneline, true);
  if (matchObject(obj, 'link', 1)) return showAddr(ctx, ifaces, rest, family, oneline, false);
  if (matchObject(obj, 'route', 1)) return showRoute(ctx, ifaces, rest, family);
  if (matchObject(obj, 'neighbor', 1) || obj === 'neigh') return 0;
  ctx.err(`ip: unknown command '${obj}'\n`);
  return 1;
}

const LO: Iface = {
  index: 1,
  name: 'lo',
  header: 'lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000',
  link: 'link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
  addrs: [
    { family: 4, addr: '127.0.0.1', plen: 8, scope: 'host', label: 'lo' },
    { family: 6, addr: '::1', plen: 128, scope: 'host' },
  ],
};

/** Container-side index of an endpoint's interface (its host-side veth is index + 1). */
function ifIndex(epId: string): number {
  return 40 + 2 * (parseInt(epId.slice(0, 6), 16) % 40);
}

function mtuOf(ctx: CmdContext, networkId: string): number {
  const net = ctx.view!.engine.networks.get(networkId);
  return Number(net?.options['com.docker.network.driver.mtu'] ?? 1500) || 1500;
}

function interfaces(ctx: CmdContext): Iface[] {
  const view = ctx.view!;
  const owner = netnsOwner(view.engine, ctx.c);
  if (owner.networkMode === 'host') return hostInterfaces(ctx);
  const out: Iface[] = [LO];
  let prev = 1;
  for (const ep of owner.endpoints) {
    if (!ep.ifname) continue;
    let index = ifIndex(ep.id);
    if (index <= prev) index = prev + 2;
    prev = index + 1;
    const addrs: Addr[] = [];
    if (ep.ipv4 && ep.ipv4PrefixLen !== undefined) {
      addrs.push({ family: 4, addr: ep.ipv4, plen: ep.ipv4PrefixLen, scope: 'global', brd: broadcast(ep.ipv4, ep.ipv4PrefixLen), label: ep.ifname });
    }
    if (ep.ipv6 && ep.ipv6PrefixLen !== undefined) {
      addrs.push({ family: 6, addr: ep.ipv6, plen: ep.ipv6PrefixLen, scope: 'global', nodad: true });
      addrs.push({ family: 6, addr: linkLocal(ep.mac), plen: 64, scope: 'link' });
    }
    out.push({
      index,
      name: ep.ifname,
      header: `${ep.ifname}@if${index + 1}: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu ${mtuOf(ctx, ep.networkId)} qdisc noqueue state UP `,
      link: `link/ether ${ep.mac} brd ff:ff:ff:ff:ff:ff`,
      addrs,
    });
  }
  return out;
}

/** A deterministic MAC from an ID (bridges have random ones; ours are stable). */
function macFromId(id: string, legacy: boolean): string {
  const hex = id.padEnd(12, '0');
  const bytes = [0, 1, 2, 3, 4, 5].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
  if (legacy) return ['02', '42', ...bytes.slice(0, 4).map((b) => b.toString(16).padStart(2, '0'))].join(':');
  bytes[0] = (bytes[0] & 0xfe) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** `--network host`: the host's interfaces, its Docker bridges and the veths plugged into them. */
function hostInterfaces(ctx: CmdContext): Iface[] {
  const engine = ctx.view!.engine;
  const out: Iface[] = [LO];
  let index = 2;
  for (const a of engine.host.addresses) {
    const [addr, plen] = a.cidr.split('/');
    const family = addr.includes(':') ? 6 : 4;
    const n = index++;
    out.push({
      index: n,
      name: a.ifname,
      header: `${a.ifname}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP qlen 1000`,
      link: `link/ether 52:54:00:12:34:${(0x54 + n).toString(16).padStart(2, '0')} brd ff:ff:ff:ff:ff:ff`,
      addrs: [{ family, addr, plen: Number(plen), scope: 'global', brd: family === 4 ? broadcast(addr, Number(plen)) : undefined, label: a.ifname, nodad: false }],
    });
  }
  const legacy = engine.profile.name === 'legacy';
  const veths: Iface[] = [];
  for (const net of engine.networks.values()) {
    if (net.driver !== 'bridge') continue;
    const name = net.options['com.docker.network.bridge.name'] ?? `br-${net.id.slice(0, 12)}`;
    const members = engine.endpointsOn(net.id);
    const pool = engine.ipam.get(net.id);
    const addrs: Addr[] = [];
    const gw = pool?.gateway(4);
    const sub = pool?.subnets(4)[0];
    if (gw && sub) addrs.push({ family: 4, addr: gw, plen: Number(sub.split('/')[1]), scope: 'global', brd: broadcast(gw, Number(sub.split('/')[1])), label: name });
    const carrier = members.length ? '<BROADCAST,MULTICAST,UP,LOWER_UP>' : '<NO-CARRIER,BROADCAST,MULTICAST,UP>';
    out.push({
      index: index++,
      name,
      header: `${name}: ${carrier} mtu ${mtuOf(ctx, net.id)} qdisc noqueue state ${members.length ? 'UP' : 'DOWN'} `,
      link: `link/ether ${macFromId(net.id, legacy)} brd ff:ff:ff:ff:ff:ff`,
      addrs,
    });
    for (const m of members) {
      const ci = ifIndex(m.endpoint.id);
      const vname = `veth${m.endpoint.id.slice(0, 7)}`;
      veths.push({
        index: ci + 1,
        name: vname,
        header: `${vname}@if${ci}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${mtuOf(ctx, net.id)} qdisc noqueue master ${name} state UP `,
        link: `link/ether ${macFromId(m.endpoint.id.slice(12), false)} brd ff:ff:ff:ff:ff:ff`,
        addrs: [],
      });
    }
  }
  return [...out, ...veths.sort((a, b) => a.index - b.index)];
}

function showAddr(ctx: CmdContext, ifaces: Iface[], args: string[], family: 4 | 6 | 0, oneline: boolean, withAddrs: boolean): number {
  let a = args;
  if (a[0] === 'show' || a[0] === 'list' || a[0] === 'lst' || a[0] === 'sh' || a[0] === 'ls') a = a.slice(1);
  let dev: string | undefined;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 'dev') dev = a[++i];
    else if (a[i] === 'up' || a[i] === 'scope' || a[i] === 'to' || a[i] === 'label') {
      if (a[i] !== 'up') i++;
    } else dev = a[i];
  }
  let list = ifaces;
  if (dev !== undefined) {
    list = ifaces.filter((i) => i.name === dev);
    if (list.length === 0) {
      ctx.err(`ip: can't find device '${dev}'\n`);
      return 1;
    }
  }
  for (const i of list) {
    const addrs = withAddrs ? addrLines(i, family) : [];
    if (withAddrs && family !== 0 && addrs.length === 0) continue;
    if (oneline && withAddrs) {
      for (const l of addrs) ctx.out(`${i.index}: ${i.name}${l.replace(/^ {4}/, ' ').replace(/\n {7}/, '\\       ')}\n`);
      continue;
    }
    ctx.out(linkLine(i));
    for (const l of addrs) ctx.out(`${l}\n`);
  }
  return 0;
}

function linkLine(i: Iface): string {
  return `${i.index}: ${i.header}\n    ${i.link}\n`;
}

const LFT = '\n       valid_lft forever preferred_lft forever';

function addrLines(i: Iface, family: 4 | 6 | 0): string[] {
  return i.addrs
    .filter((a) => family === 0 || a.family === family)
    .map((a) => {
      if (a.family === 4) return `    inet ${a.addr}/${a.plen} ${a.brd ? `brd ${a.brd} ` : ''}scope ${a.scope} ${a.label ?? ''}${LFT}`;
      return `    inet6 ${a.addr}/${a.plen} scope ${a.scope} ${a.nodad ? 'flags 02 ' : ''}${LFT}`;
    });
}

export function broadcast(addr: string, prefix: number): string {
  const ip = parseIp(addr)!;
  const host = (1n << BigInt(32 - prefix)) - 1n;
  return formatIp({ family: 4, value: ip.value | host });
}

/** EUI-64 link-local address from a MAC (02:42:ac:11:00:02 → fe80::42:acff:fe11:2). */
export function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const bytes = [b[0] ^ 2, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]];
  let value = 0xfe80n << 112n;
  for (let k = 0; k < 8; k++) value |= BigInt(bytes[k]) << BigInt(8 * (7 - k));
  return formatIp({ family: 6, value });
}

function showRoute(ctx: CmdContext, ifaces: Iface[], args: string[], family: 4 | 6 | 0): number {
  const a = args[0] === 'show' || args[0] === 'list' || args[0] === 'ls' ? args.slice(1) : args;
  if (a.length && !['table', 'dev', 'all'].includes(a[0])) {
    ctx.err(`ip: invalid argument '${a[0]}' to 'ip route'\n`);
    return 1;
  }
  const view = ctx.view!;
  const owner = netnsOwner(view.engine, ctx.c);
  const fam = family === 6 ? 6 : 4;
  if (owner.networkMode === 'host') {
    const def = view.engine.host.routes.find((r) => r.via && (r.destination === '0.0.0.0/0' || r.destination === 'default'));
    if (def && fam === 4) {
      const dev = ifaces.find((i) => i.addrs.some((x) => x.family === 4 && x.scope === 'global' && cidrContains(parseCidr(`${x.addr}/${x.plen}`)!, parseIp(def.via!)!.value)));
      ctx.out(`default via ${def.via} dev ${dev?.name ?? 'eth0'} \n`);
    }
  } else {
    const gwEp = endpointsByPriority(view.engine, owner).find((ep) => (fam === 4 ? ep.gateway : ep.ipv6Gateway));
    if (gwEp) {
      const gw = fam === 4 ? gwEp.gateway : gwEp.ipv6Gateway;
      ctx.out(fam === 4 ? `default via ${gw} dev ${gwEp.ifname} \n` : `default via ${gw} dev ${gwEp.ifname} metric 1024 \n`);
    }
  }
  const connected: Array<{ net: bigint; line: string }> = [];
  for (const i of ifaces) {
    if (i.name === 'lo') continue;
    for (const x of i.addrs) {
      if (x.family !== fam) continue;
      const c = parseCidr(`${x.addr}/${x.plen}`)!;
      const subnet = `${formatIp({ family: fam, value: c.network })}/${x.plen}`;
      if (fam === 4) connected.push({ net: c.network, line: `${subnet} dev ${i.name} scope link  src ${x.addr} \n` });
      else connected.push({ net: c.network, line: `${subnet} dev ${i.name}  metric 256 \n` });
    }
  }
  connected.sort((x, y) => (x.net < y.net ? -1 : x.net > y.net ? 1 : 0));
  for (const r of connected) ctx.out(r.line);
  return 0;
}
