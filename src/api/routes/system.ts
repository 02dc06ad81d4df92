/** `/_ping`, `/version`, `/info`, `/events` (docker-engine.md §15.1, §15.3). */
import type { PlainResponse } from '../contract.js';
import { jsonResponse } from '../errors.js';
import { eventFilter, eventJson, parseEventTime } from '../events.js';
import { parseFilters } from '../filters.js';
import type { Route, RouteContext } from '../router.js';
import { Channel, setTimer } from '../stream.js';
import { localImages } from './images.js';
import { ENGINE_VERSION, MIN_API_VERSION } from '../version.js';

function swarmState(ctx: RouteContext): string {
  return ctx.core.read((e) => (e.swarmNodeId ? 'active/manager' : 'inactive'));
}

function ping(ctx: RouteContext): PlainResponse {
  const head = ctx.req.method.toUpperCase() === 'HEAD';
  const headers: Record<string, string> = {
    'Api-Version': ctx.core.profile().apiVersion,
    'Builder-Version': '2',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    'Content-Type': 'text/plain; charset=utf-8',
    Pragma: 'no-cache',
    Swarm: swarmState(ctx),
  };
  if (head) headers['Content-Length'] = '0';
  return { kind: 'plain', status: 200, headers, body: head ? '' : 'OK' };
}

function engineVersion(ctx: RouteContext): string {
  const p = ctx.core.profile();
  return p.name === 'legacy' ? p.engineVersion : ENGINE_VERSION;
}

function version(ctx: RouteContext): PlainResponse {
  const info = ctx.core.info;
  const p = ctx.core.profile();
  const ctVersion = info.crosstalkVersion ?? 'unknown';
  const dataPlane = info.dataPlane ?? 'sim';
  const goVersion = `none (crosstalk is TypeScript${info.runtime ? `; ${info.runtime}` : ''})`;
  const arch = info.arch ?? 'amd64';
  const kernel = info.kernelVersion ?? '';
  return jsonResponse(200, {
    Platform: { Name: `crosstalk ${ctVersion} (Docker Engine API ${p.apiVersion}, ${dataPlane === 'sim' ? 'simulated data plane' : `${dataPlane} data plane`})` },
    Components: [
      {
        Name: 'Engine',
        Version: engineVersion(ctx),
        Details: { ApiVersion: p.apiVersion, Arch: arch, BuildTime: '', Experimental: 'false', GitCommit: '', GoVersion: goVersion, KernelVersion: kernel, MinAPIVersion: MIN_API_VERSION, Os: 'linux' },
      },
      { Name: 'crosstalk', Version: ctVersion, Details: { DataPlane: dataPlane, Profile: p.name } },
    ],
    Version: engineVersion(ctx),
    ApiVersion: p.apiVersion,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: goVersion,
    Os: 'linux',
    Arch: arch,
    KernelVersion: kernel,
  });
}

function info(ctx: RouteContext): PlainResponse {
  const i = ctx.core.info;
  const dataPlane = i.dataPlane ?? 'sim';
  const body = ctx.core.read((e) => {
    const containers = e.listContainers();
    const running = containers.filter((c) => c.status === 'running').length;
    const swarm = e.swarmNodeId
      ? { NodeID: e.swarmNodeId, NodeAddr: e.swarmAddr ?? e.host.addresses[0]?.cidr.split('/')[0] ?? '', LocalNodeState: 'active', ControlAvailable: true, Error: '', RemoteManagers: null, Nodes: 1, Managers: 1 }
      : { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null };
    return {
      // The host ID seeds the IPv6 ULA prefixes; on the real plane info names the plane instead of "simulated".
      ID: dataPlane === 'sim' ? e.host.hostId : e.host.hostId.replace('simulated', 'linux'),
      Containers: containers.length,
      ContainersRunning: running,
      ContainersPaused: 0,
      ContainersStopped: containers.length - running,
      Images: localImages(ctx).length,
      Driver: dataPlane === 'sim' ? 'crosstalk-sim' : `crosstalk-${dataPlane}`,
      DriverStatus: [['Data plane', dataPlane === 'sim' ? 'simulated (no namespaces, bridges or processes)' : dataPlane]],
      // macvlan and overlay exist in the simulator only.
      Plugins: { Volume: null, Network: dataPlane === 'sim' ? ['bridge', 'host', 'macvlan', 'null', 'overlay'] : ['bridge', 'host', 'null'], Authorization: null, Log: null },
      MemoryLimit: false,
      SwapLimit: false,
      CpuCfsPeriod: false,
      CpuCfsQuota: false,
      CPUShares: false,
      CPUSet: false,
      PidsLimit: false,
      IPv4Forwarding: true,
      Debug: false,
      NFd: 0,
      OomKillDisable: false,
      NGoroutines: 0,
      SystemTime: new Date(Number(ctx.core.now() / 1_000_000n)).toISOString(),
      LoggingDriver: 'json-file',
      CgroupDriver: 'none',
      CgroupVersion: '',
      NEventsListener: ctx.core.events.listenerCount,
      KernelVersion: i.kernelVersion ?? '',
      OperatingSystem: `crosstalk (${dataPlane === 'sim' ? 'simulated data plane' : dataPlane})`,
      OSVersion: '',
      OSType: 'linux',
      Architecture: archToUname(i.arch ?? 'amd64'),
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: null,
      NCPU: i.ncpu ?? 1,
      MemTotal: i.memTotal ?? 0,
      GenericResources: null,
      DockerRootDir: i.rootDir ?? '',
      HttpProxy: '',
      HttpsProxy: '',
      NoProxy: '',
      Name: i.name ?? e.host.hostname,
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: engineVersion(ctx),
      // The real plane's containers say "Runtime": "runc" in inspect, as Docker's do; its runc is our shim.
      Runtimes: dataPlane === 'sim' ? { 'crosstalk-sim': { path: 'crosstalk-sim' } } : { runc: { path: 'crosstalk shim.py' } },
      DefaultRuntime: dataPlane === 'sim' ? 'crosstalk-sim' : 'runc',
      Swarm: swarm,
      // Containers outlive a daemon restart on both planes (docs/decisions.md), as with live-restore.
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: 'docker-init',
      ContainerdCommit: { ID: '' },
      RuncCommit: { ID: '' },
      InitCommit: { ID: 'de40ad0' }, // tini v0.19.0, what --init runs (docs/decisions.md)
      SecurityOptions: [],
      CDISpecDirs: [],
      Warnings: dataPlane === 'sim' ? ['crosstalk: the data plane is simulated; containers are models, not processes'] : [],
      Crosstalk: { Version: i.crosstalkVersion ?? 'unknown', DataPlane: dataPlane, Simulated: dataPlane === 'sim', Profile: e.profile.name },
    };
  });
  return jsonResponse(200, body);
}

function archToUname(goArch: string): string {
  return ({ amd64: 'x86_64', arm64: 'aarch64', '386': 'i686', arm: 'armv7l' } as Record<string, string>)[goArch] ?? goArch;
}

function events(ctx: RouteContext) {
  const now = ctx.core.now();
  const since = parseEventTime(ctx.query.get('since'), now);
  const until = parseEventTime(ctx.query.get('until'), now);
  const include = eventFilter(parseFilters(ctx.query.get('filters')));
  // Catch up with other writers first, so the replay and the live stream do not overlap.
  ctx.core.ensurePolling();
  const ch = new Channel<string>();
  if (since !== undefined) for (const ev of ctx.core.events.history(since, until)) if (include(ev)) ch.push(eventJson(ev));
  if (until !== undefined && until <= now) ch.close();
  else {
    const unsubscribe = ctx.core.events.subscribe((ev) => {
      if (until !== undefined && ev.timeNano > until) return;
      if ((since === undefined || ev.timeNano >= since) && include(ev)) ch.push(eventJson(ev));
    });
    const cancelTimer = until !== undefined ? setTimer(() => ch.close(), Number((until - now) / 1_000_000n) + 1) : undefined;
    ch.whenClosed(() => {
      unsubscribe();
      cancelTimer?.();
    });
  }
  return { kind: 'stream' as const, status: 200, headers: { 'Content-Type': 'application/json' }, chunks: ch, cancel: () => ch.close() };
}

export const SYSTEM_ROUTES: Route[] = [
  { method: 'GET', path: '/_ping', handler: ping },
  { method: 'HEAD', path: '/_ping', handler: ping },
  { method: 'GET', path: '/version', handler: version },
  { method: 'GET', path: '/info', handler: info },
  { method: 'GET', path: '/events', handler: events },
];
