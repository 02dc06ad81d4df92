/**
 * The CLI's view of a Docker Engine API: requests with JSON bodies, daemon errors as
 * `DaemonError` (printed `Error response from daemon: …`), hijacked sessions for attach/exec.
 * Two transports: in-process (the embedded engine, also the browser) and a unix socket (Node).
 */
import type { ApiApp, ApiResponse, HijackSession } from '../../api/contract.js';

export class DaemonError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiResult {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface HijackedStream {
  multiplexed: boolean;
  /** Output from the container: stream 1 stdout, 2 stderr. */
  onOutput(cb: (stream: 1 | 2, data: string) => void): void;
  input(data: string): void;
  close(): void;
  readonly done: Promise<void>;
}

export interface ApiTransport {
  /** Where requests go, for `crosstalk info` ("embedded engine" or the socket). */
  readonly description: string;
  send(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<ApiResult>;
  /** A streaming body (wait, events): resolves each chunk through `onChunk`, resolves when done. */
  stream(method: string, path: string, onChunk: (chunk: string) => void, body?: string): Promise<{ status: number; text: string }>;
  hijack(path: string, body: string): Promise<HijackedStream>;
}

export const API_VERSION = '1.50';

export function queryString(query: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export class ApiClient {
  private version: string | undefined;

  constructor(readonly transport: ApiTransport) {}

  /** Version negotiation as the docker CLI does it: ping, then min(ours, the server's Api-Version); none → 1.24. */
  private async negotiated(): Promise<string> {
    if (this.version) return this.version;
    const ping = await this.transport.send('HEAD', '/_ping');
    const server = ping.headers['api-version'];
    this.version = !server ? '1.24' : compareVersions(server, API_VERSION) < 0 ? server : API_VERSION;
    return this.version;
  }

  private path(p: string): string {
    return `/v${this.version ?? API_VERSION}${p}`;
  }

  private static fail(res: ApiResult): never {
    let message = res.text.trim();
    if ((res.headers['content-type'] ?? '').includes('application/json')) {
      try {
        message = String((JSON.parse(res.text) as { message?: string }).message ?? message).trim();
      } catch {
        /* keep the raw body, as the docker CLI does */
      }
    }
    throw new DaemonError(res.status, message);
  }

  async request<T = unknown>(method: string, p: string, opts: { query?: Record<string, string | number | boolean | undefined>; body?: unknown } = {}): Promise<T> {
    await this.negotiated();
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const res = await this.transport.send(method, this.path(p) + queryString(opts.query ?? {}), body, body ? { 'content-type': 'application/json' } : {});
    if (res.status >= 400) ApiClient.fail(res);
    if (!res.text) return undefined as T;
    return (res.headers['content-type'] ?? '').includes('json') ? (JSON.parse(res.text) as T) : (res.text as T);
  }

  /** The body as the daemon sent it (inspect prints the daemon's bytes re-indented). */
  async raw(method: string, p: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<string> {
    await this.negotiated();
    const res = await this.transport.send(method, this.path(p) + queryString(query));
    if (res.status >= 400) ApiClient.fail(res);
    return res.text;
  }

  async stream(method: string, p: string, query: Record<string, string | number | boolean | undefined>, onChunk: (chunk: string) => void): Promise<void> {
    await this.negotiated();
    const res = await this.transport.stream(method, this.path(p) + queryString(query), onChunk);
    if (res.status >= 400) ApiClient.fail({ status: res.status, headers: { 'content-type': 'application/json' }, text: res.text });
  }

  async hijack(p: string, query: Record<string, string | number | boolean | undefined>, body?: unknown): Promise<HijackedStream> {
    await this.negotiated();
    return this.transport.hijack(this.path(p) + queryString(query), body === undefined ? '' : JSON.stringify(body));
  }
}

/** Calls an ApiApp in this process: the embedded engine, and the browser playground. */
export class InProcessTransport implements ApiTransport {
  readonly description = 'embedded engine (no daemon)';
  constructor(private readonly app: ApiApp) {}

  private async call(method: string, url: string, body = '', headers: Record<string, string> = {}): Promise<ApiResponse> {
    return this.app.handle({ method, url, headers: { 'content-type': 'application/json', ...headers }, body });
  }

  async send(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<ApiResult> {
    const res = await this.call(method, path, body, headers);
    if (res.kind === 'plain') return { status: res.status, headers: lower(res.headers), text: res.body };
    if (res.kind === 'stream') {
      let text = '';
      for await (const chunk of res.chunks) text += chunk;
      return { status: res.status, headers: lower(res.headers), text };
    }
    throw new Error(`unexpected hijack response for ${method} ${path}`);
  }

  async stream(method: string, path: string, onChunk: (chunk: string) => void, body?: string): Promise<{ status: number; text: string }> {
    const res = await this.call(method, path, body);
    if (res.kind === 'plain') {
      if (res.status < 400) onChunk(res.body);
      return { status: res.status, text: res.body };
    }
    if (res.kind === 'hijack') throw new Error(`unexpected hijack response for ${method} ${path}`);
    for await (const chunk of res.chunks) onChunk(chunk);
    return { status: res.status, text: '' };
  }

  async hijack(path: string, body: string): Promise<HijackedStream> {
    const res = await this.call('POST', path, body, { connection: 'Upgrade', upgrade: 'tcp' });
    if (res.kind === 'plain') {
      throw new DaemonError(res.status, extractMessage(res.body));
    }
    if (res.kind !== 'hijack') throw new Error(`expected a hijacked stream from ${path}`);
    return sessionStream(res.session, res.multiplexed);
  }
}

function sessionStream(session: HijackSession, multiplexed: boolean): HijackedStream {
  const listeners: Array<(stream: 1 | 2, data: string) => void> = [];
  const pending: Array<[1 | 2, string]> = [];
  session.start((stream, data) => {
    if (listeners.length) for (const l of listeners) l(stream, data);
    else pending.push([stream, data]);
  });
  return {
    multiplexed,
    onOutput(cb) {
      listeners.push(cb);
      for (const [s, d] of pending.splice(0)) cb(s, d);
    },
    input: (d) => session.input(d),
    close: () => session.close(),
    done: session.done,
  };
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

export function extractMessage(body: string): string {
  try {
    return String((JSON.parse(body) as { message?: string }).message ?? body).trim();
  } catch {
    return body.trim();
  }
}

function compareVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}
