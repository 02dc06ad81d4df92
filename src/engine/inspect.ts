/**
 * Docker's wire shapes for networks and containers, built in Go struct field order because the
 * docker CLI re-indents the daemon's bytes without reordering (docker-engine.md §2, §15.2).
 * Go maps (Containers, Options, Labels, Networks) are emitted with sorted keys, as encoding/json does.
 */
import { formatRfc3339Nano } from '../format/go-time.js';
import { bindingsProgrammed, netnsOwner } from './containers.js';
import type { Engine } from './engine.js';
import type { ContainerRecord, EndpointConfig, EndpointRecord, NetworkRecord } from './model.js';

export function sortedObject<T>(obj: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k];
  return out;
}

export function networkJson(engine: Engine, n: NetworkRecord, opts: { withContainers: boolean }): Record<string, unknown> {
  const pool = engine.ipam.get(n.id);
  const containers: Record<string, unknown> = {};
  if (opts.withContainers) {
    for (const { container, endpoint } of engine.endpointsOn(n.id)) {
      containers[container.id] = {
        Name: container.name,
        EndpointID: endpoint.id,
        MacAddress: endpoint.mac,
        IPv4Address: endpoint.ipv4 ? `${endpoint.ipv4}/${endpoint.ipv4PrefixLen}` : '',
        IPv6Address: endpoint.ipv6 ? `${endpoint.ipv6}/${endpoint.ipv6PrefixLen}` : '',
      };
    }
  }
  const out: Record<string, unknown> = {
    Name: n.name,
    Id: n.id,
    Created: formatRfc3339Nano(BigInt(n.created)),
    Scope: n.scope,
    Driver: n.driver,
  };
  if (engine.profile.enableIPv4Field) out.EnableIPv4 = n.enableIPv4;
  out.EnableIPv6 = n.enableIPv6;
  out.IPAM = {
    Driver: n.ipamDriver,
    Options: n.ipamOptions === null ? null : sortedObject(n.ipamOptions),
    Config: n.userIpamConfig === null || !pool ? null : pool.inspectConfig(),
  };
  out.Internal = n.internal;
  out.Attachable = n.attachable;
  out.Ingress = n.ingress;
  out.ConfigFrom = { Network: '' };
  out.ConfigOnly = false;
  out.Containers = sortedObject(containers);
  out.Options = sortedObject(n.options);
  out.Labels = sortedObject(n.labels);
  return out;
}

function endpointSettings(engine: Engine, c: ContainerRecord, cfg: EndpointConfig, ep: EndpointRecord | undefined): Record<string, unknown> {
  const ipamConfig: Record<string, string> = {};
  if (cfg.ipv4) ipamConfig.IPv4Address = cfg.ipv4;
  if (cfg.ipv6) ipamConfig.IPv6Address = cfg.ipv6;
  const out: Record<string, unknown> = {
    IPAMConfig: Object.keys(ipamConfig).length ? ipamConfig : null,
    Links: cfg.links.length ? [...cfg.links] : null,
    Aliases: cfg.aliases.length ? [...cfg.aliases] : null,
    MacAddress: ep?.mac ?? cfg.mac ?? '',
    DriverOpts: null,
  };
  if (engine.profile.enableIPv4Field) out.GwPriority = cfg.gwPriority;
  Object.assign(out, {
    NetworkID: cfg.networkId,
    EndpointID: ep?.id ?? '',
    Gateway: ep?.gateway ?? '',
    IPAddress: ep?.ipv4 ?? '',
    IPPrefixLen: ep?.ipv4PrefixLen ?? 0,
    IPv6Gateway: ep?.ipv6Gateway ?? '',
    GlobalIPv6Address: ep?.ipv6 ?? '',
    GlobalIPv6PrefixLen: ep?.ipv6PrefixLen ?? 0,
    DNSNames: ep && ep.dnsNames.length ? [...ep.dnsNames] : null,
  });
  return out;
}

function portsJson(engine: Engine, c: ContainerRecord): Record<string, unknown> {
  if (c.status !== 'running') return {};
  const out: Record<string, unknown> = {};
  for (const p of c.exposedPorts) out[p] = null;
  if (!bindingsProgrammed(engine, c)) return sortedObject(out);
  for (const b of c.portBindings) {
    const key = `${b.containerPort}/${b.protocol}`;
    const list = (Array.isArray(out[key]) ? out[key] : []) as Array<{ HostIp: string; HostPort: string }>;
    if (b.hostIp === '' || b.hostIp === '0.0.0.0') {
      list.push({ HostIp: '0.0.0.0', HostPort: String(b.hostPort) }, { HostIp: '::', HostPort: String(b.hostPort) });
    } else list.push({ HostIp: b.hostIp, HostPort: String(b.hostPort) });
    out[key] = list;
  }
  return sortedObject(out);
}

export function containerJson(engine: Engine, c: ContainerRecord): Record<string, unknown> {
  const running = c.status === 'running';
  const owner = netnsOwner(engine, c);
  const networks: Record<string, unknown> = {};
  if (!c.networkMode.startsWith('container:')) {
    for (const cfg of c.networks) {
      const net = engine.networks.get(cfg.networkId);
      const name = net?.name ?? cfg.networkName;
      if (!name) continue;
      networks[name] = endpointSettings(engine, c, cfg, c.endpoints.find((e) => e.networkId === cfg.networkId));
    }
  }
  const bridgeEp = c.endpoints.find((e) => engine.networks.get(e.networkId)?.name === 'bridge' && engine.networks.get(e.networkId)?.predefined);
  const path = c.entrypoint.length ? c.entrypoint[0] : c.cmd[0] ?? '';
  const args = c.entrypoint.length ? [...c.entrypoint.slice(1), ...c.cmd] : c.cmd.slice(1);
  const stateDir = `/var/lib/docker/containers/${c.id}`;
  const filesDir = `/var/lib/docker/containers/${owner.id}`;
  return {
    Id: c.id,
    Created: formatRfc3339Nano(BigInt(c.created)),
    Path: path,
    Args: args,
    State: {
      Status: c.status,
      Running: running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: running ? c.pid : 0,
      ExitCode: c.exitCode,
      Error: '',
      StartedAt: c.startedAt === '0' ? '0001-01-01T00:00:00Z' : formatRfc3339Nano(BigInt(c.startedAt)),
      FinishedAt: c.finishedAt === '0' ? '0001-01-01T00:00:00Z' : formatRfc3339Nano(BigInt(c.finishedAt)),
    },
    Image: `sha256:${imageDigest(c.image)}`,
    // A container:X container uses X's files (Docker's initializeNetworkingPaths).
    ResolvConfPath: `${filesDir}/resolv.conf`,
    HostnamePath: `${filesDir}/hostname`,
    HostsPath: `${filesDir}/hosts`,
    LogPath: `${stateDir}/${c.id}-json.log`,
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      Binds: null,
      ContainerIDFile: '',
      LogConfig: { Type: 'json-file', Config: {} },
      NetworkMode: c.networkMode,
      PortBindings: portBindingsJson(c),
      RestartPolicy: { Name: c.restartPolicy?.name ?? 'no', MaximumRetryCount: c.restartPolicy?.maximumRetryCount ?? 0 },
      AutoRemove: c.autoRemove,
      VolumeDriver: '',
      VolumesFrom: null,
      ConsoleSize: [0, 0],
      CapAdd: null,
      CapDrop: null,
      CgroupnsMode: 'private',
      Dns: [...c.dns],
      DnsOptions: [...c.dnsOptions],
      DnsSearch: [...c.dnsSearch],
      ExtraHosts: c.extraHosts.length ? [...c.extraHosts] : null,
      GroupAdd: null,
      IpcMode: 'private',
      Cgroup: '',
      Links: c.links.length ? c.links.map((l) => `/${l.target}:/${c.name}/${l.alias}`) : null,
      OomScoreAdj: 0,
      PidMode: '',
      Privileged: false,
      PublishAllPorts: false,
      ReadonlyRootfs: false,
      SecurityOpt: null,
      UTSMode: '',
      UsernsMode: '',
      ShmSize: 67108864,
      Runtime: 'runc',
      ...(c.init !== undefined ? { Init: c.init } : {}),
    },
    Mounts: [],
    Config: {
      Hostname: c.hostname,
      Domainname: c.domainname,
      User: c.user ?? '',
      AttachStdin: c.openStdin,
      AttachStdout: true,
      AttachStderr: true,
      ...(c.exposedPorts.length ? { ExposedPorts: sortedObject(Object.fromEntries(c.exposedPorts.map((p) => [p, {}]))) } : {}),
      Tty: c.tty,
      OpenStdin: c.openStdin,
      StdinOnce: false,
      Env: [...c.env],
      Cmd: c.cmd.length ? [...c.cmd] : null,
      Image: c.image,
      Volumes: null,
      WorkingDir: c.workingDir ?? '',
      Entrypoint: c.entrypoint.length ? [...c.entrypoint] : null,
      OnBuild: null,
      Labels: sortedObject(c.labels),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: running ? owner.sandboxId : '',
      SandboxKey: running ? `/var/run/docker/netns/${owner.sandboxId.slice(0, 12)}` : '',
      Ports: portsJson(engine, c),
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: bridgeEp?.id ?? '',
      Gateway: bridgeEp?.gateway ?? '',
      GlobalIPv6Address: bridgeEp?.ipv6 ?? '',
      GlobalIPv6PrefixLen: bridgeEp?.ipv6PrefixLen ?? 0,
      IPAddress: bridgeEp?.ipv4 ?? '',
      IPPrefixLen: bridgeEp?.ipv4PrefixLen ?? 0,
      IPv6Gateway: bridgeEp?.ipv6Gateway ?? '',
      MacAddress: bridgeEp?.mac ?? '',
      Networks: sortedObject(networks),
    },
  };
}

function portBindingsJson(c: ContainerRecord): Record<string, unknown> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const b of c.portBindings) {
    const key = `${b.containerPort}/${b.protocol}`;
    (out[key] ??= []).push({ HostIp: b.hostIp, HostPort: b.hostPortSpec !== undefined ? (b.hostPortSpec === '0' ? '' : b.hostPortSpec) : b.hostPort ? String(b.hostPort) : '' });
  }
  return sortedObject(out);
}

/** A stable fake image digest per image reference (the simulator has no image store). */
export function imageDigest(ref: string): string {
  let h1 = 0x811c9dc5;
  let out = '';
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < ref.length; i++) h1 = Math.imul(h1 ^ ref.charCodeAt(i), 0x01000193) >>> 0;
    h1 = Math.imul(h1 ^ round, 0x01000193) >>> 0;
    out += h1.toString(16).padStart(8, '0');
  }
  return out;
}
