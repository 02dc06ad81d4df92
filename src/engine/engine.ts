/**
 * The engine: the only component that changes networking state. It holds networks, containers
 * and their endpoints, derives IPAM and DNS tables from them, and applies Docker's rules.
 * Every mutation validates first, then applies with an undo list, so a failure leaves the state
 * exactly as it was. No Node imports: this runs in the browser too.
 */
import { EngineError, conflict, forbidden, invalidParameter, notFound } from '../core/errors.js';
import { generateId } from '../core/ids.js';
import type { Clock, Random } from '../core/ports.js';
import { DEFAULT_PROFILE, LEGACY_PROFILE, type EngineProfile } from '../core/profile.js';
import { NetworkIpam } from '../ipam/network-ipam.js';
import { parseCidr, parseIp } from '../ipam/ip.js';
import { checkExplicitSubnet, deriveUlaBase, selectIpv4Subnet, selectIpv6Subnet } from '../ipam/pools.js';
import { validateIpamConfig, type IpamConfigEntry } from '../ipam/validate.js';
import { DnsTable } from '../dns/records.js';
import { findContainerIn, findNetworkIn } from './lookup.js';
import { DEFAULT_HOST, type ContainerRecord, type EngineState, type HostModel, type NetworkDriver, type NetworkRecord } from './model.js';
import type { NetworkCreateRequest, PruneFilters } from './requests.js';

export const PREDEFINED_NAMES = ['bridge', 'host', 'none', 'default'];

/** Docker's global-scope default pool (swarm overlay networks). */
const GLOBAL_POOLS = [{ base: '10.0.0.0/8', size: 24 }];

const DRIVER_SCOPE: Record<string, 'local' | 'swarm'> = { bridge: 'local', host: 'local', null: 'local', macvlan: 'local', overlay: 'swarm' };

export interface EngineDeps {
  clock: Clock;
  random: Random;
}

export class Engine {
  readonly profile: EngineProfile;
  readonly host: HostModel;
  readonly networks = new Map<string, NetworkRecord>();
  readonly networksByName = new Map<string, NetworkRecord>();
  readonly containers = new Map<string, ContainerRecord>();
  readonly containersByName = new Map<string, ContainerRecord>();
  /** Address allocators, one per network with IPAM (derived state, rebuilt on load). */
  readonly ipam = new Map<string, NetworkIpam>();
  readonly dns = new DnsTable();
  subnetRotatingIndex: number;
  nextPid: number;
  swarmNodeId: string | undefined;
  swarmAddr: string | undefined;
  swarmCreated: string | undefined;
  /** Committed transactions of the state this engine was loaded from (kept by EngineHost). */
  transactions: number | undefined;

  constructor(
    state: EngineState,
    readonly deps: EngineDeps,
  ) {
    this.profile = state.profile === 'legacy' ? LEGACY_PROFILE : DEFAULT_PROFILE;
    this.host = state.host;
    this.subnetRotatingIndex = state.subnetRotatingIndex;
    this.nextPid = state.nextPid;
    this.swarmNodeId = state.swarmNodeId;
    this.swarmAddr = state.swarmAddr;
    this.swarmCreated = state.swarmCreated;
    this.transactions = state.transactions;
    for (const n of state.networks) this.indexNetwork(n);
    for (const c of state.containers) this.indexContainer(c);
    for (const c of state.containers) {
      for (const ep of c.endpoints) {
        const pool = this.ipam.get(ep.networkId);
        if (pool && ep.ipv4) pool.allocate(4, ep.ipv4);
        if (pool && ep.ipv6) pool.allocate(6, ep.ipv6);
        const net = this.networks.get(ep.networkId);
        if (net && ep.dnsNames.length > 0) this.dns.register(net, c, ep);
      }
    }
  }

  /** A fresh engine with the predefined networks, as a daemon has after its first start. */
  static fresh(deps: EngineDeps, opts: { profile?: 'default' | 'legacy'; host?: HostModel } = {}): Engine {
    const state: EngineState = {
      schema: 1,
      profile: opts.profile ?? 'default',
      networks: [],
      containers: [],
      host: structuredCloneHost(opts.host ?? DEFAULT_HOST),
      subnetRotatingIndex: 0,
      nextPid: 1000,
    };
    const engine = new Engine(state, deps);
    engine.createPredefinedNetworks();
    return engine;
  }

  snapshot(): EngineState {
    return {
      schema: 1,
      profile: this.profile.name,
      networks: [...this.networks.values()],
      containers: [...this.containers.values()],
      host: this.host,
      subnetRotatingIndex: this.subnetRotatingIndex,
      nextPid: this.nextPid,
      ...(this.swarmNodeId ? { swarmNodeId: this.swarmNodeId, swarmAddr: this.swarmAddr, swarmCreated: this.swarmCreated } : {}),
    };
  }

  now(): string {
    return this.deps.clock.nowNanos().toString();
  }

  newId(): string {
    for (;;) {
      const id = generateId(this.deps.random);
      if (!this.networks.has(id) && !this.containers.has(id)) return id;
    }
  }

  // ---------------------------------------------------------------- lookups

  findNetwork(ref: string): NetworkRecord {
    return findNetworkIn(this.networks.values(), this.networks, this.networksByName, ref);
  }

  findContainer(ref: string): ContainerRecord {
    return findContainerIn(this.containers.values(), this.containers, this.containersByName, ref);
  }

  /** Networks sorted the way Docker's CLI lists them is the CLI's job; this is creation order. */
  listNetworks(): NetworkRecord[] {
    return [...this.networks.values()];
  }

  listContainers(): ContainerRecord[] {
    return [...this.containers.values()];
  }

  isUserDefined(n: NetworkRecord): boolean {
    return !n.predefined;
  }

  /** Running containers holding an endpoint on the network, in attach order. */
  endpointsOn(networkId: string): Array<{ container: ContainerRecord; endpoint: ContainerRecord['endpoints'][number] }> {
    const out: Array<{ container: ContainerRecord; endpoint: ContainerRecord['endpoints'][number] }> = [];
    for (const c of this.containers.values()) {
      for (const ep of c.endpoints) if (ep.networkId === networkId) out.push({ container: c, endpoint: ep });
    }
    return out;
  }

  // ---------------------------------------------------------------- networks

  private indexNetwork(n: NetworkRecord): void {
    this.networks.set(n.id, n);
    this.networksByName.set(n.name, n);
    if (n.driver !== 'host' && n.driver !== 'null') {
      this.ipam.set(
        n.id,
        new NetworkIpam({
          userConfig: n.userIpamConfig ?? [],
          enableIPv4: n.enableIPv4,
          enableIPv6: n.enableIPv6,
          dynamicV4: n.dynamicV4,
          dynamicV6: n.dynamicV6,
          networkName: n.name,
          networkId: n.id,
        }),
      );
    }
  }

  unindexNetwork(n: NetworkRecord): void {
    this.networks.delete(n.id);
    if (this.networksByName.get(n.name) === n) this.networksByName.delete(n.name);
    this.ipam.delete(n.id);
  }

  indexContainer(c: ContainerRecord): void {
    this.containers.set(c.id, c);
    this.containersByName.set(c.name, c);
  }

  unindexContainer(c: ContainerRecord): void {
    this.containers.delete(c.id);
    if (this.containersByName.get(c.name) === c) this.containersByName.delete(c.name);
  }

  private createPredefinedNetworks(): void {
    const base = (name: string, driver: NetworkDriver): NetworkRecord => ({
      id: this.newId(),
      name,
      created: this.now(),
      driver,
      scope: 'local',
      enableIPv4: true,
      enableIPv6: false,
      internal: false,
      attachable: false,
      ingress: false,
      ipamDriver: 'default',
      ipamOptions: null,
      userIpamConfig: null,
      options: {},
      labels: {},
      predefined: true,
    });
    const bridge = base('bridge', 'bridge');
    bridge.dynamicV4 = selectIpv4Subnet({
      allocated: [],
      reserved: this.reservedHostPrefixes(),
      mode: this.profile.subnetSelection,
      state: this.rotatingState(),
    });
    bridge.options = {
      'com.docker.network.bridge.default_bridge': 'true',
      'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': 'docker0',
      'com.docker.network.driver.mtu': '1500',
    };
    bridge.userIpamConfig = [];
    this.indexNetwork(bridge);
    this.indexNetwork(base('host', 'host'));
    this.indexNetwork(base('none', 'null'));
  }

  /** Host prefixes dynamic subnets must avoid (docker-engine.md §3.2). */
  reservedHostPrefixes(): string[] {
    const out: string[] = [];
    for (const ns of this.host.nameservers) {
      const ip = parseIp(ns);
      if (ip) out.push(`${ns}/${ip.family === 4 ? 32 : 128}`);
    }
    for (const a of this.host.addresses) {
      const c = parseCidr(a.cidr);
      if (c && c.family === 4 && c.prefix > 0) out.push(a.cidr);
    }
    for (const r of this.host.routes) {
      const c = parseCidr(r.destination);
      if (c && c.family === 4 && c.prefix > 0 && !r.via) out.push(r.destination);
    }
    return out;
  }

  private rotatingState() {
    const engine = this;
    return {
      get rotatingIndex() {
        return engine.subnetRotatingIndex;
      },
      set rotatingIndex(v: number) {
        engine.subnetRotatingIndex = v;
      },
    };
  }

  /** Every subnet held by any network (both families). */
  allocatedSubnets(): string[] {
    const out: string[] = [];
    for (const pool of this.ipam.values()) out.push(...pool.subnets(4), ...pool.subnets(6));
    return out;
  }

  createNetwork(req: NetworkCreateRequest): NetworkRecord {
    const name = req.name;
    if (name === '') throw invalidParameter('invalid name: name is empty');
    if (PREDEFINED_NAMES.includes(name)) throw forbidden(`operation is not permitted on predefined ${name} network `);
    if (this.networksByName.has(name)) throw conflict(`network with name ${name} already exists`);
    const driver = req.driver || 'bridge';
    const enableIPv6 = req.enableIPv6 ?? false;
    const enableIPv4 = req.enableIPv4 ?? true;
    const userConfig: IpamConfigEntry[] = (req.ipamConfig ?? []).map(cleanIpamEntry);
    validateIpamConfig(userConfig, enableIPv6);
    if (!['bridge', 'macvlan', 'overlay'].includes(driver)) {
      if (driver === 'host' || driver === 'null') throw forbidden(`only one instance of "${driver}" network is allowed`);
      throw notFound(`plugin "${driver}" not found`);
    }
    if (driver === 'overlay' && !this.swarmNodeId) {
      throw new EngineError('unavailable', 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
    }
    if (req.ipamDriver && req.ipamDriver !== 'default') throw notFound(`plugin "${req.ipamDriver}" not found`);
    const options = { ...(req.options ?? {}) };
    validateDriverOptions(driver, options);
    if (driver === 'macvlan' && options.parent && !this.host.addresses.some((a) => a.ifname === options.parent.split('.')[0])) {
      throw invalidParameter(`-o parent interface was not found on the host: ${options.parent}`);
    }

    // Subnets: explicit ones are overlap-checked against every allocated subnet, dynamic ones
    // come from the default pools. IPv6 entries count only when IPv6 is enabled.
    const allocated = this.allocatedSubnets();
    const effective = userConfig.filter((e) => {
      const c = e.Subnet ? parseCidr(e.Subnet) : null;
      return !(c && c.family === 6 && !enableIPv6) && !(c && c.family === 4 && !enableIPv4);
    });
    const ignoredV6 = enableIPv6 ? [] : userConfig.flatMap((e) => (e.Subnet && parseCidr(e.Subnet)?.family === 6 ? [e.Subnet] : []));
    const hasV4 = effective.some((e) => parseCidr(e.Subnet ?? '')?.family === 4);
    const hasV6 = effective.some((e) => parseCidr(e.Subnet ?? '')?.family === 6);
    for (const e of effective) if (e.Subnet && !e.IPRange) checkExplicitSubnet(e.Subnet, allocated, this.profile.subnetSelection);
    if (effective.length > 1) {
      const seen: string[] = [];
      for (const e of effective) {
        if (!e.Subnet) continue;
        checkExplicitSubnet(e.Subnet, seen, this.profile.subnetSelection);
        seen.push(e.Subnet);
      }
    }
    const net: NetworkRecord = {
      id: this.newId(),
      name,
      created: this.now(),
      driver: driver as NetworkDriver,
      scope: DRIVER_SCOPE[driver],
      enableIPv4,
      enableIPv6,
      internal: req.internal ?? false,
      attachable: req.attachable ?? false,
      ingress: req.ingress ?? false,
      ipamDriver: req.ipamDriver || 'default',
      ipamOptions: req.ipamOptions === undefined ? {} : req.ipamOptions,
      userIpamConfig: effective,
      ...(ignoredV6.length ? { ignoredIpv6Subnets: ignoredV6 } : {}),
      options,
      labels: { ...(req.labels ?? {}) },
      predefined: false,
    };
    const rotatingBefore = this.subnetRotatingIndex;
    try {
      if (enableIPv4 && !hasV4) {
        // Swarm-scope networks come from the global pool (10.0.0.0/8 in /24s), without host-route checks.
        net.dynamicV4 =
          net.scope === 'swarm'
            ? selectIpv4Subnet({ allocated, reserved: [], mode: 'lowest-free', state: { rotatingIndex: 0 }, pools: GLOBAL_POOLS })
            : selectIpv4Subnet({
                allocated,
                reserved: this.reservedHostPrefixes(),
                mode: this.profile.subnetSelection,
                state: this.rotatingState(),
              });
      }
      if (enableIPv6 && !hasV6) net.dynamicV6 = selectIpv6Subnet(allocated, deriveUlaBase(this.host.hostId));
      this.indexNetwork(net);
    } catch (err) {
      this.subnetRotatingIndex = rotatingBefore;
      throw err;
    }
    return net;
  }

  removeNetwork(ref: string): NetworkRecord {
    if (ref === 'default') throw notFound('network default not found');
    const net = this.findNetwork(ref);
    if (net.predefined) throw forbidden(`${net.name} is a pre-defined network and cannot be removed`);
    const active = this.endpointsOn(net.id);
    if (active.length > 0) {
      if (this.profile.activeEndpointsError === 'id') {
        throw forbidden(`error while removing network: network ${net.name} id ${net.id} has active endpoints`);
      }
      const list = active.map((a) => `name:"${a.container.name}" id:"${a.endpoint.id.slice(0, 12)}"`).join(', ');
      throw forbidden(`error while removing network: network ${net.name} has active endpoints (${list})`);
    }
    this.unindexNetwork(net);
    return net;
  }

  pruneNetworks(filters: PruneFilters): string[] {
    const deleted: string[] = [];
    for (const net of [...this.networks.values()]) {
      if (net.predefined) continue;
      if (filters.until !== undefined && BigInt(net.created) > filters.until) continue;
      if (filters.labels && !filters.labels.every((l) => labelMatches(net.labels, l))) continue;
      if (filters.notLabels && filters.notLabels.some((l) => labelMatches(net.labels, l))) continue;
      if (this.endpointsOn(net.id).length > 0) continue;
      this.unindexNetwork(net);
      deleted.push(net.name);
    }
    return deleted;
  }

  /** `swarm init`: this node becomes the manager of a single-node swarm advertising `advertiseAddr` (default: the host's first address); Docker creates `ingress` and `docker_gwbridge`. */
  initSwarm(advertiseAddr?: string): string {
    if (this.swarmNodeId) {
      throw new EngineError('unavailable', 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.');
    }
    this.swarmNodeId = this.newId().slice(0, 25);
    this.swarmAddr = advertiseAddr || this.host.addresses[0]?.cidr.split('/')[0] || '127.0.0.1';
    this.swarmCreated = this.now();
    // Leaving a swarm keeps docker_gwbridge; a later init uses it again.
    if (!this.networksByName.has('docker_gwbridge')) this.createNetwork({ name: 'docker_gwbridge', options: { 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.name': 'docker_gwbridge' } });
    this.createNetwork({ name: 'ingress', driver: 'overlay', ingress: true });
    return this.swarmNodeId;
  }

  /** Sets or replaces the simulated host (routes, nameservers, addresses). */
  setHost(host: HostModel): void {
    Object.assign(this.host, host);
  }
}

function structuredCloneHost(h: HostModel): HostModel {
  return JSON.parse(JSON.stringify(h)) as HostModel;
}

function cleanIpamEntry(e: IpamConfigEntry): IpamConfigEntry {
  const out: IpamConfigEntry = {};
  if (e.Subnet) out.Subnet = e.Subnet;
  if (e.IPRange) out.IPRange = e.IPRange;
  if (e.Gateway) out.Gateway = e.Gateway;
  if (e.AuxiliaryAddresses && Object.keys(e.AuxiliaryAddresses).length > 0) out.AuxiliaryAddresses = { ...e.AuxiliaryAddresses };
  return out;
}

const BOOL_OPTIONS = [
  'com.docker.network.bridge.enable_icc',
  'com.docker.network.bridge.enable_ip_masquerade',
  'com.docker.network.bridge.inhibit_ipv4',
];

function validateDriverOptions(driver: string, options: Record<string, string>): void {
  // libnetwork checks these two for every network (its Network, not a driver, reads them).
  const nmsgs = options[ADVERTISE_NMSGS];
  if (nmsgs !== undefined) {
    if (!/^[+-]?\d+$/.test(nmsgs)) throw invalidParameter(`value for option ${ADVERTISE_NMSGS} "${nmsgs}" must be an integer`);
    if (Number(nmsgs) < 0 || Number(nmsgs) > 3) throw invalidParameter(`${ADVERTISE_NMSGS} must be in the range 0 to 3`);
  }
  const ms = options[ADVERTISE_MS];
  if (ms !== undefined) {
    if (!/^[+-]?\d+$/.test(ms)) throw invalidParameter(`value for option ${ADVERTISE_MS} "${ms}" must be integer milliseconds`);
    if (Number(ms) < 100 || Number(ms) > 2000) throw invalidParameter(`${ADVERTISE_MS} must be in the range 100 to 2000`);
  }
  if (driver !== 'bridge') return;
  for (const key of BOOL_OPTIONS) {
    const v = options[key];
    if (v !== undefined && parseGoBool(v) === undefined) {
      throw invalidParameter(`failed to parse ${key} value: ${v} (strconv.ParseBool: parsing "${v}": invalid syntax)`);
    }
  }
  const mtu = options['com.docker.network.driver.mtu'];
  if (mtu !== undefined && !/^-?\d+$/.test(mtu)) {
    throw invalidParameter(`failed to parse com.docker.network.driver.mtu value: ${mtu} (strconv.Atoi: parsing "${mtu}": invalid syntax)`);
  }
  for (const fam of ['ipv4', 'ipv6']) {
    const key = `com.docker.network.bridge.gateway_mode_${fam}`;
    const v = options[key];
    if (v !== undefined && !['nat', 'routed', 'nat-unprotected', 'isolated'].includes(v)) {
      throw invalidParameter(`failed to parse ${key} value: ${v} (unknown gateway mode ${v})`);
    }
  }
}

/** Go strconv.ParseBool. */
export function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return filter in labels;
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

const ADVERTISE_NMSGS = 'com.docker.network.advertise_addr_nmsgs';
const ADVERTISE_MS = 'com.docker.network.advertise_addr_ms';

/**
 * How a bridge network's new endpoints announce their addresses (unsolicited ARP / neighbour
 * advertisement): Docker 28's defaults, 3 messages 1 s apart, or the network's options.
 */
export function advertiseSettings(n: NetworkRecord): { count: number; intervalMs: number } {
  const count = Number.parseInt(n.options[ADVERTISE_NMSGS] ?? '', 10);
  const intervalMs = Number.parseInt(n.options[ADVERTISE_MS] ?? '', 10);
  return { count: Number.isFinite(count) ? count : 3, intervalMs: Number.isFinite(intervalMs) ? intervalMs : 1000 };
}

/** Is inter-container traffic allowed on this bridge network? */
export function iccEnabled(n: NetworkRecord): boolean {
  return parseGoBool(n.options['com.docker.network.bridge.enable_icc'] ?? 'true') !== false;
}
