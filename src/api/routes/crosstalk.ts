/**
 * crosstalk's own endpoints (outside Docker's API, under /crosstalk): the explanation of why A can
 * or cannot reach B, the simulated host, and reset. The CLI uses them when it talks to a daemon.
 */
import { EngineError, invalidParameter } from '../../core/errors.js';
import type { HostModel } from '../../engine/model.js';
import { explain } from '../../explain/explain.js';
import type { PlainResponse } from '../contract.js';
import type { Route, RouteContext } from '../router.js';

function json(status: number, value: unknown): PlainResponse {
  return { kind: 'plain', status, headers: { 'Content-Type': 'application/json' }, body: `${JSON.stringify(value)}\n` };
}

function explainRoute(ctx: RouteContext): PlainResponse {
  const from = ctx.query.get('from');
  const to = ctx.query.get('to');
  if (!from || !to) throw invalidParameter('from and to are required');
  const portText = ctx.query.get('port');
  const port = portText ? Number(portText) : undefined;
  const proto = (ctx.query.get('proto') || (port === undefined ? 'icmp' : 'tcp')) as 'tcp' | 'udp' | 'icmp';
  if (!['tcp', 'udp', 'icmp'].includes(proto)) throw invalidParameter(`invalid proto ${proto}`);
  // On the real plane, who listens is observed (servers started by docker exec included), not modelled.
  const real = ctx.core.real;
  return json(200, ctx.core.read((engine) => explain(engine, { from, to, port, proto }, real ? (c) => real.listeners(c.id) : undefined)));
}

function getHost(ctx: RouteContext): PlainResponse {
  return json(200, ctx.core.read((engine) => engine.host));
}

function setHost(ctx: RouteContext): PlainResponse {
  const patch = (ctx.body() ?? {}) as Partial<HostModel>;
  const host = ctx.core.write((tx) => {
    tx.engine.setHost({ ...tx.engine.host, ...patch });
    return tx.engine.host;
  });
  return json(200, host);
}

function reset(ctx: RouteContext): PlainResponse {
  const compat = ctx.query.get('compat') || 'default';
  if (compat !== 'default' && compat !== 'legacy') throw invalidParameter(`invalid compat ${compat}`);
  if (ctx.core.real) {
    // Forgetting the state would orphan real processes, bridges and veths.
    throw new EngineError('conflict', 'crosstalk reset is for the simulator; on the real data plane remove containers and networks (docker rm -f, docker network prune), or stop a --sandbox daemon: its clean exit removes everything');
  }
  ctx.core.host.reset(compat);
  ctx.core.forget();
  return { kind: 'plain', status: 204, headers: {}, body: '' };
}

async function importImage(ctx: RouteContext): Promise<PlainResponse> {
  const name = ctx.query.get('name');
  const path = ctx.query.get('path');
  if (!name || !path) throw invalidParameter('name and path are required');
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw invalidParameter(`invalid image name "${name}": lower-case letters, digits, '.', '_' and '-' only`);
  if (!path.startsWith('/')) throw invalidParameter(`the tarball path must be absolute: ${path}`);
  if (!ctx.core.real) throw invalidParameter('importing a root filesystem needs the real data plane (crosstalkd --data-plane linux); the simulator runs only its built-in images');
  await ctx.core.real.importImage(name, path);
  return json(200, { name: `${name}:latest` });
}

export const CROSSTALK_ROUTES: Route[] = [
  { method: 'POST', path: '/crosstalk/images/import', handler: importImage },
  { method: 'GET', path: '/crosstalk/explain', handler: explainRoute },
  { method: 'GET', path: '/crosstalk/host', handler: getHost },
  { method: 'POST', path: '/crosstalk/host', handler: setHost },
  { method: 'POST', path: '/crosstalk/reset', handler: reset },
];
