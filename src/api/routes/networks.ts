/** Network endpoints (docker-engine.md §9, §15.1), engine semantics shared with the CLI. */
import { EngineError, invalidParameter, notFound } from '../../core/errors.js';
import { connectContainer, disconnectContainer } from '../../engine/containers.js';
import { networkJson } from '../../engine/inspect.js';
import { filterNetworks, validateNetworkFilters } from '../../engine/network-filters.js';
import type { EndpointRequest } from '../../engine/requests.js';
import { parseUntil } from '../../format/go-time.js';
import type { IpamConfigEntry } from '../../ipam/validate.js';
import { emptyResponse, jsonResponse } from '../errors.js';
import { labelMatches, parseFilters } from '../filters.js';
import { Fields } from '../json.js';
import type { Route, RouteContext } from '../router.js';
import { versionAtLeast, versionLess } from '../version.js';

function list(ctx: RouteContext) {
  const { label = [], ...filters } = parseFilters(ctx.query.get('filters'));
  validateNetworkFilters(filters);
  const detailed = versionLess(ctx.version, '1.28');
  const body = ctx.core.read((engine) =>
    filterNetworks(engine, engine.listNetworks(), filters)
      // Every label filter must match (filters.MatchKVList), unlike other keys whose values OR.
      .filter((n) => label.every((l) => labelMatches(n.labels, l)))
      .map((n) => networkJson(engine, n, { withContainers: detailed })),
  );
  return jsonResponse(200, body);
}

function inspect(ctx: RouteContext) {
  const ref = ctx.params.id;
  const scope = ctx.query.get('scope');
  const body = ctx.core.read((engine) => {
    const n = engine.findNetwork(ref);
    if (scope !== '' && n.scope !== scope) throw notFound(`network ${ref} not found`);
    return networkJson(engine, n, { withContainers: true });
  });
  return jsonResponse(200, body);
}

function create(ctx: RouteContext) {
  const f = Fields.of(ctx.body(), 'CreateRequest', 'network.CreateRequest');
  f.bool('CheckDuplicate'); // accepted for old clients; duplicates always fail (409)
  const ipam = f.obj('IPAM', 'network.IPAM');
  const ipamConfig: IpamConfigEntry[] | undefined = ipam?.objList('Config', '[]network.IPAMConfig')?.map((c) => {
    const e: IpamConfigEntry = {};
    const subnet = c.str('Subnet');
    const range = c.str('IPRange');
    const gateway = c.str('Gateway');
    const aux = c.strMap('AuxiliaryAddresses');
    if (subnet) e.Subnet = subnet;
    if (range) e.IPRange = range;
    if (gateway) e.Gateway = gateway;
    if (aux && Object.keys(aux).length) e.AuxiliaryAddresses = aux;
    return e;
  });
  const configFrom = f.obj('ConfigFrom', 'network.ConfigReference')?.str('Network');
  if (f.bool('ConfigOnly') || configFrom) {
    throw new EngineError('not-implemented', 'crosstalk does not implement config-only networks (ConfigOnly, ConfigFrom)');
  }
  if (f.bool('Ingress')) throw new EngineError('not-implemented', 'crosstalk creates the ingress network only at swarm init');
  const scope = f.str('Scope') ?? '';
  if (!['', 'local', 'swarm', 'global'].includes(scope)) throw invalidParameter(`invalid scope ${scope}`);
  const driver = f.str('Driver') || 'bridge';
  // The linux data plane builds bridges only; its plugin list (info) has no macvlan or overlay.
  if (ctx.core.real && (driver === 'macvlan' || driver === 'overlay')) throw notFound(`plugin "${driver}" not found`);
  const net = ctx.core.write((tx) =>
    tx.engine.createNetwork({
      name: f.str('Name') ?? '',
      driver,
      options: f.strMap('Options') ?? {},
      labels: f.strMap('Labels') ?? {},
      internal: f.bool('Internal') ?? false,
      attachable: f.bool('Attachable') ?? false,
      enableIPv4: versionAtLeast(ctx.version, '1.48') ? f.bool('EnableIPv4') : undefined,
      enableIPv6: f.bool('EnableIPv6'),
      ipamDriver: ipam?.str('Driver') || 'default',
      ipamOptions: ipam?.strMap('Options') ?? null,
      ipamConfig,
      scope,
    }),
  );
  return jsonResponse(201, { Id: net.id, Warning: '' });
}

/** EndpointSettings (connect body, NetworkingConfig.EndpointsConfig entries) → engine request. */
export function endpointRequest(ep: Fields | undefined): EndpointRequest {
  if (!ep) return {};
  const ipam = ep.obj('IPAMConfig', 'network.EndpointIPAMConfig');
  ipam?.strList('LinkLocalIPs');
  ep.strMap('DriverOpts');
  const req: EndpointRequest = {};
  const aliases = ep.strList('Aliases');
  if (aliases?.length) req.aliases = aliases;
  const v4 = ipam?.str('IPv4Address');
  const v6 = ipam?.str('IPv6Address');
  if (v4) req.ipv4 = v4;
  if (v6) req.ipv6 = v6;
  const mac = ep.str('MacAddress');
  if (mac) req.mac = mac;
  const prio = ep.int('GwPriority');
  if (prio) req.gwPriority = prio;
  const links = ep.strList('Links');
  if (links?.length) req.links = links;
  return req;
}

function connect(ctx: RouteContext) {
  const f = Fields.of(ctx.body(), 'ConnectOptions', 'network.ConnectOptions');
  const container = f.str('Container') ?? '';
  const req = endpointRequest(f.obj('EndpointConfig', 'network.EndpointSettings'));
  ctx.core.write((tx) => connectContainer(tx.engine, ctx.params.id, container, req));
  return emptyResponse(200);
}

function disconnect(ctx: RouteContext) {
  const f = Fields.of(ctx.body(), 'DisconnectOptions', 'network.DisconnectOptions');
  const container = f.str('Container') ?? '';
  const force = f.bool('Force') ?? false;
  ctx.core.write((tx) => disconnectContainer(tx.engine, ctx.params.id, container, force));
  return emptyResponse(200);
}

function remove(ctx: RouteContext) {
  ctx.core.write((tx) => tx.engine.removeNetwork(ctx.params.id));
  return emptyResponse(204);
}

function prune(ctx: RouteContext) {
  const filters = parseFilters(ctx.query.get('filters'));
  for (const key of Object.keys(filters)) if (!['until', 'label', 'label!'].includes(key)) throw invalidParameter(`invalid filter '${key}'`);
  const until = filters.until ?? [];
  if (until.length > 1) throw invalidParameter('more than one until filter specified');
  let untilNanos: bigint | undefined;
  if (until.length === 1) {
    try {
      untilNanos = parseUntil(until[0], ctx.core.now());
    } catch (err) {
      throw invalidParameter((err as Error).message);
    }
  }
  const deleted = ctx.core.write((tx) => {
    const names = tx.engine.pruneNetworks({ until: untilNanos, labels: filters.label, notLabels: filters['label!'] });
    tx.eventAfter({ Type: 'network', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: '0' } }, timeNano: ctx.core.now() });
    return names;
  });
  return jsonResponse(200, { NetworksDeleted: deleted.length ? deleted : null });
}

export const NETWORK_ROUTES: Route[] = [
  { method: 'GET', path: '/networks', handler: list },
  { method: 'GET', path: '/networks/', handler: list },
  { method: 'POST', path: '/networks/create', handler: create },
  { method: 'POST', path: '/networks/prune', handler: prune },
  { method: 'GET', path: '/networks/{id}', handler: inspect },
  { method: 'POST', path: '/networks/{id}/connect', handler: connect },
  { method: 'POST', path: '/networks/{id}/disconnect', handler: disconnect },
  { method: 'DELETE', path: '/networks/{id}', handler: remove },
];
