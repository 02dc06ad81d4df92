/**
 * The Linux bridge data plane as `ip -batch` commands (pure: golden-testable, no process spawned
 * per address): one bridge per network, one veth pair per endpoint, the container side renamed
 * `ethN` inside the container's namespace with the engine's address, MAC and routes.
 */

export interface BridgeSpec {
  /** `docker0`, or `br-` + the first 12 hex chars of the network ID. */
  name: string;
  /** Gateway addresses with prefix length, e.g. `172.18.0.1/16`. */
  gateways: string[];
  mtu: number;
}

export interface EndpointSpec {
  /** Host side: `veth` + 7 hex chars. */
  hostVeth: string;
  /** Container side before it is renamed (a unique temporary name). */
  tempName: string;
  bridge: string;
  /** `/proc/<pid>/ns/net` of the container. */
  containerNetns: string;
  ifname: string;
  mac: string;
  /** Addresses with prefix length. */
  addresses: string[];
  mtu: number;
  /** Set on the endpoint that provides the default route. */
  defaultGateway?: string;
  /** ICC off: an isolated bridge port cannot talk to other isolated ports, only to the bridge (gateway). */
  isolated?: boolean;
}

/** `br-` + 12 hex chars of the network ID, `docker0` for the default bridge, or the user's name option. */
export function bridgeName(networkId: string, opts: { isDefault: boolean; option?: string }): string {
  if (opts.option) return opts.option;
  return opts.isDefault ? 'docker0' : `br-${networkId.slice(0, 12)}`;
}

/** Commands run in the (sandbox) host namespace to create a network's bridge. */
export function createBridgeCommands(b: BridgeSpec): string[] {
  return [
    `link add ${b.name} type bridge`,
    `link set ${b.name} mtu ${b.mtu}`,
    ...b.gateways.map((g) => `addr add ${g} dev ${b.name}`),
    `link set ${b.name} up`,
  ];
}

export function deleteBridgeCommands(name: string): string[] {
  return [`link del ${name}`];
}

/** Host-namespace half of an endpoint: the veth pair, the host side on the bridge, the peer moved into the container. */
export function createEndpointHostCommands(e: EndpointSpec): string[] {
  return [
    `link add ${e.hostVeth} mtu ${e.mtu} type veth peer name ${e.tempName} mtu ${e.mtu}`,
    `link set ${e.hostVeth} master ${e.bridge}`,
    ...(e.isolated ? [`link set ${e.hostVeth} type bridge_slave isolated on`] : []),
    `link set ${e.hostVeth} up`,
    `link set ${e.tempName} netns ${e.containerNetns}`,
  ];
}

/** Container-namespace half: rename to ethN, MAC, addresses, up, default route. */
export function createEndpointContainerCommands(e: EndpointSpec): string[] {
  return [
    `link set ${e.tempName} name ${e.ifname}`,
    `link set ${e.ifname} address ${e.mac}`,
    ...e.addresses.map((a) => `addr add ${a} dev ${e.ifname}`),
    `link set ${e.ifname} up`,
    ...(e.defaultGateway ? [`route add default via ${e.defaultGateway} dev ${e.ifname}`] : []),
  ];
}

/** Deleting the host side removes the pair (and the container's ethN with it). */
export function deleteEndpointCommands(hostVeth: string): string[] {
  return [`link del ${hostVeth}`];
}
