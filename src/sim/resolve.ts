/**
 * Name resolution as a busybox applet on musl sees it (`getaddrinfo`): numeric addresses, then
 * the container's /etc/hosts, then its nameserver (A and AAAA), then musl's RFC 3484 sort
 * (usable routes first, `::1` before IPv4, longest prefix match with the source address, then
 * answer order). The applets use the first address. glibc images behave the same for the cases
 * the simulator models.
 *
 * Consequences worth knowing, all real: `localhost` is `::1` first (Engine 26+ configures ::1 in
 * every container, and /etc/hosts lists it), so a server listening on 0.0.0.0 only refuses
 * `wget localhost`; and with several addresses for one name (a shared alias), musl prefers the
 * one closest to its own address, so round-robin DNS does not spread busybox clients.
 */
import { parseIp, type ParsedIp } from '../ipam/ip.js';
import { cidrContains, parseCidr } from '../ipam/ip.js';
import type { ContainerRecord } from '../engine/model.js';
import { endpointsByPriority, netnsOwner } from '../engine/containers.js';
import { hostsFile, parseHostsFile } from '../dns/files.js';
import type { LookupResult, NetView } from './netview.js';

export type ResolveFailure = 'nxdomain' | 'servfail' | 'timeout' | 'nodata';

export type Resolution =
  | { ok: true; addresses: string[]; source: 'numeric' | 'hosts' | 'dns' }
  | { ok: false; failure: ResolveFailure; reason: string };

/** Addresses /etc/hosts gives for a name, in file order. */
export function hostsAddresses(view: NetView, c: ContainerRecord, name: string): string[] {
  const lower = name.toLowerCase().replace(/\.$/, '');
  const out: string[] = [];
  for (const line of parseHostsFile(hostsFile(view.engine, c))) {
    if (line.names.some((n) => n.toLowerCase() === lower) && !out.includes(line.ip)) out.push(line.ip);
  }
  return out;
}

function familyOf(ip: string): 4 | 6 {
  return ip.includes(':') ? 6 : 4;
}

/**
 * getaddrinfo(name, AF_UNSPEC or the given family). Consumes randomness only through the
 * embedded DNS (round-robin shuffle).
 */
export function getaddrinfo(view: NetView, c: ContainerRecord, name: string, family?: 4 | 6): Resolution {
  const bare = name.replace(/^\[(.*)\]$/, '$1');
  const lit = parseIp(bare);
  if (lit) {
    if (family && lit.family !== family) return { ok: false, failure: 'nodata', reason: `${bare} is not an IPv${family} address` };
    return { ok: true, addresses: [bare], source: 'numeric' };
  }
  if (name === '' || name.endsWith('..')) return { ok: false, failure: 'nxdomain', reason: 'empty name' };
  let found = hostsAddresses(view, c, name).filter((a) => !family || familyOf(a) === family);
  let source: 'hosts' | 'dns' = 'hosts';
  if (found.length === 0) {
    source = 'dns';
    const results: LookupResult[] = [];
    if (family !== 6) results.push(view.dnsQuery(c, name, 4));
    if (family !== 4) results.push(view.dnsQuery(c, name, 6));
    found = results.flatMap((r) => (r.kind === 'answer' ? r.addresses : []));
    if (found.length === 0) {
      const first = results.find((r) => r.kind !== 'nodata') ?? results[0];
      const failure: ResolveFailure = first.kind === 'answer' ? 'nodata' : first.kind;
      return { ok: false, failure, reason: first.reason };
    }
  }
  if (family === 4 || found.length === 1) return { ok: true, addresses: found, source };
  return { ok: true, addresses: sortDestinations(view, c, found), source };
}

/** musl's destination ordering (lookup_name.c addrcmp keys), reduced to what we model. */
export function sortDestinations(view: NetView, c: ContainerRecord, addresses: string[]): string[] {
  const keyed = addresses.map((a, i) => {
    const ip = parseIp(a)!;
    const src = sourceAddress(view, c, ip);
    const mapped = toMapped(ip);
    let key = 0;
    if (src) {
      key += 1 << 30; // usable
      key += (src.family === ip.family ? 1 : 0) << 29; // matching scope/label, simplified
      key += precedence(ip) << 20;
      key += commonPrefix(mapped, toMapped(src)) << 8;
    } else key += precedence(ip) << 20;
    key += 255 - i;
    return { a, key };
  });
  return keyed.sort((x, y) => y.key - x.key).map((k) => k.a);
}

function precedence(ip: ParsedIp): number {
  if (ip.family === 4) return 35;
  if (ip.value === 1n) return 50;
  if (ip.value >> 121n === 0x7en) return 3; // fc00::/7 ULA
  if (ip.value >> 125n === 1n) return 40; // 2000::/3
  return 40;
}

function toMapped(ip: ParsedIp): bigint {
  return ip.family === 4 ? (0xffffn << 32n) | ip.value : ip.value;
}

function commonPrefix(a: bigint, b: bigint): number {
  for (let i = 127; i >= 0; i--) {
    if (((a >> BigInt(i)) & 1n) !== ((b >> BigInt(i)) & 1n)) return 127 - i;
  }
  return 128;
}

/** The source address the kernel would pick to reach `ip`, or null when there is no route. */
export function sourceAddress(view: NetView, c: ContainerRecord, ip: ParsedIp): ParsedIp | null {
  const owner = netnsOwner(view.engine, c);
  if (ip.family === 4 && ip.value >> 24n === 127n) return ip;
  if (ip.family === 6 && ip.value === 1n) return ip;
  if (owner.networkMode === 'host') {
    const hostAddr = view.engine.host.addresses.map((a) => parseIp(a.cidr.split('/')[0])).find((x) => x?.family === ip.family);
    return hostAddr ?? null;
  }
  for (const ep of owner.endpoints) {
    const pool = view.engine.ipam.get(ep.networkId);
    const addr = ip.family === 4 ? ep.ipv4 : ep.ipv6;
    if (!pool || !addr) continue;
    if (pool.subnets(ip.family).some((s) => cidrContains(parseCidr(s)!, ip.value))) return parseIp(addr);
  }
  const gw = endpointsByPriority(view.engine, owner).find((ep) => (ip.family === 4 ? ep.gateway : ep.ipv6Gateway));
  const addr = gw && (ip.family === 4 ? gw.ipv4 : gw.ipv6);
  return addr ? parseIp(addr) : null;
}

/** `ip:port` as busybox prints a sockaddr (`[v6]:port` for IPv6). */
export function sockaddr(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
