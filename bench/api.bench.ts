/**
 * `npm run bench:api`: the Engine API of crosstalkd (sim data plane) under load, over its unix
 * socket, as clients see it. A fresh daemon on a temp socket; 1,000 networks (explicit /24s, the
 * default pools hold only 30); then
 *
 *  - `GET /networks` (1,000 networks in the answer): 1 client, then 16 concurrent clients;
 *  - `POST /networks/{id}/connect` (3,200 distinct container/network pairs, running containers):
 *    the first 200 from 1 client, the rest from 16 concurrent clients;
 *
 * and prints median, p99 and requests/s. Never part of the test suite (no timing assertions).
 * Options: --networks N (1000), --clients N (16), --connects N (3200), --gets N (400).
 */
import { Agent, request } from 'node:http';
import { startDaemon, type Daemon } from '../test/compat/harness.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const NETWORKS = arg('networks', 1000);
const CLIENTS = arg('clients', 16);
const CONNECTS = arg('connects', 3200);
const GETS = arg('gets', 400);

interface Sample {
  ms: number;
  status: number;
  bytes: number;
}

function call(agent: Agent, socketPath: string, method: string, path: string, body?: unknown): Promise<Sample & { body: string }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        socketPath,
        method,
        path,
        headers: data === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, bytes: text.length, body: text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Runs `jobs` with `clients` workers, each on its own keep-alive connection; returns samples and wall time. */
async function load(daemon: Daemon, clients: number, jobs: Array<{ method: string; path: string; body?: unknown }>, expect: number): Promise<{ samples: Sample[]; wallMs: number }> {
  const agents = Array.from({ length: clients }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const samples: Sample[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    agents.map(async (agent) => {
      for (;;) {
        const i = next++;
        if (i >= jobs.length) return;
        const j = jobs[i];
        const s = await call(agent, daemon.socket, j.method, j.path, j.body);
        if (s.status !== expect) throw new Error(`${j.method} ${j.path} → ${s.status}: ${s.body}`);
        samples.push({ ms: s.ms, status: s.status, bytes: s.bytes });
      }
    }),
  );
  const wallMs = performance.now() - t0;
  for (const a of agents) a.destroy();
  return { samples, wallMs };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

interface Row {
  bench: string;
  n: string;
  clients: string;
  median: string;
  p99: string;
  rps: string;
}

function row(bench: string, clients: number, r: { samples: Sample[]; wallMs: number }): Row {
  const sorted = r.samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    bench,
    n: String(r.samples.length),
    clients: String(clients),
    median: `${quantile(sorted, 0.5).toFixed(2)} ms`,
    p99: `${quantile(sorted, 0.99).toFixed(2)} ms`,
    rps: `${((r.samples.length / r.wallMs) * 1000).toFixed(0)}`,
  };
}

function printTable(rows: Row[]): void {
  const head: Row = { bench: 'benchmark', n: 'requests', clients: 'clients', median: 'median', p99: 'p99', rps: 'req/s' };
  const keys = Object.keys(head) as Array<keyof Row>;
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...[head, ...rows].map((r) => r[k].length))])) as Record<keyof Row, number>;
  for (const r of [head, ...rows]) console.log(keys.map((k, i) => (i === 0 ? r[k].padEnd(width[k]) : r[k].padStart(width[k]))).join('   '));
}

async function main(): Promise<void> {
  const daemon = await startDaemon();
  const stop = async () => {
    const rep = await daemon.stop();
    if (!rep.socketRemoved) console.error('warning: crosstalkd left its socket behind');
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const rows: Row[] = [];
    const nets = Array.from({ length: NETWORKS }, (_, i) => ({
      method: 'POST',
      path: '/v1.50/networks/create',
      body: { Name: `bench-${i}`, IPAM: { Config: [{ Subnet: `10.${(i >> 8) + 100}.${i & 255}.0/24` }] }, Labels: { bench: 'api' } },
    }));
    rows.push(row(`POST /networks/create (up to ${NETWORKS})`, 1, await load(daemon, 1, nets, 201)));

    const list = await call(new Agent(), daemon.socket, 'GET', '/v1.50/networks');
    const count = (JSON.parse(list.body) as unknown[]).length;
    if (count !== NETWORKS + 3) throw new Error(`GET /networks lists ${count} networks, expected ${NETWORKS + 3}`);
    const gets = Array.from({ length: GETS }, () => ({ method: 'GET', path: '/v1.50/networks' }));
    rows.push(row(`GET /networks (${count} networks, ${(list.bytes / 1024).toFixed(0)} KiB)`, 1, await load(daemon, 1, gets.slice(0, GETS / 4), 200)));
    rows.push(row(`GET /networks (${count} networks)`, CLIENTS, await load(daemon, CLIENTS, gets, 200)));

    // Containers to connect: running, on the default bridge; each goes to CONNECTS/containers networks.
    const containers = Math.max(CLIENTS, Math.ceil(CONNECTS / 20));
    const perContainer = Math.ceil(CONNECTS / containers);
    const creates = Array.from({ length: containers }, (_, i) => ({ method: 'POST', path: `/v1.50/containers/create?name=bench-c${i}`, body: { Image: 'alpine', Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'bridge' } } }));
    rows.push(row('POST /containers/create', CLIENTS, await load(daemon, CLIENTS, creates, 201)));
    const starts = Array.from({ length: containers }, (_, i) => ({ method: 'POST', path: `/v1.50/containers/bench-c${i}/start` }));
    rows.push(row('POST /containers/{id}/start', CLIENTS, await load(daemon, CLIENTS, starts, 204)));
    const connects: Array<{ method: string; path: string; body: unknown }> = [];
    for (let k = 0; k < perContainer; k++)
      for (let c = 0; c < containers && connects.length < CONNECTS; c++)
        connects.push({ method: 'POST', path: `/v1.50/networks/bench-${(c * perContainer + k) % NETWORKS}/connect`, body: { Container: `bench-c${c}`, EndpointConfig: {} } });
    // A few sequential ones first: the service time without queueing behind other clients.
    const single = Math.min(200, connects.length >> 3);
    rows.push(row('POST /networks/{id}/connect', 1, await load(daemon, 1, connects.slice(0, single), 200)));
    rows.push(row('POST /networks/{id}/connect', CLIENTS, await load(daemon, CLIENTS, connects.slice(single), 200)));

    // The connects must all have landed, each with its own address.
    const check = await call(new Agent(), daemon.socket, 'GET', '/v1.50/containers/json');
    const ctrs = JSON.parse(check.body) as Array<{ NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }>;
    const endpoints = ctrs.reduce((n, c) => n + Object.keys(c.NetworkSettings.Networks).length - 1, 0);
    if (endpoints !== connects.length) throw new Error(`expected ${connects.length} connected endpoints, found ${endpoints}`);

    console.log(`crosstalkd (sim data plane), ${NETWORKS} networks, ${containers} containers; node ${process.version}`);
    printTable(rows);
  } finally {
    await stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
