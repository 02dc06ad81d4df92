/**
 * `POST /containers/create`: the request body read as the daemon reads it (Docker's field names,
 * types and texts) into the engine's ContainerCreateRequest, with the warnings and the host ports.
 */
import { EngineError, invalidParameter } from '../../core/errors.js';
import type { Engine } from '../../engine/engine.js';
import type { PortBinding } from '../../engine/model.js';
import type { ContainerCreateRequest, EndpointRequest } from '../../engine/requests.js';
import { findImage } from '../../engine/images.js';
import { validateRestartPolicy } from '../../engine/restart-policy.js';
import { isPickedSpec, pickHostPort } from '../../engine/host-ports.js';
import { Fields } from '../json.js';
import type { RouteContext } from '../router.js';
import { versionAtLeast, versionLess } from '../version.js';
import { endpointRequest } from './networks.js';

const CONFIG_KEYS = ['Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'ExposedPorts', 'Tty', 'OpenStdin', 'StdinOnce', 'Env', 'Cmd', 'Healthcheck', 'ArgsEscaped', 'Image', 'Volumes', 'WorkingDir', 'Entrypoint', 'NetworkDisabled', 'MacAddress', 'OnBuild', 'Labels', 'StopSignal', 'StopTimeout', 'Shell'];

/** `80/tcp`, `53/udp`, `8080` → port and protocol (go-connections nat texts). */
function parsePortKey(key: string): { port: number; protocol: 'tcp' | 'udp' } {
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw invalidParameter(`Invalid containerPort: ${key.split('/')[0]}`);
  if (m[2] === 'sctp') throw new EngineError('not-implemented', 'crosstalk does not simulate sctp ports');
  return { port: Number(m[1]), protocol: (m[2] ?? 'tcp') as 'tcp' | 'udp' };
}

/** `db:alias`, `/db:/web/alias` → `db:alias`. */
function normalizeLink(link: string): string {
  const [target, alias] = link.split(':');
  const t = target.replace(/^\//, '');
  if (alias === undefined) return t;
  return `${t}:${alias.slice(alias.lastIndexOf('/') + 1)}`;
}

export interface PortRequest {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  /** `8080`, `8000-8010`, or '' / `0` for an ephemeral port. */
  spec: string;
}

/** Host ports are picked inside the transaction, against the running containers' bindings. */
export function assignHostPorts(engine: Engine, ports: PortRequest[]): PortBinding[] {
  const taken = new Set<number>();
  for (const c of engine.containers.values()) if (c.status === 'running') for (const b of c.portBindings) taken.add(b.hostPort);
  return ports.map((p) => ({
    containerPort: p.containerPort,
    protocol: p.protocol,
    hostIp: p.hostIp,
    hostPort: pickHostPort(p.spec, taken),
    ...(isPickedSpec(p.spec) ? { hostPortSpec: p.spec } : {}),
  }));
}

/** Reads the create body (outside the transaction: a bad body never touches the state). */
export function createRequest(ctx: RouteContext): { req: ContainerCreateRequest; warnings: string[]; ports: PortRequest[] } {
  const body = ctx.body();
  if (body === undefined) throw invalidParameter('invalid JSON: got EOF while reading request body');
  const f = Fields.of(body, 'ContainerConfigWrapper', 'container.CreateRequest');
  if (!CONFIG_KEYS.some((k) => f.raw(k) !== undefined)) throw invalidParameter('config cannot be empty in order to create a container');
  const image = f.str('Image') ?? '';
  if (image === '') throw invalidParameter('crosstalk: Config.Image is empty; crosstalk has no scratch image');
  const hc = f.obj('HostConfig', 'container.HostConfig');
  const nc = f.obj('NetworkingConfig', 'network.NetworkingConfig');
  const warnings: string[] = [];
  let mode = hc?.str('NetworkMode') ?? '';
  if (mode === '' || mode === 'default') mode = 'bridge';
  const endpointsRaw = nc?.objMap('EndpointsConfig', 'map[string]*network.EndpointSettings') ?? {};
  const endpoints: Record<string, EndpointRequest> = {};
  for (const [name, ep] of Object.entries(endpointsRaw)) endpoints[name === 'default' ? 'bridge' : name] = endpointRequest(ep);
  if (versionLess(ctx.version, '1.44') && Object.keys(endpoints).length > 1) {
    throw invalidParameter(`Container cannot be created with multiple network endpoints: ${Object.keys(endpoints).join(', ')}`);
  }
  const mac = f.str('MacAddress');
  if (mac && versionAtLeast(ctx.version, '1.44')) {
    const primary = endpoints[mode];
    if (primary?.mac && primary.mac !== mac) throw invalidParameter('the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty');
    warnings.push('The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.');
  }

  // Host ports: explicit ones as given, empty ones from the ephemeral range (as the CLI does).
  const ports: PortRequest[] = [];
  const bindings = hc?.rawMap('PortBindings', 'nat.PortMap') ?? {};
  for (const [key, list] of Object.entries(bindings)) {
    const { port, protocol } = parsePortKey(key);
    if (list === null) continue;
    if (!Array.isArray(list)) return hc!.typeError('PortBindings', list, '[]nat.PortBinding');
    for (const b of list) {
      const bf = Fields.of(b, 'ContainerConfigWrapper', 'nat.PortBinding');
      const spec = bf.str('HostPort') ?? '';
      pickHostPort(spec, new Set()); // validates the spec
      ports.push({ containerPort: port, protocol, hostIp: bf.str('HostIp') ?? '', spec });
    }
  }
  const exposed = Object.keys(f.rawMap('ExposedPorts', 'nat.PortSet') ?? {}).map((k) => {
    const { port, protocol } = parsePortKey(k);
    return `${port}/${protocol}`;
  });
  if (hc?.bool('PublishAllPorts')) {
    const all = new Set([...(findImage(image)?.exposedPorts ?? []), ...exposed]);
    for (const key of all) {
      const { port, protocol } = parsePortKey(key);
      if (ports.some((b) => b.containerPort === port && b.protocol === protocol)) continue;
      ports.push({ containerPort: port, protocol, hostIp: '', spec: '' });
    }
  }
  const autoRemove = versionLess(ctx.version, '1.25') ? false : (hc?.bool('AutoRemove') ?? false);
  const rp = hc?.obj('RestartPolicy', 'container.RestartPolicy');
  const restartPolicy = validateRestartPolicy(rp?.str('Name') ?? '', rp?.int('MaximumRetryCount') ?? 0, autoRemove);
  // daemon_unix.go verifyPlatformContainerSettings: host networking has nothing to map.
  if (mode === 'host' && ports.length > 0) warnings.push('Published ports are discarded when using host network mode');
  const entrypoint = f.strSlice('Entrypoint');
  if ((hc?.objList('Mounts', '[]mount.Mount')?.length ?? 0) > 0 || (hc?.strList('Binds')?.length ?? 0) > 0 || Object.keys(f.rawMap('Volumes', 'map[string]struct {}') ?? {}).length > 0) {
    // crosstalk is about networking: no plane mounts anything into a container.
    warnings.push(`crosstalk: volumes and bind mounts are not ${ctx.core.real ? 'implemented on the linux data plane' : 'simulated'}; Binds, Mounts and Volumes were ignored`);
  }
  return {
    warnings,
    ports,
    req: {
      name: ctx.query.get('name') || undefined,
      image,
      cmd: f.strSlice('Cmd'),
      entrypoint: entrypoint === undefined ? undefined : entrypoint.filter((e, i) => !(i === 0 && e === '' && entrypoint.length === 1)),
      hostname: f.str('Hostname') || undefined,
      domainname: f.str('Domainname') || undefined,
      tty: f.bool('Tty') ?? false,
      openStdin: f.bool('OpenStdin') ?? false,
      autoRemove,
      restartPolicy,
      init: hc?.bool('Init'),
      labels: f.strMap('Labels') ?? {},
      env: f.strList('Env') ?? [],
      user: f.str('User') || undefined,
      workingDir: f.str('WorkingDir') || undefined,
      networkMode: mode,
      endpoints,
      exposedPorts: exposed,
      links: (hc?.strList('Links') ?? []).map(normalizeLink),
      extraHosts: hc?.strList('ExtraHosts') ?? [],
      dns: hc?.strList('Dns') ?? [],
      dnsOptions: hc?.strList('DnsOptions') ?? [],
      dnsSearch: hc?.strList('DnsSearch') ?? [],
      mac: mac || undefined,
    },
  };
}

