/**
 * Container lifecycle and network attachment: create, start (join networks), stop (leave them),
 * connect, disconnect, remove. Endpoints exist only while a container runs; a stopped container
 * keeps its requested settings and takes addresses again at start.
 */
import { repickHostPorts } from './host-ports.js';
import { EngineError, conflict, forbidden, invalidParameter, notFound } from '../core/errors.js';
import { buildDnsNames } from '../dns/records.js';
import { parseIp } from '../ipam/ip.js';
import { PREDEFINED_NAMES, type Engine } from './engine.js';
import { findImage, normalizeImageRef } from './images.js';
import { isValidMac, legacyRandomMac, macFromIpv4, randomMac } from './mac.js';
import type { ContainerRecord, EndpointConfig, EndpointRecord, NetworkRecord } from './model.js';
import { generateName, VALID_CONTAINER_NAME } from './names.js';
import type { ContainerCreateRequest, EndpointRequest } from './requests.js';


/** Network mode → the network it names (`default` means `bridge` on Linux). */
export function modeNetworkName(mode: string): string | undefined {
  if (mode === '' || mode === 'default') return 'bridge';
  if (mode.startsWith('container:')) return undefined;
  return mode;
}

function validateEndpointRequest(engine: Engine, net: NetworkRecord | undefined, req: EndpointRequest): void {
  if (!net) return;
  const predefined = PREDEFINED_NAMES.includes(net.name) && net.predefined;
  if ((req.ipv4 || req.ipv6) && predefined) throw invalidParameter('user specified IP address is supported on user defined networks only');
  if (req.aliases && req.aliases.length > 0 && predefined) throw invalidParameter('network-scoped alias is supported only for containers in user defined networks');
  const pool = engine.ipam.get(net.id);
  if (req.ipv4) {
    const ip = parseIp(req.ipv4);
    if (!ip || ip.family !== 4) throw invalidParameter(`invalid IPv4 address: ${req.ipv4}`);
    if (!pool || !pool.hasUserSubnet(4)) throw invalidParameter('user specified IP address is supported only when connecting to networks with user configured subnets');
  }
  if (req.ipv6) {
    const ip = parseIp(req.ipv6);
    if (!ip || ip.family !== 6) throw invalidParameter(`invalid IPv6 address: ${req.ipv6}`);
    const ignored = !net.enableIPv6 && (net.ignoredIpv6Subnets?.length ?? 0) > 0; // accepted, then no IPv6 is allocated
    if (!ignored && (!pool || !pool.hasUserSubnet(6))) throw invalidParameter('user specified IP address is supported only when connecting to networks with user configured subnets');
  }
  if (req.mac && !isValidMac(req.mac)) throw invalidParameter(`invalid MAC address: ${req.mac}`);
}

function toEndpointConfig(net: NetworkRecord, req: EndpointRequest): EndpointConfig {
  return {
    networkId: net.id,
    networkName: net.name,
    aliases: [...(req.aliases ?? [])],
    ipv4: req.ipv4 || undefined,
    ipv6: req.ipv6 || undefined,
    mac: req.mac || undefined,
    gwPriority: req.gwPriority ?? 0,
    links: [...(req.links ?? [])],
  };
}

/** Docker's checks of the container's own settings, made before it even looks the image up. */
export function verifyContainerSettings(req: ContainerCreateRequest): void {
  if (req.workingDir && !req.workingDir.startsWith('/')) {
    throw invalidParameter(`the working directory '${req.workingDir}' is invalid, it needs to be an absolute path`);
  }
}

export function createContainer(engine: Engine, req: ContainerCreateRequest): ContainerRecord {
  verifyContainerSettings(req);
  const image = findImage(req.image);
  if (!image) throw notFound(`No such image: ${normalizeImageRef(req.image)}`);
  let name = req.name;
  if (name !== undefined && name !== '') {
    if (!VALID_CONTAINER_NAME.test(name)) throw invalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    name = name.replace(/^\//, '');
    const existing = engine.containersByName.get(name);
    if (existing) {
      throw conflict(`Conflict. The container name "/${name}" is already in use by container "${existing.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
  } else {
    let retry = 0;
    do name = generateName(engine.deps.random, retry++);
    while (engine.containersByName.has(name));
  }
  const mode = req.networkMode || 'default';
  const networks: EndpointConfig[] = [];
  let pendingNetworkRef: string | undefined;
  const endpointReqs = { ...(req.endpoints ?? {}) };
  if (mode.startsWith('container:')) {
    const target = mode.slice('container:'.length);
    engine.findContainer(target);
    if (Object.keys(endpointReqs).length > 0 || req.portBindings?.length) {
      throw invalidParameter('conflicting options: port publishing and the container type network mode');
    }
  } else {
    const primaryName = modeNetworkName(mode)!;
    let primary: NetworkRecord | undefined;
    try {
      primary = engine.findNetwork(primaryName);
    } catch (err) {
      if (!(err instanceof EngineError && err.kind === 'not-found')) throw err;
      pendingNetworkRef = primaryName;
    }
    // The CLI keys per-network settings by the name the user typed (or `default`).
    const primaryReq: EndpointRequest = { ...(endpointReqs[mode] ?? endpointReqs[primaryName] ?? {}) };
    delete endpointReqs[mode];
    delete endpointReqs[primaryName];
    if (req.mac && !primaryReq.mac) primaryReq.mac = req.mac;
    if (primary) {
      if (primary.driver === 'host' && (primaryReq.ipv4 || primaryReq.ipv6)) throw invalidParameter('user specified IP address is supported on user defined networks only');
      validateEndpointRequest(engine, primary, primaryReq);
      networks.push(toEndpointConfig(primary, primaryReq));
    }
    if (primary && (primary.driver === 'host' || primary.driver === 'null') && Object.keys(endpointReqs).length > 0) {
      throw invalidParameter('container sharing network namespace with another container or host cannot be connected to any other network');
    }
    for (const [ref, epReq] of Object.entries(endpointReqs)) {
      const net = engine.findNetwork(ref);
      validateEndpointRequest(engine, net, epReq);
      if (networks.some((n) => n.networkId === net.id)) continue;
      networks.push(toEndpointConfig(net, epReq));
    }
    for (const l of req.links ?? []) {
      if (!(primary && primary.predefined && primary.name === 'bridge')) continue;
      const target = l.split(':')[0];
      try {
        engine.findContainer(target);
      } catch (err) {
        // moby's registerLinks: an invalid parameter, not a 404 (a 404 makes the CLI pull the image).
        if (err instanceof EngineError && err.kind === 'not-found') throw invalidParameter(`could not get container for ${target}: ${err.message}`);
        throw err;
      }
    }
  }
  const id = engine.newId();
  const hostname = req.hostname || (mode === 'host' ? engine.host.hostname : id.slice(0, 12));
  const container: ContainerRecord = {
    id,
    name: name!,
    created: engine.now(),
    image: req.image,
    cmd: req.cmd && req.cmd.length > 0 ? [...req.cmd] : req.entrypoint?.length ? [] : [...image.cmd],
    entrypoint: req.entrypoint ?? [...image.entrypoint],
    hostname,
    domainname: req.domainname ?? '',
    tty: req.tty ?? false,
    openStdin: req.openStdin ?? false,
    autoRemove: req.autoRemove ?? false,
    labels: { ...(req.labels ?? {}) },
    env: [...image.env, ...(req.env ?? [])],
    user: req.user || image.user || '',
    workingDir: req.workingDir || image.workingDir || '',
    networkMode: mode,
    networks,
    pendingNetworkRef,
    endpoints: [],
    portBindings: [...(req.portBindings ?? [])],
    exposedPorts: [...new Set([...image.exposedPorts, ...(req.exposedPorts ?? []), ...(req.portBindings ?? []).map((p) => `${p.containerPort}/${p.protocol}`)])],
    links: (req.links ?? []).map((l) => {
      const [target, alias] = l.split(':');
      return { target, alias: alias || target };
    }),
    extraHosts: [...(req.extraHosts ?? [])],
    dns: [...(req.dns ?? [])],
    dnsOptions: [...(req.dnsOptions ?? [])],
    dnsSearch: [...(req.dnsSearch ?? [])],
    status: 'created',
    pid: 0,
    exitCode: 0,
    startedAt: '0',
    finishedAt: '0',
    restartCount: 0,
    ...(req.restartPolicy && req.restartPolicy.name !== 'no' ? { restartPolicy: { ...req.restartPolicy } } : {}),
    ...(req.init !== undefined ? { init: req.init } : {}),
    sandboxId: '',
    logs: '',
  };
  engine.indexContainer(container);
  return container;
}


function nextIfname(container: ContainerRecord): string {
  for (let i = 0; ; i++) {
    const name = `eth${i}`;
    if (!container.endpoints.some((e) => e.ifname === name)) return name;
  }
}

/** Join one network: address, MAC, DNS names, endpoint record. Returns an undo step. */
function joinNetwork(engine: Engine, container: ContainerRecord, cfg: EndpointConfig): () => void {
  const net = engine.networks.get(cfg.networkId);
  if (!net) throw notFound(`failed to set up container networking: network ${cfg.networkId} not found`);
  if (net.scope === 'swarm' && !net.attachable) {
    throw forbidden(`Could not attach to network ${net.name}: rpc error: code = PermissionDenied desc = network ${net.name} not manually attachable`);
  }
  const ep: EndpointRecord = { id: engine.newId(), networkId: net.id, ifname: '', mac: '', dnsNames: [] };
  const pool = engine.ipam.get(net.id);
  const undo: Array<() => void> = [];
  try {
    if (pool && net.enableIPv4) {
      const a = pool.allocate(4, cfg.ipv4);
      undo.push(() => pool.release(a.address));
      ep.ipv4 = a.address;
      ep.ipv4PrefixLen = a.prefixLen;
      if (!net.internal) ep.gateway = a.gateway;
    }
    if (pool && net.enableIPv6) {
      const a = pool.allocate(6, cfg.ipv6);
      undo.push(() => pool.release(a.address));
      ep.ipv6 = a.address;
      ep.ipv6PrefixLen = a.prefixLen;
      if (!net.internal) ep.ipv6Gateway = a.gateway;
    }
  } catch (err) {
    for (const u of undo.reverse()) u();
    if (err instanceof EngineError && err.message === 'no available addresses on this pool') {
      throw new EngineError(err.kind, `no available IPv4 addresses on this network's address pools: ${net.name} (${net.id})`);
    }
    throw err;
  }
  if (pool) {
    ep.ifname = nextIfname(container);
    if (cfg.mac) ep.mac = cfg.mac.toLowerCase().replace(/-/g, ':');
    else if (engine.profile.macScheme === 'ipv4-derived') ep.mac = ep.ipv4 ? macFromIpv4(ep.ipv4) : legacyRandomMac(engine.deps.random);
    else ep.mac = randomMac(engine.deps.random);
  }
  if (!net.predefined) ep.dnsNames = buildDnsNames(container, cfg.aliases);
  container.endpoints.push(ep);
  if (ep.dnsNames.length > 0) engine.dns.register(net, container, ep);
  return () => {
    engine.dns.unregister(net.id, ep);
    container.endpoints = container.endpoints.filter((e) => e !== ep);
    for (const u of undo.reverse()) u();
  };
}

function leaveNetwork(engine: Engine, container: ContainerRecord, ep: EndpointRecord): void {
  engine.dns.unregister(ep.networkId, ep);
  const pool = engine.ipam.get(ep.networkId);
  if (pool) {
    if (ep.ipv4) pool.release(ep.ipv4);
    if (ep.ipv6) pool.release(ep.ipv6);
  }
  container.endpoints = container.endpoints.filter((e) => e !== ep);
}

/** The container whose network namespace this one shares (`container:` mode), followed. */
export function netnsOwner(engine: Engine, container: ContainerRecord): ContainerRecord {
  let c = container;
  for (let depth = 0; depth < 8 && c.networkMode.startsWith('container:'); depth++) {
    const ref = c.networkMode.slice('container:'.length);
    const next = engine.containers.get(ref) ?? engine.containersByName.get(ref);
    if (!next) break;
    c = next;
  }
  return c;
}

export function startContainer(engine: Engine, ref: string): ContainerRecord {
  const container = engine.findContainer(ref);
  if (container.status === 'running') throw new EngineError('not-modified', 'container already started');
  if (container.networkMode.startsWith('container:')) {
    const target = container.networkMode.slice('container:'.length);
    const owner = engine.containers.get(target) ?? engine.containersByName.get(target);
    if (!owner) throw notFound(`No such container: ${target}`);
    if (owner.status !== 'running') throw conflict(`cannot join network namespace of a non running container: ${owner.id}`);
    // Docker's initializeNetworking: the joiner takes X's hostname (and X's hosts/resolv.conf).
    container.hostname = owner.hostname;
  }
  if (container.pendingNetworkRef) {
    const net = engine.networksByName.get(container.pendingNetworkRef);
    if (!net) throw notFound(`failed to set up container networking: network ${container.pendingNetworkRef} not found`);
    container.networks.unshift(toEndpointConfig(net, {}));
    container.pendingNetworkRef = undefined;
  }
  const undo: Array<() => void> = [];
  try {
    for (const cfg of container.networks) {
      const net = engine.networks.get(cfg.networkId);
      if (!net) throw notFound(`failed to set up container networking: network ${cfg.networkName ?? cfg.networkId} not found`);
      undo.push(joinNetwork(engine, container, cfg));
    }
  } catch (err) {
    for (const u of undo.reverse()) u();
    throw err;
  }
  try {
    repickHostPorts(engine, container);
    checkPortBindings(engine, container);
  } catch (err) {
    for (const u of undo.reverse()) u();
    throw err;
  }
  container.status = 'running';
  container.pid = engine.nextPid++;
  container.exitCode = 0;
  container.startedAt = engine.now();
  delete container.manuallyStopped; // a start, by hand or by the policy, re-arms the restart policy
  if (!container.sandboxId) container.sandboxId = engine.newId();
  return container;
}

/**
 * Docker programs published ports only through a bridge network with external access; on
 * internal-only containers `-p` is recorded but nothing is bound.
 */
export function bindingsProgrammed(engine: Engine, c: ContainerRecord): boolean {
  return c.endpoints.some((ep) => {
    const n = engine.networks.get(ep.networkId);
    return !!n && n.driver === 'bridge' && !n.internal;
  });
}

function hostIpsOverlap(a: string, b: string): boolean {
  const any = (ip: string) => ip === '' || ip === '0.0.0.0' || ip === '::';
  return any(a) || any(b) || a === b;
}

/** A host port can be bound once per address (docker-proxy's bind fails otherwise). */
function checkPortBindings(engine: Engine, container: ContainerRecord): void {
  if (!bindingsProgrammed(engine, container)) return;
  for (const b of container.portBindings) {
    for (const other of engine.containers.values()) {
      if (other === container || other.status !== 'running' || !bindingsProgrammed(engine, other)) continue;
      const clash = other.portBindings.find((o) => o.hostPort === b.hostPort && o.protocol === b.protocol && hostIpsOverlap(o.hostIp, b.hostIp));
      if (!clash) continue;
      const ep = container.endpoints[0];
      throw new EngineError(
        'internal',
        `failed to set up container networking: driver failed programming external connectivity on endpoint ${container.name} (${ep?.id ?? ''}): Bind for ${b.hostIp || '0.0.0.0'}:${b.hostPort} failed: port is already allocated`,
      );
    }
  }
}

/** The process ended (stop, kill, or a command that finished): release the endpoints. */
export function markExited(engine: Engine, container: ContainerRecord, exitCode: number): void {
  for (const ep of [...container.endpoints]) leaveNetwork(engine, container, ep);
  container.status = 'exited';
  container.exitCode = exitCode;
  container.pid = 0;
  container.finishedAt = engine.now();
  // Containers sharing this namespace lose their network with it.
  for (const other of engine.containers.values()) {
    if (other !== container && other.status === 'running' && other.networkMode.startsWith('container:') && netnsOwner(engine, other) === container) {
      markExited(engine, other, 137);
    }
  }
}

/**
 * The start committed but the process could not be started (a real runtime's exec failed): as in
 * Docker, the container was never running — it is Created again, with the exit code its runtime
 * reported, and gives its endpoints back.
 */
export function abortStart(engine: Engine, container: ContainerRecord, exitCode: number): void {
  if (container.status !== 'running') return;
  for (const ep of [...container.endpoints]) leaveNetwork(engine, container, ep);
  container.status = 'created';
  container.exitCode = exitCode;
  container.pid = 0;
}

export function stopContainer(engine: Engine, ref: string, exitCode: number): ContainerRecord {
  const container = engine.findContainer(ref);
  if (container.status !== 'running') return container;
  markExited(engine, container, exitCode);
  return container;
}

export function removeContainer(engine: Engine, ref: string, opts: { force: boolean }): ContainerRecord {
  const container = engine.findContainer(ref);
  if (container.status === 'running') {
    if (!opts.force) {
      throw conflict(`cannot remove container "/${container.name}": container is running: stop the container before removing or force remove`);
    }
    markExited(engine, container, 137);
  }
  engine.unindexContainer(container);
  return container;
}

export function connectContainer(engine: Engine, netRef: string, ctrRef: string, req: EndpointRequest): void {
  const net = engine.findNetwork(netRef);
  const container = engine.findContainer(ctrRef);
  const mode = container.networkMode;
  if (net.driver === 'host') throw forbidden('cannot connect container to host network - container must be created in host network mode');
  if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
    throw forbidden('container sharing network namespace with another container or host cannot be connected to any other network');
  }
  if (net.driver === 'null') throw forbidden('container cannot be disconnected from host network or connected to host network');
  if (container.networks.some((n) => n.networkId === net.id)) {
    throw forbidden(`endpoint with name ${container.name} already exists in network ${net.name}`);
  }
  validateEndpointRequest(engine, net, req);
  const cfg = toEndpointConfig(net, req);
  container.networks.push(cfg);
  if (container.status !== 'running') return;
  try {
    joinNetwork(engine, container, cfg);
  } catch (err) {
    container.networks.pop();
    throw err;
  }
}

export function disconnectContainer(engine: Engine, netRef: string, ctrRef: string, force: boolean): void {
  let net: NetworkRecord | undefined;
  try {
    net = engine.findNetwork(netRef);
  } catch (err) {
    if (!force) throw err;
  }
  const container = engine.findContainer(ctrRef);
  if (!net) return;
  const idx = container.networks.findIndex((n) => n.networkId === net!.id);
  if (idx < 0) throw forbidden(`container ${container.id} is not connected to network ${net.name}`);
  if (net.driver === 'host' && container.networkMode === 'host') throw forbidden('container cannot be disconnected from host network or connected to host network');
  const ep = container.endpoints.find((e) => e.networkId === net!.id);
  if (ep) leaveNetwork(engine, container, ep);
  container.networks.splice(idx, 1);
}

/** Containers in `networks` order of gateway priority (docker-engine.md §13.4). */
export function endpointsByPriority(engine: Engine, container: ContainerRecord): EndpointRecord[] {
  const prio = (ep: EndpointRecord) => container.networks.find((n) => n.networkId === ep.networkId)?.gwPriority ?? 0;
  return [...container.endpoints].sort((a, b) => {
    const na = engine.networks.get(a.networkId)!;
    const nb = engine.networks.get(b.networkId)!;
    if (prio(a) !== prio(b)) return prio(b) - prio(a);
    if (na.internal !== nb.internal) return na.internal ? 1 : -1;
    const gwa = (a.gateway ? 1 : 0) + (a.ipv6Gateway ? 1 : 0);
    const gwb = (b.gateway ? 1 : 0) + (b.ipv6Gateway ? 1 : 0);
    if (gwa !== gwb) return gwb - gwa;
    return na.name < nb.name ? -1 : na.name > nb.name ? 1 : 0;
  });
}
