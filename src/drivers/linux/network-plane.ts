/**
 * The reconciling Linux data plane for bridge networks. It knows nothing of the engine: it is
 * given the desired networks and endpoints, compares them with what it applied last (or, at
 * daemon start, with what exists), and applies the difference with one `ip -batch` in the host
 * namespace, one per touched container namespace, and one `nft -f` when the ruleset text changed.
 *
 * Ownership: only `docker0` / `br-<12hex>` bridges (or bridge names the desired state uses) and
 * `veth<7hex>` host ends enslaved to them are ever deleted; only our `inet crosstalk` table is
 * replaced. Container namespaces that vanished (their veth vanished with them) are not errors.
 */
import { existsSync } from 'node:fs';
import { renderRuleset, renderTeardown } from '../../firewall/nft-ruleset.js';
import { ABSENT, addrAdd, defaultDst, GONE, runIpBatch, type BatchLine, type CommandRunner } from './ip-batch.js';
import { normCidr, ownedBridges, ownedVeths, readLinks } from './host-links.js';
import type { AddressAdvertisement } from '../../platform/linux/container/types.js';

export type { CommandRunner } from './ip-batch.js';

export interface DesiredNetwork {
  id: string;
  bridge: string;
  /** Gateway addresses with prefix length, IPv4 and IPv6. */
  gateways: string[];
  subnets4: string[];
  subnets6: string[];
  mtu: number;
  internal: boolean;
  masquerade: boolean;
  icc: boolean;
}

export interface DesiredEndpoint {
  /** `${containerId}/${networkId}` */
  key: string;
  containerId: string;
  networkId: string;
  /** `/proc/<pid>/ns/net` or `/proc/<pid>/fd/<n>`. */
  netnsPath: string;
  /** `veth` + 7 hex chars. */
  hostVeth: string;
  /** eth0, eth1 … */
  ifname: string;
  mac: string;
  /** Addresses with prefix length. */
  addresses: string[];
  gateway4?: string;
  gateway6?: string;
  /** This endpoint carries the container's default route(s). */
  defaultRoute: boolean;
  /** Unsolicited ARP/NA for its addresses when it comes up: how many, how far apart (Docker 28: 3, 1000 ms). */
  advertise: { count: number; intervalMs: number };
}

/** One address a container announces from `ifname`: its shim sends these (unsolicited ARP/NA). */
export type Advertisement = AddressAdvertisement;

function advertisementsOf(d: DesiredEndpoint): Advertisement[] {
  if (d.advertise.count <= 0) return [];
  return d.addresses.map((a) => ({ ifname: d.ifname, address: a.split('/')[0], count: d.advertise.count, intervalMs: d.advertise.intervalMs }));
}

/** A published port (userland proxy off): DNAT of `hostIp:hostPort` to the container's address. */
export interface DesiredPort {
  proto: 'tcp' | 'udp';
  /** '' / `0.0.0.0` / `::` for every host address, else one host address. */
  hostIp: string;
  hostPort: number;
  /** IPv4 or IPv6; the rule's family. */
  containerIp: string;
  containerPort: number;
}

export interface DesiredState {
  /**
   * Namespaces of containers about to start: their container-side commands are kept for
   * `takeDeferred` instead of being run (the container's shim runs them from inside, cheaper).
   */
  deferredNetns?: Set<string>;
  networks: DesiredNetwork[];
  endpoints: DesiredEndpoint[];
  /** Published ports of running containers (none when absent). */
  ports?: DesiredPort[];
}

interface Applied {
  networks: Map<string, DesiredNetwork>;
  endpoints: Map<string, DesiredEndpoint>;
}

const now = () => performance.now();
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => normCidr(x) === normCidr(b[i]));

/** Fields whose change needs a new veth pair (everything but the default route). */
function endpointChanged(a: DesiredEndpoint, b: DesiredEndpoint): boolean {
  return (
    a.hostVeth !== b.hostVeth ||
    a.netnsPath !== b.netnsPath ||
    a.ifname !== b.ifname ||
    a.mac.toLowerCase() !== b.mac.toLowerCase() ||
    a.networkId !== b.networkId ||
    !sameList(a.addresses, b.addresses)
  );
}

function routesOf(e: DesiredEndpoint): string[] {
  if (!e.defaultRoute) return [];
  return [e.gateway4, e.gateway6].filter((g): g is string => !!g);
}

function ensureValid(desired: DesiredState): void {
  const nets = new Set(desired.networks.map((n) => n.id));
  for (const e of desired.endpoints) {
    if (!nets.has(e.networkId)) throw new Error(`endpoint ${e.key}: network ${e.networkId} is not in the desired state`);
  }
}

export class LinuxNetworkPlane {
  private applied?: Applied;
  private ruleset?: string;
  private timings: Record<string, number> = {};
  private forwarding = false;

  constructor(private readonly runner: CommandRunner) {}

  /** Container-side `ip -batch` lines held back for namespaces in `DesiredState.deferredNetns`. */
  private readonly deferred = new Map<string, string[]>();

  /** Host-side lines (the veth pairs) held back for those namespaces. */
  private readonly deferredHost = new Map<string, BatchLine[]>();

  private deferredHostOf(netnsPath: string): BatchLine[] {
    let lines = this.deferredHost.get(netnsPath);
    if (!lines) this.deferredHost.set(netnsPath, (lines = []));
    return lines;
  }

  /**
   * The held-back lines of a namespace (and forgets them): its container's start runs `host` in
   * the host namespace, then `container` inside its own.
   */
  takeDeferred(netnsPath: string): { host: string[]; container: string[]; advertise: Advertisement[] } {
    const out = {
      host: (this.deferredHost.get(netnsPath) ?? []).map((l) => l.cmd),
      container: this.deferred.get(netnsPath) ?? [],
      advertise: this.deferredAds.get(netnsPath) ?? [],
    };
    this.deferred.delete(netnsPath);
    this.deferredHost.delete(netnsPath);
    this.deferredAds.delete(netnsPath);
    return out;
  }

  /** What the endpoints held back for a namespace will announce once its container runs. */
  private readonly deferredAds = new Map<string, Advertisement[]>();

  /** Endpoints the last sync created in namespaces of running containers (theirs to announce). */
  private created: Array<{ netnsPath: string; advertise: Advertisement[] }> = [];

  takeCreated(): Array<{ netnsPath: string; advertise: Advertisement[] }> {
    const out = this.created;
    this.created = [];
    return out;
  }

  lastTimings(): Record<string, number> {
    return { ...this.timings };
  }

  /** Daemon start: make what exists match `desired` (deletes orphans of ours, fixes and creates the rest). */
  reconcile(desired: DesiredState): void {
    ensureValid(desired);
    const t0 = now();
    this.applied = undefined;
    this.enableForwarding();
    const links = readLinks(this.runner);
    const tRead = now();
    const netByBridge = new Map(desired.networks.map((n) => [n.bridge, n]));
    const netById = new Map(desired.networks.map((n) => [n.id, n]));
    const epByVeth = new Map(desired.endpoints.map((e) => [e.hostVeth, e]));
    const bridges = ownedBridges(links, new Set(netByBridge.keys()));
    const veths = ownedVeths(links, new Set(bridges.map((b) => b.name)), new Set(epByVeth.keys()));
    const pre: BatchLine[] = [];
    const kept: Applied = { networks: new Map(), endpoints: new Map() };
    const fixups = new Map<string, BatchLine[]>();
    for (const v of veths) {
      const e = epByVeth.get(v.name);
      const net = e && netById.get(e.networkId);
      if (!e || !net || v.master !== net.bridge || v.mtu !== net.mtu) {
        pre.push({ cmd: `link del ${v.name}`, tolerate: GONE });
        continue;
      }
      kept.endpoints.set(e.key, e);
      pre.push({ cmd: `link set ${v.name} type bridge_slave hairpin on isolated ${net.icc ? 'off' : 'on'}` }, { cmd: `link set ${v.name} up` });
      // Container side: idempotent fix-up (addresses, up, default route where it belongs).
      const lines = fixups.get(e.netnsPath) ?? [{ cmd: 'link set lo up' }];
      for (const a of e.addresses) lines.push({ cmd: addrAdd(a, e.ifname, 'replace') });
      lines.push({ cmd: `link set ${e.ifname} up` });
      for (const gw of [e.gateway4, e.gateway6]) {
        if (!gw) continue;
        lines.push(
          e.defaultRoute
            ? { cmd: `route replace ${defaultDst(gw)} via ${gw} dev ${e.ifname}` }
            : { cmd: `route del ${defaultDst(gw)} dev ${e.ifname}`, tolerate: ABSENT },
        );
      }
      fixups.set(e.netnsPath, lines);
    }
    for (const b of bridges) {
      const n = netByBridge.get(b.name);
      if (!n) {
        pre.push({ cmd: `link del ${b.name}`, tolerate: GONE });
        continue;
      }
      kept.networks.set(n.id, n);
      if (b.mtu !== n.mtu) pre.push({ cmd: `link set ${b.name} mtu ${n.mtu}` });
      const want = new Set(n.gateways.map(normCidr));
      const have = new Set(b.addresses.map(normCidr));
      for (const a of b.addresses) if (!want.has(normCidr(a))) pre.push({ cmd: `addr del ${a} dev ${b.name}`, tolerate: ABSENT });
      for (const g of n.gateways) if (!have.has(normCidr(g))) pre.push({ cmd: addrAdd(g, b.name) });
      if (!b.up) pre.push({ cmd: `link set ${b.name} up` });
    }
    // Endpoints whose network is not kept are recreated with it.
    for (const [key, e] of kept.endpoints) {
      if (kept.networks.has(e.networkId)) continue;
      kept.endpoints.delete(key);
      fixups.delete(e.netnsPath);
      pre.push({ cmd: `link del ${e.hostVeth}`, tolerate: GONE });
    }
    // Fix-ups only for container namespaces that still exist; the others' veths are gone anyway.
    for (const path of fixups.keys()) if (!existsSync(path)) fixups.delete(path);
    this.timings = {};
    this.apply(kept, desired, pre, fixups, true);
    this.timings.read = tRead - t0;
    this.timings.total = now() - t0;
  }

  /** After an engine change: apply the difference to what was applied last. Throws on failure. */
  sync(desired: DesiredState): void {
    if (!this.applied) return this.reconcile(desired);
    ensureValid(desired);
    const t0 = now();
    this.timings = {};
    this.apply(this.applied, desired, [], new Map(), false);
    this.timings.total = now() - t0;
  }

  /** Removes every bridge and veth of ours and our nft table. */
  teardown(): void {
    const links = readLinks(this.runner);
    const appliedBridges = new Set([...(this.applied?.networks.values() ?? [])].map((n) => n.bridge));
    const appliedVeths = new Set([...(this.applied?.endpoints.values() ?? [])].map((e) => e.hostVeth));
    const bridges = ownedBridges(links, appliedBridges);
    const veths = ownedVeths(links, new Set(bridges.map((b) => b.name)), appliedVeths);
    this.applied = undefined;
    this.ruleset = undefined;
    runIpBatch(this.runner, [...veths, ...bridges].map((l) => ({ cmd: `link del ${l.name}`, tolerate: GONE })));
    this.runner.run(['nft', '-f', '-'], renderTeardown());
  }

  private enableForwarding(): void {
    if (this.forwarding) return;
    this.runner.run(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    // Published ports on 127.0.0.1 / localhost: the output-hook DNAT sends 127/8-sourced packets
    // out to a bridge (then masqueraded), which the kernel only routes with route_localnet. Per
    // network namespace: this is the sandbox's, never the machine's.
    this.runner.run(['sysctl', '-q', '-w', 'net.ipv4.conf.all.route_localnet=1']);
    try {
      this.runner.run(['sysctl', '-q', '-w', 'net.ipv6.conf.all.forwarding=1']);
    } catch {
      // IPv6 disabled in this kernel: IPv4 still works.
    }
    this.forwarding = true;
  }

  private apply(prev: Applied, desired: DesiredState, pre: BatchLine[], containerPre: Map<string, BatchLine[]>, forceRules: boolean): void {
    const tPlan = now();
    this.created = [];
    const nets = new Map(desired.networks.map((n) => [n.id, n]));
    const eps = new Map(desired.endpoints.map((e) => [e.key, e]));
    const host: BatchLine[] = [...pre];
    const ns = new Map<string, { dels: BatchLine[]; adds: BatchLine[]; mustExist: boolean }>();
    const nsOf = (path: string, mustExist: boolean) => {
      let x = ns.get(path);
      if (!x) ns.set(path, (x = { dels: [...(containerPre.get(path) ?? [])], adds: [], mustExist }));
      x.mustExist ||= mustExist;
      return x;
    };
    for (const path of containerPre.keys()) nsOf(path, false);

    // Networks: removed, or recreated when the bridge name or MTU changes.
    const removedNets = new Set<string>();
    for (const [id, p] of prev.networks) {
      const d = nets.get(id);
      if (!d || d.bridge !== p.bridge || d.mtu !== p.mtu) removedNets.add(id);
    }
    const removedEps = new Set<string>();
    for (const [key, p] of prev.endpoints) {
      const d = eps.get(key);
      if (!d || endpointChanged(p, d) || removedNets.has(p.networkId)) removedEps.add(key);
    }
    for (const key of removedEps) {
      const p = prev.endpoints.get(key)!;
      // The container's namespace is gone (its process ended): the kernel removes the pair with it,
      // asynchronously; deleting it here would only wait for that (tens of ms under the RTNL lock).
      if (!eps.has(key) && !existsSync(p.netnsPath)) continue;
      host.push({ cmd: `link del ${p.hostVeth}`, tolerate: GONE });
    }
    for (const id of removedNets) host.push({ cmd: `link del ${prev.networks.get(id)!.bridge}`, tolerate: GONE });

    for (const d of desired.networks) {
      const p = prev.networks.get(d.id);
      if (!p || removedNets.has(d.id)) {
        // A fixed MAC, as Docker sets: otherwise the bridge takes its lowest port's MAC, which changes
        // when that port goes, and containers' ARP caches then point at a MAC nobody answers to.
        host.push({ cmd: `link add ${d.bridge} address ${bridgeMac(d.id)} type bridge` }, { cmd: `link set ${d.bridge} mtu ${d.mtu}` });
        for (const g of d.gateways) host.push({ cmd: addrAdd(g, d.bridge) });
        host.push({ cmd: `link set ${d.bridge} up` });
        continue;
      }
      if (!sameList(p.gateways, d.gateways)) {
        const want = new Set(d.gateways.map(normCidr));
        const had = new Set(p.gateways.map(normCidr));
        for (const g of p.gateways) if (!want.has(normCidr(g))) host.push({ cmd: `addr del ${g} dev ${d.bridge}`, tolerate: ABSENT });
        for (const g of d.gateways) if (!had.has(normCidr(g))) host.push({ cmd: addrAdd(g, d.bridge) });
      }
      if (p.icc !== d.icc) {
        for (const e of desired.endpoints) {
          if (e.networkId === d.id && prev.endpoints.has(e.key) && !removedEps.has(e.key)) {
            host.push({ cmd: `link set ${e.hostVeth} type bridge_slave isolated ${d.icc ? 'off' : 'on'}`, tolerate: GONE });
          }
        }
      }
    }

    for (const d of desired.endpoints) {
      const net = nets.get(d.networkId)!;
      const p = prev.endpoints.get(d.key);
      if (!p || removedEps.has(d.key)) {
        // The container end is created directly in the container's namespace with its final name and MAC.
        // A container about to start creates its own veth (its shim runs these): no spawn here.
        const deferred = desired.deferredNetns?.has(d.netnsPath) ?? false;
        const hostSide = deferred ? this.deferredHostOf(d.netnsPath) : host;
        const ads = advertisementsOf(d);
        if (!deferred) this.created.push({ netnsPath: d.netnsPath, advertise: ads });
        else this.deferredAds.set(d.netnsPath, [...(this.deferredAds.get(d.netnsPath) ?? []), ...ads]);
        hostSide.push(
          { cmd: `link add ${d.hostVeth} mtu ${net.mtu} type veth peer name ${d.ifname} address ${d.mac} mtu ${net.mtu} netns ${d.netnsPath}` },
          { cmd: `link set ${d.hostVeth} master ${net.bridge}` },
          // Hairpin, as Docker sets without the userland proxy: a container's traffic to its own
          // published port comes back (DNATed) through the port it left by.
          { cmd: `link set ${d.hostVeth} type bridge_slave hairpin on${net.icc ? '' : ' isolated on'}` },
          { cmd: `link set ${d.hostVeth} up` },
        );
        const c = nsOf(d.netnsPath, true);
        c.adds.push({ cmd: 'link set lo up' }, ...d.addresses.map((a) => ({ cmd: addrAdd(a, d.ifname) })), { cmd: `link set ${d.ifname} up` });
        for (const gw of routesOf(d)) c.adds.push({ cmd: `route replace ${defaultDst(gw)} via ${gw} dev ${d.ifname}` });
        continue;
      }
      const before = routesOf(p);
      const after = routesOf(d);
      if (before.join() === after.join()) continue;
      const c = nsOf(d.netnsPath, false);
      for (const gw of before) if (!after.includes(gw)) c.dels.push({ cmd: `route del ${defaultDst(gw)} via ${gw} dev ${d.ifname}`, tolerate: ABSENT });
      for (const gw of after) c.adds.push({ cmd: `route replace ${defaultDst(gw)} via ${gw} dev ${d.ifname}` });
    }
    const tHost = now();
    this.timings.plan = tHost - tPlan;

    try {
      runIpBatch(this.runner, host);
      const tNs = now();
      this.timings.host = tNs - tHost;
      let count = 0;
      for (const [path, c] of ns) {
        const lines = [...c.dels, ...c.adds];
        if (lines.length === 0) continue;
        // A namespace that vanished needs nothing more (its veths went with it) unless we just created one there.
        if (!c.mustExist && !existsSync(path)) continue;
        if (desired.deferredNetns?.has(path)) {
          // A container that has not started yet: its own start applies these (no process spawn here).
          this.deferred.set(path, [...(this.deferred.get(path) ?? []), ...lines.map((l) => l.cmd)]);
          continue;
        }
        runIpBatch(this.runner, lines, ['nsenter', `--net=${path}`]);
        count++;
      }
      const tNft = now();
      this.timings.containers = tNft - tNs;
      this.timings.containerBatches = count;
      const text = renderRuleset(
        desired.networks.map((n) => ({ bridge: n.bridge, subnets: n.subnets4, subnets6: n.subnets6, internal: n.internal, masquerade: n.masquerade })),
        desired.ports ?? [],
      );
      if (forceRules || text !== this.ruleset) {
        this.ruleset = undefined;
        this.runner.run(['nft', '-f', '-'], text);
        this.ruleset = text;
      }
      this.timings.nft = now() - tNft;
    } catch (err) {
      // What exists is now partly unknown: the next sync starts with a full reconcile.
      this.applied = undefined;
      throw err;
    }
    this.applied = { networks: nets, endpoints: eps };
  }
}

/** A stable locally administered unicast MAC for a network's bridge, derived from its ID. */
export function bridgeMac(networkId: string): string {
  const hex = networkId.replace(/[^0-9a-f]/gi, '').padEnd(10, '0').slice(0, 10);
  return `02:${hex.match(/../g)!.join(':')}`;
}
