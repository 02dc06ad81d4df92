/** In-process API tests: an app over a memory store with deterministic IDs, and small call helpers. */
import { SeededRandom, SteppingClock } from '../../src/core/ports.js';
import { EngineHost } from '../../src/cli/engine-host.js';
import { MemoryStore } from '../../src/store/store.js';
import { createApiApp, type CrosstalkApiApp } from '../../src/api/app.js';
import type { ApiResponse, HijackSession } from '../../src/api/contract.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
  raw: ApiResponse;
}

export interface TestApi {
  app: CrosstalkApiApp;
  host: EngineHost;
  /** Advances the wall clock the app sees (nanoseconds). */
  clock: { now: bigint };
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Starts a hijacked session and collects its output. */
  hijack(url: string, body?: unknown): Promise<Session>;
}

export interface Session {
  session: HijackSession;
  contentType: string;
  multiplexed: boolean;
  out: Array<[1 | 2, string]>;
  text(): string;
}

export const T0 = 1_750_000_000_000_000_000n;

export function newApi(opts: { profile?: 'default' | 'legacy'; seed?: number } = {}): TestApi {
  const store = new MemoryStore();
  const host = new EngineHost({
    store,
    clock: new SteppingClock(T0, 1_000_000_000n),
    random: new SeededRandom(opts.seed ?? 7),
    profile: opts.profile ?? 'default',
  });
  const clock = { now: T0 + 3_600_000_000_000n };
  const app = createApiApp({ host, now: () => clock.now, pollIntervalMs: 0, info: { crosstalkVersion: '0.1.0-test', arch: 'amd64' } });
  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const raw = await app.handle({ method, url, headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...headers }, body: text });
    if (raw.kind === 'hijack') return { status: 101, headers: { 'content-type': raw.contentType }, text: '', json: undefined, raw };
    let out = '';
    if (raw.kind === 'plain') out = raw.body;
    else for await (const chunk of raw.chunks) out += chunk;
    let json: any;
    try {
      json = out ? JSON.parse(out) : undefined;
    } catch {
      json = undefined;
    }
    return { status: raw.status, headers: raw.headers, text: out, json, raw };
  };
  const hijack = async (url: string, body?: unknown): Promise<Session> => {
    const r = await call('POST', url, body, { connection: 'Upgrade', upgrade: 'tcp' });
    if (r.raw.kind !== 'hijack') throw new Error(`expected a hijack, got ${r.status} ${r.text}`);
    const out: Array<[1 | 2, string]> = [];
    r.raw.session.start((s, d) => out.push([s, d]));
    return { session: r.raw.session, contentType: r.raw.contentType, multiplexed: r.raw.multiplexed, out, text: () => out.map(([, d]) => d).join('') };
  };
  return { app, host, clock, call, hijack };
}

/** `docker run -d` through the API: create, start; returns the ID. */
export async function runDetached(api: TestApi, name: string, body: Record<string, unknown>): Promise<string> {
  const c = await api.call('POST', `/v1.50/containers/create?name=${name}`, body);
  if (c.status !== 201) throw new Error(`create ${name}: ${c.status} ${c.text}`);
  const s = await api.call('POST', `/v1.50/containers/${c.json.Id}/start`);
  if (s.status !== 204) throw new Error(`start ${name}: ${s.status} ${s.text}`);
  return c.json.Id;
}

export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
