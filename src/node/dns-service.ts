/**
 * The daemon side of the embedded DNS (docker-engine.md §10): every container's shim listens on
 * 127.0.0.11:53 (UDP and TCP) inside the container's namespace and relays each query here over a
 * unix stream socket. Frames are a u32be payload length, then
 *   request:  u32be tag, 64 ASCII hex container ID, 1 byte transport ('u' | 't'), DNS query
 *   response: u32be tag, DNS response (zero bytes: no answer; the shim drops the query)
 * Queries are answered as soon as they are decided, so answers on one connection may come out of
 * order (a forwarded query does not hold up the next local one).
 *
 * Answers: the resolver's decision (TTL 600, QR + RA, RD copied, AA off, like Docker); unknown
 * container → REFUSED; malformed query → FORMERR when the header parses, else no answer;
 * 'forward' → the raw query relayed to the upstreams in order (UDP, or TCP for TCP queries; per
 * upstream timeout, SERVFAIL/REFUSED try the next one, at most 3 upstreams, at most 1024 queries
 * in flight, excess REFUSED). Forwarding disabled (no upstreams) → SERVFAIL, as Docker answers
 * when no upstream is configured. UDP answers longer than the client's limit (512, or its EDNS
 * size) are truncated: answers dropped from the end until it fits, TC set.
 */
import { createSocket } from 'node:dgram';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { unlinkSync } from 'node:fs';
import * as packet from 'dns-packet';
import type { DnsDecision } from '../dns/answer.js';

export interface DnsResolver {
  /** undefined: unknown container (REFUSED). */
  answer(containerId: string, question: { name: string; type: string }): DnsDecision | 'forward' | undefined;
}

export interface DnsServiceOptions {
  socketPath: string;
  resolver: DnsResolver;
  /** `ip` or `ip:port` (`[v6]:port`); empty or undefined: forwarding disabled → SERVFAIL. */
  upstreams?: string[];
  /**
   * The answer for a name to forward when there are no upstreams: `servfail` (Docker's, when no
   * resolver is configured; the default) or `nxdomain` (a sandbox: an outside world that has no
   * names, as the simulator models it).
   */
  noUpstream?: 'servfail' | 'nxdomain';
  /** Per-upstream timeout (default 2000 ms). */
  timeoutMs?: number;
  /** Any `(level: string, msg: string, fields?: object) => void` fits. */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const QR = 0x8000;
const TC = 0x0200;
const RD = 0x0100;
const RA = 0x0080;
const OPCODE_MASK = 0x7800;
const HEADER = 4 + 64 + 1;
const MAX_FRAME = 4 + 64 + 1 + 65535;
const MAX_FORWARDS = 1024;
const MAX_UPSTREAMS = 3;
const MAX_CACHED = 4096;
const EMPTY = Buffer.alloc(0);

interface Upstream {
  host: string;
  port: number;
}

function parseUpstream(s: string): Upstream {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1], port: Number(v6[2] ?? 53) };
  const parts = s.split(':');
  if (parts.length === 2) return { host: parts[0], port: Number(parts[1]) };
  return { host: s, port: 53 };
}

/** A header-only reply (FORMERR, REFUSED, SERVFAIL without a question we could decode). */
function headerReply(query: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  query.copy(out, 0, 0, 2);
  const flags = query.readUInt16BE(2);
  out.writeUInt16BE(QR | (flags & (OPCODE_MASK | RD)) | RA | rcode, 2);
  return out;
}

function udpLimit(q: packet.DecodedPacket): number {
  const opt = (q.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return Math.max(512, opt?.udpPayloadSize ?? 512);
}

export class EmbeddedDnsService {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly upstreams: Upstream[];
  private inFlight = 0;
  private counts = { queries: 0, forwarded: 0, cached: 0 };
  /**
   * Encoded answers by container, transport and query bytes after the ID. Docker answers from
   * memory; our decision walks the engine (NetView) and dns-packet encodes, which costs more than
   * the query itself, so a repeated query reuses the bytes. Only single-answer decisions are kept
   * (several A records are shuffled per query) and never forwarded ones; invalidate() empties it
   * whenever the engine commits.
   */
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly opts: DnsServiceOptions) {
    this.upstreams = (opts.upstreams ?? []).slice(0, MAX_UPSTREAMS).map(parseUpstream);
  }

  stats(): { queries: number; forwarded: number; cached: number } {
    return { ...this.counts };
  }

  /** The engine changed: no answer decided before may be given again. */
  invalidate(): void {
    this.cache.clear();
  }

  listen(): Promise<void> {
    try {
      unlinkSync(this.opts.socketPath);
    } catch {
      // no stale socket
    }
    const server = createServer((sock) => this.onConnection(sock));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private onConnection(sock: Socket): void {
    this.sockets.add(sock);
    let buf: Buffer = EMPTY;
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const out: Buffer[] = [];
      let off = 0;
      while (buf.length - off >= 4) {
        const len = buf.readUInt32BE(off);
        if (len > MAX_FRAME) {
          this.opts.log?.('warn', 'dns: oversized frame, closing the shim connection', { len });
          sock.destroy();
          return;
        }
        if (buf.length - off < 4 + len) break;
        const payload = buf.subarray(off + 4, off + 4 + len);
        off += 4 + len;
        this.onFrame(payload, out, sock);
      }
      buf = off === buf.length ? EMPTY : Buffer.from(buf.subarray(off));
      if (out.length) sock.write(out.length === 1 ? out[0] : Buffer.concat(out));
    });
  }

  private onFrame(payload: Buffer, out: Buffer[], sock: Socket): void {
    if (payload.length < 4) return; // not even a tag to answer to
    const tag = payload.readUInt32BE(0);
    const frame = (reply: Buffer) => {
      const f = Buffer.allocUnsafe(8 + reply.length);
      f.writeUInt32BE(4 + reply.length, 0);
      f.writeUInt32BE(tag, 4);
      reply.copy(f, 8);
      return f;
    };
    if (payload.length < HEADER) {
      out.push(frame(EMPTY));
      return;
    }
    this.counts.queries++;
    const containerId = payload.toString('latin1', 4, 68);
    const transport = payload[68] === 0x74 ? 't' : 'u';
    const query = payload.subarray(HEADER);
    let reply: Buffer | Promise<Buffer>;
    try {
      reply = this.handle(containerId, transport, query);
    } catch (err) {
      this.opts.log?.('error', 'dns: query failed', { error: String(err) });
      reply = query.length >= 12 ? headerReply(query, RCODE.SERVFAIL) : EMPTY;
    }
    if (Buffer.isBuffer(reply)) {
      out.push(frame(reply));
      return;
    }
    reply.then(
      (r) => !sock.destroyed && sock.write(frame(r)),
      () => !sock.destroyed && sock.write(frame(headerReply(query, RCODE.SERVFAIL))),
    );
  }

  /** One query: the response bytes (empty: no answer), or a promise of them when forwarded. */
  private handle(containerId: string, transport: 'u' | 't', query: Buffer): Buffer | Promise<Buffer> {
    if (query.length < 12) return EMPTY;
    if (query.readUInt16BE(2) & QR) return EMPTY; // a response is not a query
    const key = containerId + transport + query.toString('latin1', 2);
    const hit = this.cache.get(key);
    if (hit) {
      this.counts.cached++;
      const out = Buffer.from(hit);
      query.copy(out, 0, 0, 2);
      return out;
    }
    const reply = this.decide(containerId, transport, query);
    if (Buffer.isBuffer(reply) && reply.length >= 12 && reply.readUInt16BE(6) <= 1) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, reply);
    }
    return reply;
  }

  private decide(containerId: string, transport: 'u' | 't', query: Buffer): Buffer | Promise<Buffer> {
    let q: packet.DecodedPacket;
    try {
      q = packet.decode(query);
    } catch {
      return headerReply(query, RCODE.FORMERR);
    }
    const question = q.questions?.[0];
    if (!question || q.questions!.length !== 1) return headerReply(query, RCODE.FORMERR);
    const decision = this.opts.resolver.answer(containerId, { name: question.name, type: question.type });
    if (decision === undefined) return headerReply(query, RCODE.REFUSED);
    if (decision === 'forward') {
      if (this.upstreams.length === 0) return this.encode(q, query, { rcode: this.opts.noUpstream === 'nxdomain' ? 'NXDOMAIN' : 'SERVFAIL', answers: [] }, transport);
      if (this.inFlight >= MAX_FORWARDS) return headerReply(query, RCODE.REFUSED);
      this.counts.forwarded++;
      this.inFlight++;
      return this.forward(query, transport)
        .then((r) => r ?? this.encode(q, query, { rcode: 'SERVFAIL', answers: [] }, transport))
        .then((r) => (transport === 'u' && r.length > udpLimit(q) ? truncateRaw(r) : r))
        .finally(() => this.inFlight--);
    }
    return this.encode(q, query, decision, transport);
  }

  private encode(q: packet.DecodedPacket, raw: Buffer, d: DnsDecision, transport: 'u' | 't'): Buffer {
    const flags = (raw.readUInt16BE(2) & (OPCODE_MASK | RD)) | RA | RCODE[d.rcode];
    const answers = d.answers.map((a) => ({ name: a.name, type: a.type, ttl: a.ttl, class: 'IN' as const, data: a.data }));
    const build = (n: number, tc: boolean) =>
      packet.encode({ id: q.id, type: 'response', flags: flags | (tc ? TC : 0), questions: q.questions, answers: answers.slice(0, n) } as packet.Packet);
    let out = build(answers.length, false);
    if (transport === 'u') {
      const limit = udpLimit(q);
      for (let n = answers.length - 1; out.length > limit && n >= 0; n--) out = build(n, true);
    }
    return out;
  }

  /** Tries the upstreams in order; undefined when none gave a usable answer. */
  private async forward(query: Buffer, transport: 'u' | 't'): Promise<Buffer | undefined> {
    const timeout = this.opts.timeoutMs ?? 2000;
    for (const up of this.upstreams) {
      try {
        const r = transport === 't' ? await tcpExchange(up, query, timeout) : await udpExchange(up, query, timeout);
        const rcode = r.length >= 4 ? r.readUInt16BE(2) & 0xf : -1;
        if (rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED || rcode < 0) continue;
        return r;
      } catch (err) {
        this.opts.log?.('debug', 'dns: upstream failed', { upstream: `${up.host}:${up.port}`, error: String(err) });
      }
    }
    return undefined;
  }
}

/** A raw upstream answer cut down to its header and question, TC set (the client retries over TCP). */
function truncateRaw(r: Buffer): Buffer {
  try {
    const p = packet.decode(r);
    return packet.encode({ id: p.id, type: 'response', flags: (p.flags ?? 0) | TC, questions: p.questions } as packet.Packet);
  } catch {
    const h = Buffer.from(r.subarray(0, 12));
    h.writeUInt16BE(h.readUInt16BE(2) | TC, 2);
    h.fill(0, 4, 12);
    return h;
  }
}

function udpExchange(up: Upstream, query: Buffer, timeout: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(up.host.includes(':') ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    const timer = setTimeout(() => done(new Error('timeout')), timeout);
    let finished = false;
    const done = (err?: Error, msg?: Buffer) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(msg!);
    };
    sock.on('error', (err) => done(err));
    sock.on('message', (msg, rinfo) => {
      if (rinfo.port !== up.port || msg.length < 12 || msg.readUInt16BE(0) !== id) return;
      done(undefined, msg);
    });
    sock.send(query, up.port, up.host);
  });
}

function tcpExchange(up: Upstream, query: Buffer, timeout: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host: up.host, port: up.port });
    let buf: Buffer = EMPTY;
    const timer = setTimeout(() => done(new Error('timeout')), timeout);
    let finished = false;
    const done = (err?: Error, msg?: Buffer) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(msg!);
    };
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(undefined, Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0))));
    });
    sock.on('error', (err) => done(err));
    sock.on('close', () => done(new Error('upstream closed the connection')));
  });
}
