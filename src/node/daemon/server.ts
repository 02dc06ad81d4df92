/**
 * The Engine API over HTTP/1.1 on unix sockets (and loopback TCP): node:http requests become
 * ApiRequests; plain responses are written with a Content-Length, streaming ones chunked, and
 * hijacked ones (attach, exec start) take over the connection: `101 UPGRADED` when the client
 * asked for `Upgrade: tcp` (the docker CLI), `200 OK` with the raw stream otherwise (Docker's
 * behaviour for clients that do not upgrade). A client that goes away ends its session.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { ApiApp, ApiRequest, ApiResponse, HijackResponse, HijackSession } from '../../api/contract.js';
import { bodyTooLarge, MAX_BODY_BYTES, responseForError } from '../../api/errors.js';
import type { Logger } from './log.js';

/** Bodies over the limit are read and dropped up to this size before the 413. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/** Requests whose body is a binary archive, saved to a temp file (ApiRequest.bodyFile): `docker load`. */
const FILE_BODY_PATH = /^(\/v[0-9]+(\.[0-9]+)?)?\/images\/load\/?$/;
const MAX_FILE_BODY_BYTES = 4 * 1024 * 1024 * 1024;

export interface ApiServer {
  server: Server;
  /** Stops accepting, ends hijacked sessions and open connections. */
  close(): Promise<void>;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function frame(stream: 1 | 2, data: string, multiplexed: boolean): Buffer {
  const payload = Buffer.from(data, 'utf8');
  if (!multiplexed) return payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** @param bodyDir where binary request bodies are saved while their request runs (default: the system temp dir). */
export function createApiServer(app: ApiApp, log: Logger, bodyDir: string = tmpdir()): ApiServer {
  const sockets = new Set<Duplex>();
  const sessions = new Set<HijackSession>();
  const streams = new Set<() => void>();
  const server = createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000 });

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  /** Runs a hijacked session over `socket` (after the status line and headers were written). */
  function runSession(res: HijackResponse, socket: Duplex, write: (b: Buffer) => void, end: () => void, readStdin: boolean): void {
    const session = res.session;
    sessions.add(session);
    const decoder = new StringDecoder('utf8');
    let gone = false;
    session.start((stream, data) => {
      if (!gone) write(frame(stream, data, res.multiplexed));
    });
    if (readStdin) {
      socket.on('data', (chunk: Buffer) => session.input(decoder.write(chunk)));
      socket.on('end', () => {
        const rest = decoder.end();
        if (rest) session.input(rest);
        // Half-closed (stdin EOF: the client still reads) or gone (the docker CLI exits after
        // reading the detach keys itself)? A zero-length write fails at once on a closed unix
        // socket and succeeds on a half-closed one.
        socket.write(Buffer.alloc(0), (err) => (err ? session.disconnect() : session.close()));
      });
    }
    socket.on('error', (err) => log('debug', 'hijacked connection error', { error: err.message }));
    socket.on('close', () => {
      gone = true;
      session.disconnect();
    });
    session.done.then(
      () => {
        sessions.delete(session);
        if (!gone) end();
      },
      (err: Error) => {
        sessions.delete(session);
        log('error', 'session failed', { error: err.message });
        socket.destroy();
      },
    );
  }

  function writePlain(res: ServerResponse, r: ApiResponse & { kind: 'plain' }, head: boolean): void {
    const payload = r.bytes ? Buffer.from(r.bytes) : Buffer.from(r.body, 'utf8');
    const headers: Record<string, string> = { ...r.headers };
    const noBody = r.status === 204 || r.status === 304;
    if (!noBody && !('Content-Length' in headers)) headers['Content-Length'] = String(payload.length);
    res.writeHead(r.status, headers);
    res.end(head || noBody ? undefined : payload);
  }

  async function writeStream(req: IncomingMessage, res: ServerResponse, r: ApiResponse & { kind: 'stream' }): Promise<void> {
    res.writeHead(r.status, r.headers);
    res.flushHeaders();
    let closed = false;
    const cancel = () => {
      if (closed) return;
      closed = true;
      r.cancel();
    };
    streams.add(cancel);
    res.on('close', cancel);
    try {
      for await (const chunk of r.chunks) {
        if (closed) break;
        res.write(chunk);
      }
    } finally {
      streams.delete(cancel);
      if (!res.writableEnded) res.end();
    }
  }

  async function respond(req: IncomingMessage, res: ServerResponse, apiReq: ApiRequest, started: number): Promise<void> {
    let r: ApiResponse;
    try {
      r = await app.handle(apiReq);
    } catch (err) {
      r = responseForError(err);
    }
    log('debug', 'request', { method: apiReq.method, url: apiReq.url, status: r.kind === 'hijack' ? 200 : r.status, ms: Date.now() - started });
    try {
      if (r.kind === 'plain') writePlain(res, r, apiReq.method.toUpperCase() === 'HEAD');
      else if (r.kind === 'stream') await writeStream(req, res, r);
      else {
        // No upgrade asked: Docker answers 200 and streams raw on the same connection.
        res.removeHeader('transfer-encoding');
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream', Connection: 'close' });
        res.flushHeaders();
        runSession(
          r,
          req.socket,
          (b) => res.write(b),
          () => res.end(),
          false,
        );
      }
    } catch (err) {
      log('error', 'writing the response failed', { url: apiReq.url, error: (err as Error).message });
      res.destroy();
    }
  }

  /** A binary body goes to a temp file (removed after the answer), not into a string. */
  async function respondWithFileBody(req: IncomingMessage, res: ServerResponse, started: number): Promise<void> {
    mkdirSync(bodyDir, { recursive: true });
    const dir = mkdtempSync(join(bodyDir, 'crosstalk-body-'));
    const file = join(dir, 'body');
    let size = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(size > MAX_FILE_BODY_BYTES ? new Error('too large') : null, chunk);
      },
    });
    try {
      try {
        await pipeline(req, limit, createWriteStream(file));
      } catch (err) {
        if (size > MAX_FILE_BODY_BYTES) {
          res.setHeader('Connection', 'close');
          writePlain(res, bodyTooLarge(MAX_FILE_BODY_BYTES), false);
        } else {
          log('debug', 'request body lost', { url: req.url, error: (err as Error).message });
          res.destroy();
        }
        return;
      }
      await respond(req, res, { method: req.method ?? 'POST', url: req.url ?? '/', headers: headersOf(req), body: '', bodyFile: file }, started);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    if (req.method === 'POST' && FILE_BODY_PATH.test((req.url ?? '/').split('?')[0])) {
      void respondWithFileBody(req, res, started);
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    // Too large: the body is read and dropped (closing on an unread body would reset the
    // connection before the client sees the answer), then 413; past DRAIN_LIMIT, hang up.
    let refused = declared > MAX_BODY_BYTES;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) refused = true;
      if (size > DRAIN_LIMIT) req.socket.destroy();
      if (!refused) chunks.push(c);
    });
    req.on('end', async () => {
      if (refused) {
        chunks.length = 0;
        res.setHeader('Connection', 'close');
        writePlain(res, bodyTooLarge(), false);
        return;
      }
      const apiReq: ApiRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: headersOf(req), body: Buffer.concat(chunks).toString('utf8') };
      await respond(req, res, apiReq, started);
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const started = Date.now();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // The request body (exec start's JSON) is not parsed by node for upgrades: read it here.
    const want = Number(req.headers['content-length'] ?? 0);
    if (want > MAX_BODY_BYTES) {
      socket.end(rawResponse(bodyTooLarge()));
      return;
    }
    let buf = head;
    const proceed = async () => {
      // Hold stdin until the session listens (a client may type before the 101 arrives).
      socket.pause();
      const body = buf.subarray(0, want).toString('utf8');
      const rest = buf.subarray(want);
      const apiReq: ApiRequest = { method: req.method ?? 'POST', url: req.url ?? '/', headers: headersOf(req), body };
      let r: ApiResponse;
      try {
        r = await app.handle(apiReq);
      } catch (err) {
        r = responseForError(err);
      }
      log('debug', 'request', { method: apiReq.method, url: apiReq.url, status: r.kind === 'hijack' ? 101 : r.status, ms: Date.now() - started, upgrade: true });
      if (r.kind === 'plain') {
        socket.end(rawResponse(r));
        return;
      }
      if (r.kind === 'stream') {
        socket.write(`HTTP/1.1 ${r.status} ${statusText(r.status)}\r\n${headerLines(r.headers)}Connection: close\r\n\r\n`);
        let closed = false;
        socket.on('close', () => {
          closed = true;
          r.cancel();
        });
        for await (const chunk of r.chunks) {
          if (closed) break;
          socket.write(chunk);
        }
        socket.end();
        return;
      }
      socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${r.contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
      runSession(
        r,
        socket,
        (b) => socket.write(b),
        () => socket.end(),
        true,
      );
      if (rest.length) socket.emit('data', rest);
      socket.resume();
    };
    if (buf.length >= want) {
      void proceed();
      return;
    }
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= want) {
        socket.off('data', onData);
        void proceed();
      }
    };
    socket.on('data', onData);
  });

  server.on('clientError', (err, socket) => {
    log('debug', 'client error', { error: err.message });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of [...sessions]) s.disconnect();
        for (const c of [...streams]) c();
        for (const s of [...sockets]) s.destroy();
      }),
  };
}

const STATUS: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable' };

function statusText(code: number): string {
  return STATUS[code] ?? 'Unknown';
}

function headerLines(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
}

/** A complete HTTP response written straight to a socket (upgrade requests that did not hijack). */
function rawResponse(r: ApiResponse & { kind: 'plain' }): Buffer {
  const payload = r.bytes ? Buffer.from(r.bytes) : Buffer.from(r.body, 'utf8');
  const head = `HTTP/1.1 ${r.status} ${statusText(r.status)}\r\n${headerLines(r.headers)}Content-Length: ${payload.length}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}
