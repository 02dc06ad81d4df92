/**
 * A client connection from a container, as the applets (wget, nc) need it: the model's verdict,
 * the listening socket and process that accepted it, and the address the server sees.
 */
import { netnsOwner } from '../../engine/containers.js';
import type { ContainerRecord } from '../../engine/model.js';
import { listenersOf, type Listener } from '../listeners.js';
import type { NetView, ReachResult } from '../netview.js';
import type { CmdContext, Errno } from '../context.js';

export interface Connection {
  reach: ReachResult;
  listener?: Listener;
  /** The container whose process owns the listening socket. */
  server?: ContainerRecord;
  /** Source address as the server sees it. */
  client: string;
}

export function errnoOf(reach: ReachResult): Errno {
  switch (reach.outcome) {
    case 'net-unreachable':
      return 'ENETUNREACH';
    case 'host-unreachable':
      return 'EHOSTUNREACH';
    case 'refused':
      return 'ECONNREFUSED';
    default:
      return 'ETIMEDOUT';
  }
}

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';

export function connect(ctx: CmdContext, addr: string, port: number, proto: 'tcp' | 'udp'): Connection {
  const view = ctx.view!;
  const reach = view.reach(ctx.c, addr, proto, port);
  const conn: Connection = { reach, client: clientAddress(ctx, addr, reach.target) };
  if (reach.outcome !== 'ok' || !reach.target) return conn;
  const owner = netnsOwner(view.engine, reach.target);
  // Which container port did the packet reach? Directly the one asked for, or through a
  // published host port (docker-proxy) the binding's container port.
  let containerPort = port;
  const direct = findListener(view, owner, port, proto);
  if (!direct) {
    const b = view.publishedBindings().find((x) => x.hostPort === port && x.protocol === proto && netnsOwner(view.engine, x.container) === owner);
    if (b) containerPort = b.containerPort;
  }
  const found = direct ?? findListener(view, owner, containerPort, proto);
  if (found) {
    conn.listener = found.listener;
    conn.server = found.container;
  }
  return conn;
}

function findListener(view: NetView, owner: ContainerRecord, port: number, proto: 'tcp' | 'udp') {
  for (const member of view.engine.containers.values()) {
    if (member.status !== 'running' || netnsOwner(view.engine, member) !== owner) continue;
    const listener = listenersOf(member).find((l) => l.port === port && l.protocol === proto);
    if (listener) return { listener, container: member };
  }
  return undefined;
}

/** The source address a server sees for a connection from ctx.c to `addr`. */
function clientAddress(ctx: CmdContext, addr: string, target: ContainerRecord | undefined): string {
  const view = ctx.view!;
  if (isLoopback(addr)) return addr === '::1' ? '::1' : '127.0.0.1';
  const me = netnsOwner(view.engine, ctx.c);
  if (me.networkMode === 'host') return view.engine.host.addresses[0]?.cidr.split('/')[0] ?? '127.0.0.1';
  if (!target) return me.endpoints[0]?.ipv4 ?? '';
  const them = netnsOwner(view.engine, target);
  if (them === me) return addr;
  const v6 = addr.includes(':');
  for (const ep of them.endpoints) {
    if ((v6 ? ep.ipv6 : ep.ipv4) !== addr) continue;
    const mine = me.endpoints.find((e) => e.networkId === ep.networkId);
    if (mine) return (v6 ? mine.ipv6 : mine.ipv4) ?? '';
  }
  // Through a published port: docker-proxy connects from the target network's gateway.
  const ep = them.endpoints[0];
  const gw = ep ? view.engine.ipam.get(ep.networkId)?.gateway(4) : undefined;
  return gw ?? '';
}
