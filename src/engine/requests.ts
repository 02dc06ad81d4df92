/** Inputs to the engine, in crosstalk's own spelling (Docker's wire shapes live at the edges). */
import type { IpamConfigEntry } from '../ipam/validate.js';
import type { PortBinding } from './model.js';
import type { RestartPolicy } from './restart-policy.js';

export interface NetworkCreateRequest {
  name: string;
  driver?: string;
  options?: Record<string, string>;
  labels?: Record<string, string>;
  internal?: boolean;
  attachable?: boolean;
  ingress?: boolean;
  enableIPv4?: boolean;
  enableIPv6?: boolean;
  ipamDriver?: string;
  ipamOptions?: Record<string, string> | null;
  ipamConfig?: IpamConfigEntry[];
  scope?: string;
  configOnly?: boolean;
  configFrom?: string;
}

export interface EndpointRequest {
  aliases?: string[];
  ipv4?: string;
  ipv6?: string;
  mac?: string;
  gwPriority?: number;
  links?: string[];
}

export interface ContainerCreateRequest {
  name?: string;
  image: string;
  cmd?: string[];
  entrypoint?: string[];
  hostname?: string;
  domainname?: string;
  tty?: boolean;
  openStdin?: boolean;
  autoRemove?: boolean;
  restartPolicy?: RestartPolicy;
  init?: boolean;
  labels?: Record<string, string>;
  env?: string[];
  /** `--user`: `name|uid[:group|gid]`, resolved in the container's files at start. */
  user?: string;
  /** `--workdir`: absolute. */
  workingDir?: string;
  /** `default` when absent. */
  networkMode?: string;
  /** Per-network settings keyed by network reference (the NetworkMode network, or others). */
  endpoints?: Record<string, EndpointRequest>;
  portBindings?: PortBinding[];
  exposedPorts?: string[];
  links?: string[];
  extraHosts?: string[];
  dns?: string[];
  dnsOptions?: string[];
  dnsSearch?: string[];
  /** Container-wide MAC (`--mac-address`), applied to the NetworkMode network. */
  mac?: string;
}

export interface PruneFilters {
  until?: bigint;
  labels?: string[];
  notLabels?: string[];
}
