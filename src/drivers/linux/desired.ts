/**
 * What the Linux data plane should look like for an engine state: one bridge per bridge network,
 * one veth per live endpoint of a container whose namespace exists. Pure (no Node imports): the
 * daemon feeds it to LinuxNetworkPlane.sync after every transaction, and on start to reconcile.
 */
import { bindingsProgrammed, endpointsByPriority, netnsOwner } from '../../engine/containers.js';
import { advertiseSettings, iccEnabled, parseGoBool } from '../../engine/engine.js';
import type { Engine } from '../../engine/engine.js';
import type { ContainerRecord, NetworkRecord } from '../../engine/model.js';
import type { DesiredEndpoint, DesiredNetwork, DesiredPort, DesiredState } from './network-plane.js';

export type { DesiredEndpoint, DesiredNetwork, DesiredPort, DesiredState } from './network-plane.js';

const BRIDGE = 'com.docker.network.bridge.';

/** `docker0` for the default bridge, the user's `bridge.name` option, else `br-` + 12 hex. */
export function bridgeNameOf(n: NetworkRecord): string {
  const option = n.options[`${BRIDGE}name`];
  if (option) return option;
  return n.predefined && n.name === 'bridge' ? 'docker0' : `br-${n.id.slice(0, 12)}`;
}

export function hostVethName(endpointId: string): string {
  return `veth${endpointId.slice(0, 7)}`;
}

function prefixOf(cidr: string): string {
  return cidr.slice(cidr.indexOf('/'));
}

function desiredNetwork(engine: Engine, n: NetworkRecord): DesiredNetwork {
  const ipam = engine.ipam.get(n.id);
  const subnets4 = ipam?.subnets(4) ?? [];
  const subnets6 = ipam?.subnets(6) ?? [];
  const gateways: string[] = [];
  const gw4 = ipam?.gateway(4);
  if (gw4 && subnets4[0]) gateways.push(`${gw4}${prefixOf(subnets4[0])}`);
  const gw6 = ipam?.gateway(6);
  if (gw6 && subnets6[0]) gateways.push(`${gw6}${prefixOf(subnets6[0])}`);
  const mtu = Number.parseInt(n.options['com.docker.network.driver.mtu'] ?? '', 10);
  return {
    id: n.id,
    bridge: bridgeNameOf(n),
    gateways,
    subnets4,
    subnets6,
    mtu: Number.isFinite(mtu) && mtu > 0 ? mtu : 1500,
    internal: n.internal,
    masquerade: parseGoBool(n.options[`${BRIDGE}enable_ip_masquerade`] ?? 'true') !== false,
    icc: iccEnabled(n),
  };
}

/**
 * @param netnsOf where a running container's network namespace is, or undefined while it has none
 *   yet (being created) — its endpoints are then left out until it has one.
 */
export function desiredState(engine: Engine, netnsOf: (containerId: string) => string | undefined): DesiredState {
  const networks = [...engine.networks.values()].filter((n) => n.driver === 'bridge').map((n) => desiredNetwork(engine, n));
  const byId = new Map(networks.map((n) => [n.id, n]));
  const advertise = new Map(networks.map((n) => [n.id, advertiseSettings(engine.networks.get(n.id)!)]));
  const endpoints: DesiredEndpoint[] = [];
  const ports: DesiredPort[] = [];
  for (const c of engine.containers.values()) {
    if (c.status !== 'running' || c.networkMode.startsWith('container:')) continue;
    if (netnsOwner(engine, c) !== c) continue;
    const netns = netnsOf(c.id);
    if (!netns) continue;
    const routed = endpointsByPriority(engine, c)[0];
    for (const ep of c.endpoints) {
      const net = byId.get(ep.networkId);
      if (!net) continue;
      const addresses: string[] = [];
      if (ep.ipv4) addresses.push(`${ep.ipv4}/${ep.ipv4PrefixLen ?? 16}`);
      if (ep.ipv6) addresses.push(`${ep.ipv6}/${ep.ipv6PrefixLen ?? 64}`);
      endpoints.push({
        key: `${c.id}/${ep.networkId}`,
        containerId: c.id,
        networkId: ep.networkId,
        netnsPath: netns,
        hostVeth: hostVethName(ep.id),
        ifname: ep.ifname,
        mac: ep.mac,
        addresses,
        gateway4: ep.gateway || undefined,
        gateway6: ep.ipv6Gateway || undefined,
        defaultRoute: ep === routed && !!(ep.gateway || ep.ipv6Gateway),
        advertise: advertise.get(ep.networkId)!,
      });
    }
    ports.push(...desiredPorts(engine, c, byId));
  }
  ports.sort((a, b) => portKey(a).localeCompare(portKey(b)));
  return { networks, endpoints, ports };
}

const portKey = (p: DesiredPort) =>
  [p.containerIp.includes(':') ? 6 : 4, p.proto, String(p.hostPort).padStart(5, '0'), p.hostIp, p.containerIp, String(p.containerPort).padStart(5, '0')].join(' ');

/**
 * A running container's published ports as Docker programs them with the userland proxy off: only
 * when it is on a bridge network with external access, DNATed to its address on the first such
 * network by gateway priority. A binding on every address (`''` / `0.0.0.0`) is IPv4 and, when the
 * container has an IPv6 address there, IPv6; `::` is IPv6 only; a specific host address is of its
 * own family (nothing when the container has no address of that family: no 6→4 proxy here).
 */
function desiredPorts(engine: Engine, c: ContainerRecord, nets: Map<string, DesiredNetwork>): DesiredPort[] {
  if (!c.portBindings.length || !bindingsProgrammed(engine, c)) return [];
  const ep = endpointsByPriority(engine, c).find((e) => {
    const n = nets.get(e.networkId);
    return !!n && !n.internal;
  });
  if (!ep) return [];
  const out: DesiredPort[] = [];
  for (const b of c.portBindings) {
    if (!b.hostPort) continue;
    const base = { proto: b.protocol, hostPort: b.hostPort, containerPort: b.containerPort };
    const any = b.hostIp === '' || b.hostIp === '0.0.0.0';
    if (ep.ipv4 && (any || (b.hostIp !== '::' && !b.hostIp.includes(':')))) out.push({ ...base, hostIp: any ? '' : b.hostIp, containerIp: ep.ipv4 });
    if (ep.ipv6 && (any || b.hostIp.includes(':'))) out.push({ ...base, hostIp: any || b.hostIp === '::' ? '' : b.hostIp, containerIp: ep.ipv6 });
  }
  return out;
}
