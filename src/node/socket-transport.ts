/** The Engine API over a unix socket (or 127.0.0.1 TCP): how the CLI talks to a running crosstalkd. */
import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { DaemonError, extractMessage, type ApiResult, type ApiTransport, type HijackedStream } from '../cli/client/api-client.js';
import { CliError } from '../cli/command.js';

export interface Endpoint {
  socketPath?: string;
  host?: string;
  port?: number;
}

/** `unix:///path` or `tcp://127.0.0.1:2375` → where to connect. */
export function parseHost(value: string): Endpoint {
  if (value.startsWith('unix://')) return { socketPath: value.slice('unix://'.length) };
  const m = /^tcp:\/\/([^:]+):(\d+)$/.exec(value);
  if (m) return { host: m[1], port: Number(m[2]) };
  throw new Error(`unsupported host "${value}" (expected unix:///path or tcp://127.0.0.1:PORT)`);
}

function collect(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    // Multiplexed frames are binary: keep byte values (the CLI decodes the payloads).
    res.setEncoding(String(res.headers['content-type'] ?? '').includes('multiplexed') ? 'latin1' : 'utf8');
    res.on('data', (c: string) => (text += c));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}

/** Splits Docker's multiplexed stream (8-byte headers) into stdout/stderr pieces. */
export class FrameDecoder {
  private buf = Buffer.alloc(0);
  constructor(private readonly emit: (stream: 1 | 2, data: string) => void) {}
  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) return;
      const stream = this.buf[0] === 2 ? 2 : 1;
      this.emit(stream, this.buf.subarray(8, 8 + len).toString('utf8'));
      this.buf = this.buf.subarray(8 + len);
    }
  }
}

export class SocketTransport implements ApiTransport {
  readonly description: string;
  constructor(
    private readonly endpoint: Endpoint,
    hostValue: string,
  ) {
    this.description = hostValue;
  }

  /** The docker CLI's text when nothing answers at the socket. */
  private unreachable = (err: NodeJS.ErrnoException) =>
    ['ENOENT', 'ECONNREFUSED', 'EACCES'].includes(err.code ?? '') ? new CliError(`Cannot connect to the Docker daemon at ${this.description}. Is the docker daemon running?`) : err;

  private options(method: string, path: string, headers: Record<string, string>) {
    return { ...this.endpoint, method, path, headers: { host: 'docker', 'user-agent': 'crosstalk-cli', ...headers } };
  }

  send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<ApiResult> {
    return new Promise((resolve, reject) => {
      const req = request(this.options(method, path, headers), (res) => {
        collect(res).then((text) => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, text }), reject);
      });
      req.on('error', (err) => reject(this.unreachable(err)));
      req.end(body);
    });
  }

  stream(method: string, path: string, onChunk: (chunk: string) => void, body?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(this.options(method, path, body ? { 'content-type': 'application/json' } : {}), (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 400) {
          collect(res).then((text) => resolve({ status, text }), reject);
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (c: string) => onChunk(c));
        res.on('end', () => resolve({ status, text: '' }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  hijack(path: string, body: string): Promise<HijackedStream> {
    return new Promise((resolve, reject) => {
      const req = request(this.options('POST', path, { connection: 'Upgrade', upgrade: 'tcp', 'content-type': body ? 'application/json' : 'text/plain' }));
      req.on('error', reject);
      req.on('response', (res) => {
        collect(res).then((text) => reject(new DaemonError(res.statusCode ?? 0, extractMessage(text))), reject);
      });
      req.on('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
        const multiplexed = String(res.headers['content-type'] ?? '').includes('multiplexed');
        const listeners: Array<(stream: 1 | 2, data: string) => void> = [];
        const pending: Array<[1 | 2, string]> = [];
        const emit = (stream: 1 | 2, data: string) => {
          if (listeners.length) for (const l of listeners) l(stream, data);
          else pending.push([stream, data]);
        };
        const decoder = new FrameDecoder(emit);
        const feed = (chunk: Buffer) => (multiplexed ? decoder.push(chunk) : emit(1, chunk.toString('utf8')));
        if (head.length) feed(head);
        socket.on('data', feed);
        const done = new Promise<void>((resolveDone) => {
          socket.on('end', () => resolveDone());
          socket.on('close', () => resolveDone());
          socket.on('error', () => resolveDone());
        });
        resolve({
          multiplexed,
          onOutput(cb) {
            listeners.push(cb);
            for (const [s, d] of pending.splice(0)) cb(s, d);
          },
          input: (d) => socket.write(d),
          close: () => socket.end(),
          done,
        });
      });
      req.end(body);
    });
  }
}
