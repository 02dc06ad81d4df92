/**
 * The swarm endpoints the docker CLI needs for a single-node swarm: `docker swarm init` (init,
 * then the node and the swarm for the join command it prints), `docker swarm leave --force`,
 * `docker swarm join-token`, `docker node ls/inspect`. The swarm exists for overlay networks only:
 * no services, no other nodes.
 */
import { EngineError, notFound } from '../../core/errors.js';
import type { Engine } from '../../engine/engine.js';
import { leaveSwarm, NOT_A_MANAGER } from '../../engine/swarm.js';
import { formatRfc3339Nano } from '../../format/go-time.js';
import type { PlainResponse } from '../contract.js';
import { emptyResponse, jsonResponse } from '../errors.js';
import { Fields } from '../json.js';
import type { Route, RouteContext } from '../router.js';
import { ENGINE_VERSION } from '../version.js';

/** `ADDR` or `ADDR:PORT` (the port is the cluster port, 2377 unless given). */
function advertiseHost(value: string): string {
  const m = /^\[?([^\]]+?)\]?(?::\d+)?$/.exec(value);
  return m ? m[1] : value;
}

function init(ctx: RouteContext): PlainResponse {
  const f = Fields.of(ctx.body() ?? {}, 'InitRequest', 'swarm.InitRequest');
  const advertise = f.str('AdvertiseAddr') ?? '';
  f.str('ListenAddr');
  f.bool('ForceNewCluster');
  f.strList('DefaultAddrPool');
  if (ctx.core.real) {
    throw new EngineError('not-implemented', "crosstalk: swarm mode is simulated only (overlay networks need the simulator); this crosstalkd runs the linux data plane, which builds bridge networks");
  }
  const nodeId = ctx.core.write((tx) => tx.engine.initSwarm(advertise ? advertiseHost(advertise) : undefined));
  return jsonResponse(200, nodeId);
}

function manager(engine: Engine): { id: string; addr: string; created: string } {
  if (!engine.swarmNodeId) throw new EngineError('unavailable', NOT_A_MANAGER);
  return { id: engine.swarmNodeId, addr: engine.swarmAddr ?? '127.0.0.1', created: formatRfc3339Nano(BigInt(engine.swarmCreated ?? engine.now())) };
}

/** Join tokens: swarmkit's shape (SWMTKN-1-<root CA digest>-<secret>), derived from the node ID. */
function tokens(id: string): { Worker: string; Manager: string } {
  const digest = id.padEnd(50, '0');
  return { Worker: `SWMTKN-1-${digest}-${id.slice(0, 25)}`, Manager: `SWMTKN-1-${digest}-${[...id.slice(0, 25)].reverse().join('')}` };
}

function inspectSwarm(ctx: RouteContext): PlainResponse {
  const body = ctx.core.read((engine) => {
    const m = manager(engine);
    return {
      // The cluster's own ID (Docker's differs from the node's): derived, as the node ID is all there is.
      ID: [...m.id].reverse().join(''),
      Version: { Index: 10 },
      CreatedAt: m.created,
      UpdatedAt: m.created,
      Spec: {
        Name: 'default',
        Labels: {},
        Orchestration: { TaskHistoryRetentionLimit: 5 },
        Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
        Dispatcher: { HeartbeatPeriod: 5000000000 },
        CAConfig: { NodeCertExpiry: 7776000000000000 },
        TaskDefaults: {},
        EncryptionConfig: { AutoLockManagers: false },
      },
      TLSInfo: { TrustRoot: '', CertIssuerSubject: '', CertIssuerPublicKey: '' },
      RootRotationInProgress: false,
      DefaultAddrPool: ['10.0.0.0/8'],
      SubnetSize: 24,
      DataPathPort: 4789,
      JoinTokens: tokens(m.id),
    };
  });
  return jsonResponse(200, body);
}

function nodeJson(ctx: RouteContext, engine: Engine): Record<string, unknown> {
  const m = manager(engine);
  const i = ctx.core.info;
  return {
    ID: m.id,
    Version: { Index: 9 },
    CreatedAt: m.created,
    UpdatedAt: m.created,
    Spec: { Labels: {}, Role: 'manager', Availability: 'active' },
    Description: {
      Hostname: i.name ?? engine.host.hostname,
      Platform: { Architecture: 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: (i.ncpu ?? 1) * 1e9, MemoryBytes: i.memTotal ?? 0 },
      Engine: { EngineVersion: ctx.core.profile().name === 'legacy' ? ctx.core.profile().engineVersion : ENGINE_VERSION, Plugins: [{ Type: 'Network', Name: 'bridge' }, { Type: 'Network', Name: 'host' }, { Type: 'Network', Name: 'null' }, { Type: 'Network', Name: 'overlay' }] },
      TLSInfo: { TrustRoot: '', CertIssuerSubject: '', CertIssuerPublicKey: '' },
    },
    Status: { State: 'ready', Addr: m.addr },
    ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: `${m.addr}:2377` },
  };
}

function inspectNode(ctx: RouteContext): PlainResponse {
  const body = ctx.core.read((engine) => {
    const node = nodeJson(ctx, engine);
    const ref = ctx.params.id;
    if (ref !== 'self' && !(node.ID as string).startsWith(ref) && ref !== (node.Description as { Hostname: string }).Hostname) throw notFound(`node ${ref} not found`);
    return node;
  });
  return jsonResponse(200, body);
}

function listNodes(ctx: RouteContext): PlainResponse {
  return jsonResponse(200, ctx.core.read((engine) => [nodeJson(ctx, engine)]));
}

function leave(ctx: RouteContext): PlainResponse {
  const force = ['1', 'true'].includes(ctx.query.get('force') ?? '');
  ctx.core.write((tx) => leaveSwarm(tx.engine, force));
  return emptyResponse(200);
}

export const SWARM_ROUTES: Route[] = [
  { method: 'POST', path: '/swarm/init', handler: init },
  { method: 'GET', path: '/swarm', handler: inspectSwarm },
  { method: 'POST', path: '/swarm/leave', handler: leave },
  { method: 'GET', path: '/nodes', handler: listNodes },
  { method: 'GET', path: '/nodes/{id}', handler: inspectNode },
];
