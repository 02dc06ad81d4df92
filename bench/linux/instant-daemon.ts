/**
 * The floor of the end-to-end numbers: a stand-in daemon on a unix socket that answers each
 * request the benchmarked docker CLI commands send (ping, container create/wait/start/remove,
 * network create/list/inspect/remove) at once, with a minimal answer of the right shape and does
 * nothing else. A docker command timed against it costs only the CLI's own work: no daemon can
 * make that command faster end to end. Never used for anything but this measurement.
 */
import { createServer, type Server } from 'node:http';
import { rmSync } from 'node:fs';

const ID = 'f'.repeat(64);

const NETWORK = {
  Name: 'benchnet',
  Id: ID,
  Created: '2026-01-01T00:00:00Z',
  Scope: 'local',
  Driver: 'bridge',
  EnableIPv4: true,
  EnableIPv6: false,
  IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] },
  Internal: false,
  Attachable: false,
  Ingress: false,
  ConfigFrom: { Network: '' },
  ConfigOnly: false,
  Containers: {},
  Options: {},
  Labels: {},
};

function answer(method: string, path: string): { status: number; body?: unknown; hold?: boolean } {
  const p = path.replace(/^\/v[\d.]+/, '').split('?')[0];
  if (p === '/_ping') return { status: 200, body: 'OK' };
  if (method === 'POST' && p === '/containers/create') return { status: 201, body: { Id: ID, Warnings: [] } };
  if (method === 'POST' && /^\/containers\/[^/]+\/wait$/.test(p)) return { status: 200, hold: true };
  if (method === 'POST' && /^\/containers\/[^/]+\/start$/.test(p)) return { status: 204 };
  if (method === 'DELETE' && /^\/containers\/[^/]+$/.test(p)) return { status: 204 };
  if (method === 'POST' && p === '/networks/create') return { status: 201, body: { Id: ID, Warning: '' } };
  if (method === 'GET' && p === '/networks') return { status: 200, body: [NETWORK] };
  if (method === 'GET' && /^\/networks\/[^/]+$/.test(p)) return { status: 200, body: NETWORK };
  if (method === 'DELETE' && /^\/networks\/[^/]+$/.test(p)) return { status: 204 };
  return { status: 404, body: { message: 'page not found' } };
}

export interface InstantDaemon {
  socket: string;
  close(): Promise<void>;
}

export async function startInstantDaemon(socket: string): Promise<InstantDaemon> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer(req.method ?? 'GET', req.url ?? '/');
      const headers: Record<string, string> = { 'Api-Version': '1.50', Ostype: 'linux', Server: 'instant-daemon', 'Docker-Experimental': 'false' };
      if (a.hold) {
        // `wait` answers when the container exits: headers now, the body never (run -d does not read it).
        res.writeHead(a.status, { ...headers, 'Content-Type': 'application/json' });
        res.flushHeaders();
        return;
      }
      if (a.body === undefined) {
        res.writeHead(a.status, headers).end();
        return;
      }
      const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
      res.writeHead(a.status, { ...headers, 'Content-Type': typeof a.body === 'string' ? 'text/plain' : 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, () => resolve()));
  return {
    socket,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(socket, { force: true });
    },
  };
}
