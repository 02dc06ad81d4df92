/**
 * The engine's persistent model: plain JSON-serialisable records. Everything else (IPAM bitmaps,
 * DNS tables, name indexes) is derived from these on load, so the store only keeps this shape.
 */
import type { IpamConfigEntry } from '../ipam/validate.js';
import type { RestartPolicy } from './restart-policy.js';

export type NetworkDriver = 'bridge' | 'host' | 'null' | 'macvlan' | 'overlay';

export interface NetworkRecord {
  id: string;
  name: string;
  /** Creation time, nanoseconds since the epoch, as a decimal string (JSON has no BigInt). */
  created: string;
  driver: NetworkDriver;
  scope: 'local' | 'swarm';
  enableIPv4: boolean;
  enableIPv6: boolean;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  ipamDriver: string;
  /** `null` for networks the daemon made (Docker shows `"Options": null`). */
  ipamOptions: Record<string, string> | null;
  /** The user's IPAM.Config entries, verbatim; `null` for host/none (inspect shows `null`). */
  userIpamConfig: IpamConfigEntry[] | null;
  /**
   * IPv6 subnets the user gave for a network without IPv6: no IPv6 is allocated from them, but
   * moby keeps them in the network's IPAM config, so a container's --ip6 passes its check and
   * is then ignored (Engine ≤ 29.0).
   */
  ignoredIpv6Subnets?: string[];
  /** Subnets chosen from the default pools for families the user did not configure. */
  dynamicV4?: string;
  dynamicV6?: string;
  options: Record<string, string>;
  labels: Record<string, string>;
  predefined: boolean;
}

/** What a container asked for on one network; kept while the container is stopped. */
export interface EndpointConfig {
  networkId: string;
  /** Name at connect time: shown (and reported at start) if the network is removed meanwhile. */
  networkName?: string;
  aliases: string[];
  ipv4?: string;
  ipv6?: string;
  mac?: string;
  gwPriority: number;
  links: string[];
}

/** A live attachment; exists only while the container runs. */
export interface EndpointRecord {
  id: string;
  networkId: string;
  ifname: string;
  mac: string;
  ipv4?: string;
  ipv4PrefixLen?: number;
  ipv6?: string;
  ipv6PrefixLen?: number;
  gateway?: string;
  ipv6Gateway?: string;
  dnsNames: string[];
}

export interface PortBinding {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  /**
   * The request's HostPort when it names no single port (`''`/`0`: ephemeral, `4200-4500`: a
   * range): the port is picked again at every start from what is free then, as Docker's port
   * allocator does, and HostConfig shows this text.
   */
  hostPortSpec?: string;
}

export type ContainerStatus = 'created' | 'running' | 'exited';

export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  image: string;
  cmd: string[];
  entrypoint: string[];
  hostname: string;
  domainname: string;
  tty: boolean;
  openStdin: boolean;
  autoRemove: boolean;
  labels: Record<string, string>;
  env: string[];
  /** Config.User: the request's, else the image's (absent in state written before it existed). */
  user?: string;
  /** Config.WorkingDir: the request's, else the image's; '' = '/'. */
  workingDir?: string;
  /** `default`, `bridge`, `host`, `none`, `container:<id>` or a user network name/ID. */
  networkMode: string;
  /** Requested attachments in attach order (the NetworkMode network first). */
  networks: EndpointConfig[];
  /** A `--network` that named a network not found at create; start fails with Docker's text. */
  pendingNetworkRef?: string;
  /** Live endpoints, same order as `networks` entries that joined. */
  endpoints: EndpointRecord[];
  portBindings: PortBinding[];
  exposedPorts: string[];
  links: Array<{ target: string; alias: string }>;
  extraHosts: string[];
  dns: string[];
  dnsOptions: string[];
  dnsSearch: string[];
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  restartCount: number;
  /** HostConfig.RestartPolicy (absent in state written before it existed: `no`). */
  restartPolicy?: RestartPolicy;
  /** HostConfig.Init: docker-init (tini) runs as PID 1 and forwards signals to the command. */
  init?: boolean;
  /** The last exit was caused by `docker stop`/`kill`: no restart policy applies (moby's HasBeenManuallyStopped). */
  manuallyStopped?: boolean;
  sandboxId: string;
  /** Output captured from the simulated process (for `logs` and attached runs). */
  logs: string;
}

/** The simulated host the engine runs on: what IPAM and DNS need to know about it. */
export interface HostModel {
  hostname: string;
  /** Host interface addresses in CIDR form (each implies an on-link route). */
  addresses: Array<{ ifname: string; cidr: string }>;
  /** Extra routes; `via` absent means scope link (reserved by IPAM). */
  routes: Array<{ destination: string; via?: string }>;
  nameservers: string[];
  searchDomains: string[];
  /** Names the simulated upstream resolver knows (the outside world). */
  externalHosts: Record<string, string>;
  /** Stable host identity (IPv6 ULA derivation). */
  hostId: string;
}

export interface EngineState {
  schema: 1;
  profile: 'default' | 'legacy';
  networks: NetworkRecord[];
  containers: ContainerRecord[];
  host: HostModel;
  subnetRotatingIndex: number;
  /** Monotonic counter so simulated PIDs look like PIDs. */
  nextPid: number;
  /** Committed write transactions (drives the deterministic `CROSSTALK_SEED` mode). */
  transactions?: number;
  /** Node ID once `swarm init` ran (overlay networks need it). */
  swarmNodeId?: string;
  /** The address `swarm init` advertises (its node's ManagerStatus.Addr is ADDR:2377). */
  swarmAddr?: string;
  /** When `swarm init` ran (nanoseconds since the epoch, as a string). */
  swarmCreated?: string;
}

export const DEFAULT_HOST: HostModel = Object.freeze({
  hostname: 'crosstalk-host',
  addresses: [{ ifname: 'eth0', cidr: '10.0.2.15/24' }],
  routes: [{ destination: '0.0.0.0/0', via: '10.0.2.2' }],
  nameservers: ['10.0.2.3'],
  searchDomains: [],
  externalHosts: { 'example.com': '93.184.215.14', 'google.com': '142.250.74.46', 'dns.google': '8.8.8.8', 'registry.npmjs.org': '104.16.1.34' },
  hostId: 'crosstalk-simulated-host',
}) as HostModel;
