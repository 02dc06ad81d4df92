/**
 * The simulated data plane's answers: name resolution and reachability as seen from inside a
 * container (or from the host), derived from the engine model and Docker's rules
 * (docker-engine.md §10, §13). Every answer carries a reason, which is what `explain` prints.
 */
import { parseCidr, parseIp, cidrContains } from '../ipam/ip.js';
import { shuffle } from '../core/ports.js';
import { bindingsProgrammed, endpointsByPriority, netnsOwner } from '../engine/containers.js';
import { iccEnabled, type Engine } from '../engine/engine.js';
import type { ContainerRecord, EndpointRecord, NetworkRecord } from '../engine/model.js';
import { listenersOf, type Listener } from './listeners.js';

export type LookupResult =
  | { kind: 'answer'; addresses: string[]; source: 'hosts' | 'embedded' | 'upstream'; network?: string; reason: string }
  | { kind: 'nodata'; source: 'embedded' | 'upstream'; reason: string }
  | { kind: 'nxdomain'; reason: string }
  | { kind: 'servfail'; reason: string }
  | { kind: 'timeout'; reason: string };

export type ReachOutcome = 'ok' | 'refused' | 'net-unreachable' | 'host-unreachable' | 'timeout';

export interface ReachResult {
  outcome: ReachOutcome;
  /** Container that received the packet, if any. */
  target?: ContainerRecord;
  targetKind: 'container' | 'host' | 'external' | 'none';
  /** Source address the target sees. */
  reason: string;
}

export type Proto = 'tcp' | 'udp' | 'icmp';

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';

export class NetView {
  /**
   * @param observedListeners what a container's network namespace really listens on, when a real
   *   data plane can tell (undefined: not known, e.g. not running); else the model of listeners.ts,
   *   which reads command lines and so misses servers started by `docker exec`.
   */
  constructor(
    readonly engine: Engine,
    private readonly observedListeners?: (c: ContainerRecord) => Listener[] | undefined,
  ) {}

  network(id: string): NetworkRecord {
    return this.engine.networks.get(id)!;
  }

  /** Endpoints of the container's network namespace (follows `container:` mode). */
  endpoints(c: ContainerRecord): EndpointRecord[] {
    return netnsOwner(this.engine, c).endpoints;
  }

  hasEmbeddedDns(c: ContainerRecord): boolean {
    return this.endpoints(c).some((ep) => !this.network(ep.networkId).predefined);
  }

  private hasExternalAccess(c: ContainerRecord): boolean {
    const owner = netnsOwner(this.engine, c);
    if (owner.networkMode === 'host') return true;
    return owner.endpoints.some((ep) => {
      const n = this.network(ep.networkId);
      return !n.internal && n.driver !== 'null';
    });
  }

  /** /etc/hosts lookup, as busybox's resolver does first. */
  hostsLookup(c: ContainerRecord, name: string): string[] {
    const out: string[] = [];
    const lower = name.toLowerCase();
    if (lower === 'localhost') return ['127.0.0.1'];
    const owner = netnsOwner(this.engine, c);
    if (lower === owner.hostname.toLowerCase()) {
      for (const ep of owner.endpoints) if (ep.ipv4) out.push(ep.ipv4);
      if (owner.networkMode === 'host') out.push('127.0.1.1');
    }
    for (const link of c.links) {
      if (link.alias.toLowerCase() !== lower && link.target.toLowerCase() !== lower) continue;
      const target = this.engine.containersByName.get(link.target);
      const ep = target?.endpoints.find((e) => this.network(e.networkId).name === 'bridge');
      if (ep?.ipv4) out.push(ep.ipv4);
    }
    for (const h of c.extraHosts) {
      const [n, ip] = splitExtraHost(h);
      if (n.toLowerCase() === lower) out.push(ip);
    }
    return out;
  }

  /** A/AAAA lookup from inside a container (hosts file, then its nameserver). */
  lookup(c: ContainerRecord, rawName: string, family: 4 | 6 = 4): LookupResult {
    const name = rawName.replace(/\.$/, '');
    const ip = parseIp(name);
    if (ip) return { kind: 'answer', addresses: [name], source: 'hosts', reason: 'the name is an address' };
    const fromHosts = this.hostsLookup(c, name).filter((a) => parseIp(a)?.family === family);
    if (fromHosts.length) return { kind: 'answer', addresses: fromHosts, source: 'hosts', reason: `/etc/hosts of ${c.name} has ${name}` };
    const owner = netnsOwner(this.engine, c);
    if (owner.status !== 'running') return { kind: 'timeout', reason: `${c.name} is not running` };
    if (this.hasEmbeddedDns(c)) return this.embeddedLookup(c, name, family);
    if (owner.networkMode === 'none' || owner.endpoints.length === 0 && owner.networkMode !== 'host') {
      return { kind: 'timeout', reason: `${c.name} has no network (mode none): its nameserver is unreachable` };
    }
    const why = owner.networkMode === 'host' ? `${c.name} uses the host's network and the host's resolver (no embedded DNS)` : `${c.name} is only on the default bridge, which has no embedded DNS`;
    return this.upstreamLookup(name, family, `${why}: ${name} went to the host's nameservers`);
  }

  private embeddedLookup(c: ContainerRecord, name: string, family: 4 | 6): LookupResult {
    const eps = endpointsByPriority(this.engine, netnsOwner(this.engine, c)).filter((ep) => !this.network(ep.networkId).predefined);
    const candidates: Array<{ name: string; networkName?: string }> = [{ name }];
    const labels = name.split('.');
    for (let i = labels.length - 1; i >= 1; i--) candidates.push({ name: labels.slice(0, i).join('.'), networkName: labels.slice(i).join('.') });
    const owner = netnsOwner(this.engine, c);
    for (const ep of eps) {
      const net = this.network(ep.networkId);
      for (const cand of candidates) {
        if (cand.networkName !== undefined && cand.networkName.toLowerCase() !== net.name.toLowerCase()) continue;
        // The querier's own links on this network come first: `--link target:alias` makes alias a
        // name of target for this container only (moby's Sandbox.ResolveName, ep.aliases).
        const linked = cand.networkName === undefined ? linkTarget(owner, net.id, cand.name) : undefined;
        const entries = this.engine.dns.lookup(net.id, linked ?? cand.name);
        if (!entries || entries.length === 0) continue;
        const addrs = [...new Set(entries.map((e) => (family === 4 ? e.ipv4 : e.ipv6)).filter((a): a is string => !!a))];
        const owners = [...new Set(entries.map((e) => this.engine.containers.get(e.containerId)?.name))].join(', ');
        if (addrs.length === 0) return { kind: 'nodata', source: 'embedded', reason: `${cand.name} is known on ${net.name} but has no IPv${family} address` };
        return {
          kind: 'answer',
          addresses: shuffle(this.engine.deps.random, addrs),
          source: 'embedded',
          network: net.name,
          reason: `embedded DNS (127.0.0.11) answered from network ${net.name}: the name ${cand.name} belongs to ${owners}`,
        };
      }
    }
    const nets = eps.map((ep) => this.network(ep.networkId).name).join(', ');
    if (!this.hasExternalAccess(c)) {
      return { kind: 'servfail', reason: `${name} is not a container name on ${nets}, and ${c.name} is only on internal networks, so the embedded DNS cannot forward the query` };
    }
    const res = this.upstreamLookup(name, family, `${name} is not a running container or alias on ${c.name}'s networks (${nets}); forwarded to the host's nameservers`);
    return res;
  }

  private upstreamLookup(name: string, family: 4 | 6, reason: string): LookupResult {
    if (this.engine.host.nameservers.length === 0) return { kind: 'servfail', reason: `${reason}, but the host has no nameservers` };
    const addr = this.engine.host.externalHosts[name.toLowerCase()];
    if (addr && parseIp(addr)?.family === family) return { kind: 'answer', addresses: [addr], source: 'upstream', reason };
    if (addr) return { kind: 'nodata', source: 'upstream', reason };
    return { kind: 'nxdomain', reason: `${reason}, which do not know it` };
  }

  /** PTR lookup: `<first DNS name>.<network>` on a network the container is attached to. */
  reverse(c: ContainerRecord, address: string): string | undefined {
    for (const ep of endpointsByPriority(this.engine, netnsOwner(this.engine, c))) {
      const ptr = this.engine.dns.reverse(ep.networkId, address);
      if (ptr) return `${ptr.name}.${ptr.networkName}`;
    }
    return undefined;
  }

  /** Every address the host owns: its interfaces and every bridge gateway. */
  hostAddresses(): string[] {
    const out = this.engine.host.addresses.map((a) => a.cidr.split('/')[0]);
    for (const [id, pool] of this.engine.ipam) {
      const net = this.network(id);
      if (net.driver !== 'bridge') continue;
      const gw = pool.gateway(4);
      if (gw) out.push(gw);
      const gw6 = pool.gateway(6);
      if (gw6) out.push(gw6);
    }
    return out;
  }

  /** The network whose subnet contains the address (bridge-like networks only). */
  networkContaining(address: string): NetworkRecord | undefined {
    const ip = parseIp(address);
    if (!ip) return undefined;
    for (const [id, pool] of this.engine.ipam) {
      for (const s of pool.subnets(ip.family)) {
        const c = parseCidr(s);
        if (c && cidrContains(c, ip.value)) return this.network(id);
      }
    }
    return undefined;
  }

  private endpointWithAddress(net: NetworkRecord, address: string): { container: ContainerRecord; endpoint: EndpointRecord } | undefined {
    return this.engine.endpointsOn(net.id).find((e) => e.endpoint.ipv4 === address || e.endpoint.ipv6 === address);
  }

  private deliver(target: ContainerRecord, proto: Proto, port: number | undefined, via: string, localAddress: string): ReachResult {
    if (proto === 'icmp') return { outcome: 'ok', target, targetKind: 'container', reason: `${via}; ${target.name} answers ICMP echo` };
    const listeners = this.listeners(target);
    const hit = listeners.find((l) => l.port === port && l.protocol === proto && (l.address === '0.0.0.0' || l.address === '::' || l.address === localAddress));
    if (hit) return { outcome: 'ok', target, targetKind: 'container', reason: `${via}; ${target.name} listens on ${hit.address}:${port}/${proto}` };
    const loopbackOnly = listeners.find((l) => l.port === port && l.protocol === proto && isLoopback(l.address));
    const why = loopbackOnly
      ? `${target.name} listens on ${loopbackOnly.address}:${port} only (loopback), not on ${localAddress}; make it listen on 0.0.0.0`
      : listeners.length
        ? `nothing listens on ${port}/${proto} in ${target.name} (it listens on ${[...new Set(listeners.map((l) => `${l.port}/${l.protocol}`))].join(', ')}); container-to-container traffic uses the container's own port, not a published host port`
        : `nothing listens on ${port}/${proto} in ${target.name}`;
    return { outcome: proto === 'udp' ? 'timeout' : 'refused', target, targetKind: 'container', reason: `${via}; ${why}` };
  }

  listeners(c: ContainerRecord): Listener[] {
    const owner = netnsOwner(this.engine, c);
    const observed = this.observedListeners?.(owner);
    if (observed) return observed;
    const out: Listener[] = [];
    for (const member of this.engine.containers.values()) {
      if (member.status === 'running' && netnsOwner(this.engine, member) === owner) out.push(...listenersOf(member));
    }
    return out;
  }

  /** Published bindings that are programmed (running container with a non-internal network). */
  publishedBindings(): Array<{ container: ContainerRecord; hostIp: string; hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' }> {
    const out: Array<{ container: ContainerRecord; hostIp: string; hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' }> = [];
    for (const c of this.engine.containers.values()) {
      if (c.status !== 'running' || c.portBindings.length === 0 || !bindingsProgrammed(this.engine, c)) continue;
      for (const b of c.portBindings) out.push({ container: c, ...b });
    }
    return out;
  }

  private toHost(dst: string, proto: Proto, port: number | undefined, via: string): ReachResult {
    if (proto === 'icmp') return { outcome: 'ok', targetKind: 'host', reason: `${via}; the host answers on ${dst}` };
    const binding = this.publishedBindings().find((b) => b.hostPort === port && b.protocol === proto && (b.hostIp === '0.0.0.0' || b.hostIp === '' || b.hostIp === '::' || b.hostIp === dst));
    if (binding) {
      const res = this.deliverPublished(binding.container, binding.containerPort, proto);
      return { ...res, reason: `${via}; ${dst}:${port} is published by ${binding.container.name} (${binding.hostIp || '0.0.0.0'}:${port} → ${binding.containerPort}/${proto}) and the host forwards it; ${res.reason}` };
    }
    // A host-network container's server is the host's: reachable on every host address it binds.
    for (const c of this.engine.containers.values()) {
      if (c.status !== 'running' || c.networkMode !== 'host') continue;
      const l = listenersOf(c).find((x) => x.port === port && x.protocol === proto && ['0.0.0.0', '::', '', dst].includes(x.address));
      if (l) return { outcome: 'ok', target: c, targetKind: 'container', reason: `${via}; ${c.name} (host network) listens on ${l.address || '*'}:${port}` };
    }
    return { outcome: proto === 'udp' ? 'timeout' : 'refused', targetKind: 'host', reason: `${via}; nothing on the host listens on ${dst}:${port} and no container publishes that port` };
  }

  private deliverPublished(target: ContainerRecord, port: number, proto: Proto): ReachResult {
    const ep = target.endpoints.find((e) => e.ipv4);
    return this.deliver(target, proto, port, `forwarded to ${target.name}:${port}`, ep?.ipv4 ?? '');
  }

  /** Can container `from` reach `dst` (an address) with this protocol and port? */
  reach(from: ContainerRecord, dst: string, proto: Proto, port?: number): ReachResult {
    const owner = netnsOwner(this.engine, from);
    if (owner.status !== 'running') return { outcome: 'net-unreachable', targetKind: 'none', reason: `${from.name} is not running` };
    if (owner.networkMode === 'host') return this.reachFromHost(dst, proto, port);
    const ip = parseIp(dst);
    if (!ip) return { outcome: 'host-unreachable', targetKind: 'none', reason: `${dst} is not an address` };
    const own = owner.endpoints.some((ep) => ep.ipv4 === dst || ep.ipv6 === dst);
    if (isLoopback(dst) || own) return this.deliver(owner, proto, port, `${dst} is ${from.name}'s own address`, dst);
    // Connected routes first: a subnet of one of its interfaces.
    for (const ep of owner.endpoints) {
      const net = this.network(ep.networkId);
      const pool = this.engine.ipam.get(net.id);
      if (!pool) continue;
      const onLink = pool.subnets(ip.family).some((s) => cidrContains(parseCidr(s)!, ip.value));
      if (!onLink) continue;
      const via = `${dst} is on ${net.name} (${ep.ifname}), which ${from.name} is attached to`;
      if (net.driver === 'macvlan' && this.hostAddresses().includes(dst)) {
        return { outcome: 'host-unreachable', targetKind: 'host', reason: `${via}; ${dst} is the host's own address on the macvlan parent interface, and the Linux kernel does not pass traffic between a macvlan child and its parent` };
      }
      if (pool.gateway(ip.family) === dst && net.driver === 'bridge') return this.toHost(dst, proto, port, `${via}; it is the host's gateway address`);
      const peer = this.endpointWithAddress(net, dst);
      if (!peer && net.driver === 'macvlan' && (pool.gateway(ip.family) === dst || Object.values(this.engine.host.externalHosts).includes(dst))) {
        return { outcome: 'ok', targetKind: 'external', reason: `${via}; ${dst} is another machine on the LAN behind the macvlan parent interface` };
      }
      if (!peer) return { outcome: 'host-unreachable', targetKind: 'none', reason: `${via}, but no running container has that address (nothing answers ARP)` };
      if (!iccEnabled(net)) return { outcome: 'timeout', target: peer.container, targetKind: 'container', reason: `${via}, but inter-container traffic is disabled on ${net.name} (com.docker.network.bridge.enable_icc=false)` };
      return this.deliver(peer.container, proto, port, via, dst);
    }
    const gwEp = endpointsByPriority(this.engine, owner).find((ep) => (ip.family === 4 ? ep.gateway : ep.ipv6Gateway));
    if (!gwEp) {
      const internal = owner.endpoints.length > 0 && owner.endpoints.every((ep) => this.network(ep.networkId).internal);
      return {
        outcome: 'net-unreachable',
        targetKind: 'none',
        reason: internal
          ? `${from.name} is only on internal networks, which have no default route, and ${dst} is on none of them`
          : `${from.name} has no route to ${dst} (no network with a gateway)`,
      };
    }
    const gwNet = this.network(gwEp.networkId);
    const via = `${dst} is not on any of ${from.name}'s networks; it goes via the default gateway on ${gwNet.name}`;
    if (this.hostAddresses().includes(dst)) return this.toHost(dst, proto, port, `${via} to the host, which owns ${dst}`);
    const other = this.networkContaining(dst);
    if (other && other.driver === 'bridge') {
      return {
        outcome: 'timeout',
        targetKind: 'none',
        reason: `${via}; ${dst} is on the bridge network ${other.name}, and Docker isolates different bridge networks (DOCKER-ISOLATION drops the packet). Connect ${from.name} to ${other.name} to reach it`,
      };
    }
    const external = Object.values(this.engine.host.externalHosts).includes(dst);
    if (external && !gwNet.internal) {
      return { outcome: 'ok', targetKind: 'external', reason: `${via}, masqueraded out of the host to ${dst}` };
    }
    return { outcome: 'timeout', targetKind: 'external', reason: `${via}, masqueraded out of the host; nothing at ${dst} answers in the simulated outside world` };
  }

  /** Traffic from the host namespace (host-mode containers, or `explain --from host`). */
  reachFromHost(dst: string, proto: Proto, port?: number): ReachResult {
    if (isLoopback(dst) || this.hostAddresses().includes(dst)) {
      if (proto === 'icmp') return { outcome: 'ok', targetKind: 'host', reason: `${dst} is the host itself` };
      const hostListeners = [...this.engine.containers.values()].filter((c) => c.status === 'running' && c.networkMode === 'host');
      for (const c of hostListeners) {
        const l = listenersOf(c).find((x) => x.port === port && x.protocol === proto);
        if (l) return { outcome: 'ok', target: c, targetKind: 'container', reason: `${c.name} (host network) listens on ${l.address}:${port}` };
      }
      return this.toHost(dst, proto, port, `${dst} is the host itself`);
    }
    const net = this.networkContaining(dst);
    if (!net) {
      const external = Object.values(this.engine.host.externalHosts).includes(dst);
      return external
        ? { outcome: 'ok', targetKind: 'external', reason: `${dst} is outside; the host routes it out` }
        : { outcome: 'timeout', targetKind: 'external', reason: `${dst} is outside the host; nothing answers in the simulated outside world` };
    }
    if (net.driver === 'macvlan') {
      return { outcome: 'host-unreachable', targetKind: 'none', reason: `${dst} is on the macvlan network ${net.name}; the host cannot reach its own macvlan containers through the parent interface (add a macvlan sub-interface on the host with a route to them)` };
    }
    const peer = this.endpointWithAddress(net, dst);
    if (!peer) return { outcome: 'host-unreachable', targetKind: 'none', reason: `${dst} is on ${net.name}, but no running container has that address` };
    return this.deliver(peer.container, proto, port, `${dst} is on ${net.name}; the host reaches it through the bridge`, dst);
  }

  /** Traffic from another machine on the host's LAN (macvlan containers are reachable directly). */
  reachFromLan(dst: string, proto: Proto, port?: number): ReachResult {
    const net = this.networkContaining(dst);
    if (net && net.driver === 'macvlan') {
      const peer = this.endpointWithAddress(net, dst);
      if (!peer) return { outcome: 'host-unreachable', targetKind: 'none', reason: `no container on ${net.name} has ${dst}` };
      return this.deliver(peer.container, proto, port, `${dst} is a macvlan container with its own MAC on the LAN`, dst);
    }
    if (this.hostAddresses().includes(dst)) return this.toHost(dst, proto, port, `${dst} is the host`);
    return { outcome: 'timeout', targetKind: 'none', reason: `${dst} is not reachable from the LAN (bridge networks are behind the host's NAT; use a published port)` };
  }

  // ------------------------------------------------------------ helpers for src/sim/busybox

  /**
   * A/AAAA query sent to the container's nameserver, skipping /etc/hosts (what `nslookup` and
   * musl's DNS step do after the hosts file had no match).
   */
  dnsQuery(c: ContainerRecord, rawName: string, family: 4 | 6): LookupResult {
    const name = rawName.replace(/\.$/, '');
    const owner = netnsOwner(this.engine, c);
    if (owner.status !== 'running') return { kind: 'timeout', reason: `${c.name} is not running` };
    if (this.hasEmbeddedDns(c)) return this.embeddedLookup(c, name, family);
    if (owner.networkMode === 'none' || (owner.endpoints.length === 0 && owner.networkMode !== 'host')) {
      return { kind: 'timeout', reason: `${c.name} has no network (mode none): its nameserver is unreachable` };
    }
    return this.upstreamLookup(name, family, `${c.name} has no embedded DNS: ${name} went to the host's nameservers`);
  }

  /** A query answered by the simulated outside world's resolvers (`nslookup x 8.8.8.8`). */
  upstreamQuery(rawName: string, family: 4 | 6): LookupResult {
    const name = rawName.replace(/\.$/, '');
    return this.upstreamLookup(name, family, `${name} was sent to an upstream resolver`);
  }

  /** Can the container send traffic out of the host (a non-internal network, or host mode)? */
  externalAccess(c: ContainerRecord): boolean {
    return this.hasExternalAccess(c);
  }
}

function splitExtraHost(h: string): [string, string] {
  const i = h.indexOf(':');
  const j = h.indexOf('=');
  const sep = j >= 0 ? j : i;
  return [h.slice(0, sep), h.slice(sep + 1)];
}

/** The container a `--link target:alias` of c's endpoint on networkId names by `name`, if any. */
function linkTarget(c: ContainerRecord, networkId: string, name: string): string | undefined {
  const cfg = c.networks.find((n) => n.networkId === networkId);
  for (const link of cfg?.links ?? []) {
    const [target, alias = target] = link.split(':').map((part) => part.slice(part.lastIndexOf('/') + 1));
    if (alias.toLowerCase() === name.toLowerCase()) return target;
  }
  return undefined;
}
