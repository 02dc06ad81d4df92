/**
 * The embedded DNS service's frame protocol over a unix stream socket, with a fake shim client:
 * local answers, REFUSED / SERVFAIL / FORMERR, out-of-order answers, forwarding to a fake upstream
 * on loopback, malformed input — plus the engine-backed resolver and a pipelining benchmark.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createConnection, createServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as packet from 'dns-packet';
import { EmbeddedDnsService, type DnsResolver } from '../src/node/dns-service.js';
import { engineDnsResolver } from '../src/node/dns-resolver.js';
import type { DnsDecision } from '../src/dns/answer.js';
import { newCli } from './helpers.js';

const CID = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

/** A fake shim: frames queries, collects answers by tag. */
class Shim {
  private buf = Buffer.alloc(0);
  private waiting = new Map<number, (b: Buffer) => void>();
  readonly order: number[] = [];
  private constructor(readonly sock: Socket) {
    sock.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readUInt32BE(0)) {
        const len = this.buf.readUInt32BE(0);
        const tag = this.buf.readUInt32BE(4);
        const body = Buffer.from(this.buf.subarray(8, 4 + len));
        this.buf = this.buf.subarray(4 + len);
        this.order.push(tag);
        this.waiting.get(tag)?.(body);
        this.waiting.delete(tag);
      }
    });
  }
  static connect(path: string): Promise<Shim> {
    return new Promise((resolve, reject) => {
      const s = createConnection(path, () => resolve(new Shim(s)));
      s.once('error', reject);
    });
  }
  frame(tag: number, cid: string, transport: 'u' | 't', query: Buffer): Buffer {
    const f = Buffer.alloc(4 + 4 + 64 + 1 + query.length);
    f.writeUInt32BE(4 + 64 + 1 + query.length, 0);
    f.writeUInt32BE(tag, 4);
    f.write(cid, 8, 'latin1');
    f.write(transport, 72, 'latin1');
    query.copy(f, 73);
    return f;
  }
  expect(tag: number): Promise<Buffer> {
    return new Promise((resolve) => this.waiting.set(tag, resolve));
  }
  ask(tag: number, query: Buffer, opts: { cid?: string; transport?: 'u' | 't' } = {}): Promise<Buffer> {
    const p = this.expect(tag);
    this.sock.write(this.frame(tag, opts.cid ?? CID, opts.transport ?? 'u', query));
    return p;
  }
  close() {
    this.sock.destroy();
  }
}

interface Decoded {
  id: number;
  type: string;
  rcode: string;
  flag_rd: boolean;
  flag_ra: boolean;
  flag_aa: boolean;
  flag_tc: boolean;
  questions: packet.Question[];
  answers: Array<{ name: string; type: string; ttl?: number; data: unknown }>;
}
const dec = (b: Buffer) => packet.decode(b) as unknown as Decoded;

const query = (name: string, type: string, id = 4242) =>
  packet.encode({ id, type: 'query', flags: packet.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }] });

/** A fake resolver: fixed decisions, a slow name to force out-of-order answers through forwarding. */
const table: Record<string, DnsDecision | 'forward'> = {
  'web:A': { rcode: 'NOERROR', answers: [{ name: 'web', type: 'A', ttl: 600, data: '172.18.0.2' }] },
  'web:AAAA': { rcode: 'NOERROR', answers: [] },
  'nope:A': { rcode: 'NXDOMAIN', answers: [] },
  '2.0.18.172.in-addr.arpa:PTR': { rcode: 'NOERROR', answers: [{ name: '2.0.18.172.in-addr.arpa', type: 'PTR', ttl: 600, data: 'web.net1.' }] },
  'many:A': {
    rcode: 'NOERROR',
    answers: Array.from({ length: 60 }, (_, i) => ({ name: 'many', type: 'A' as const, ttl: 600, data: `10.0.${i >> 8}.${i & 255}` })),
  },
};
const fakeResolver: DnsResolver = {
  answer(cid, q) {
    if (cid !== CID) return undefined;
    return table[`${q.name}:${q.type}`] ?? 'forward';
  },
};

describe('EmbeddedDnsService', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ct-dns-'));
  let upstreamPort = 0;
  const upstream = createSocket('udp4');
  let upstreamDelayMs = 0;
  const tcpUpstream = createServer((c) => {
    c.on('data', (d: Buffer) => {
      const q = dec(d.subarray(2));
      const reply = packet.encode({
        id: q.id,
        type: 'response',
        flags: packet.RECURSION_AVAILABLE,
        questions: q.questions,
        answers: [{ name: q.questions![0].name, type: 'A', ttl: 30, class: 'IN', data: '192.0.2.2' }],
      });
      const len = Buffer.alloc(2);
      len.writeUInt16BE(reply.length);
      c.end(Buffer.concat([len, reply]));
    });
  });
  let noForward: EmbeddedDnsService;
  let withForward: EmbeddedDnsService;

  before(async () => {
    // Fake upstream: answers every A query with 192.0.2.1 (after an optional delay).
    upstream.on('message', (msg, rinfo) => {
      const q = dec(msg);
      const reply = packet.encode({
        id: q.id,
        type: 'response',
        flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
        questions: q.questions,
        answers: [{ name: q.questions![0].name, type: 'A', ttl: 30, class: 'IN', data: '192.0.2.1' }],
      });
      setTimeout(() => upstream.send(reply, rinfo.port, rinfo.address), upstreamDelayMs);
    });
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
    upstreamPort = upstream.address().port;
    // The same fake upstream over TCP (same port number), answering 192.0.2.2.
    await new Promise<void>((resolve, reject) => {
      tcpUpstream.once('error', reject);
      tcpUpstream.listen(upstreamPort, '127.0.0.1', () => resolve());
    });
    noForward = new EmbeddedDnsService({ socketPath: join(dir, 'a.sock'), resolver: fakeResolver });
    withForward = new EmbeddedDnsService({ socketPath: join(dir, 'b.sock'), resolver: fakeResolver, upstreams: [`127.0.0.1:${upstreamPort}`], timeoutMs: 500 });
    await noForward.listen();
    await withForward.listen();
  });
  after(async () => {
    await noForward.close();
    await withForward.close();
    upstream.close();
    tcpUpstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers A, empty AAAA, NXDOMAIN and PTR like Docker', async () => {
    const shim = await Shim.connect(join(dir, 'a.sock'));
    try {
      const a = dec(await shim.ask(1, query('web', 'A', 7)));
      assert.equal(a.id, 7);
      assert.equal(a.type, 'response');
      assert.equal(a.rcode, 'NOERROR');
      assert.equal(a.flag_rd, true);
      assert.equal(a.flag_ra, true);
      assert.equal(a.flag_aa, false);
      assert.deepEqual(a.questions, [{ name: 'web', type: 'A', class: 'IN' }]);
      assert.deepEqual(a.answers!.map((x) => [x.name, x.type, x.ttl, x.data]), [['web', 'A', 600, '172.18.0.2']]);
      const aaaa = dec(await shim.ask(2, query('web', 'AAAA')));
      assert.equal(aaaa.rcode, 'NOERROR');
      assert.equal(aaaa.answers!.length, 0);
      const nx = dec(await shim.ask(3, query('nope', 'A')));
      assert.equal(nx.rcode, 'NXDOMAIN');
      const ptr = dec(await shim.ask(4, query('2.0.18.172.in-addr.arpa', 'PTR')));
      assert.equal(ptr.answers![0].data, 'web.net1');
      // RD off in the query: off in the answer.
      const noRd = dec(await shim.ask(5, packet.encode({ id: 9, type: 'query', flags: 0, questions: [{ name: 'web', type: 'A', class: 'IN' }] })));
      assert.equal(noRd.flag_rd, false);
    } finally {
      shim.close();
    }
  });

  it('REFUSED for an unknown container, SERVFAIL when forwarding is disabled', async () => {
    const shim = await Shim.connect(join(dir, 'a.sock'));
    try {
      assert.equal(dec(await shim.ask(1, query('web', 'A'), { cid: OTHER })).rcode, 'REFUSED');
      const sf = dec(await shim.ask(2, query('example.com', 'A')));
      assert.equal(sf.rcode, 'SERVFAIL');
      assert.deepEqual(sf.questions, [{ name: 'example.com', type: 'A', class: 'IN' }]);
    } finally {
      shim.close();
    }
  });

  it('a sandbox without upstreams answers NXDOMAIN for names to forward', async () => {
    const sandboxed = new EmbeddedDnsService({ socketPath: join(dir, 'c.sock'), resolver: fakeResolver, noUpstream: 'nxdomain' });
    await sandboxed.listen();
    const shim = await Shim.connect(join(dir, 'c.sock'));
    try {
      assert.equal(dec(await shim.ask(1, query('example.com', 'A'))).rcode, 'NXDOMAIN');
      assert.equal(dec(await shim.ask(2, query('web', 'A'))).rcode, 'NOERROR');
    } finally {
      shim.close();
      await sandboxed.close();
    }
  });

  it('forwards to the upstream (UDP and TCP transport), answers out of order', async () => {
    const shim = await Shim.connect(join(dir, 'b.sock'));
    try {
      upstreamDelayMs = 100;
      const slow = shim.ask(10, query('example.com', 'A', 11));
      const fast = shim.ask(11, query('web', 'A', 12));
      const [s, f] = await Promise.all([slow, fast]);
      assert.deepEqual(shim.order, [11, 10], 'the local answer overtook the forwarded one');
      const fwd = dec(s);
      assert.equal(fwd.id, 11);
      assert.equal(fwd.answers![0].data, '192.0.2.1');
      assert.equal(dec(f).answers![0].data, '172.18.0.2');
      upstreamDelayMs = 0;
      assert.equal(withForward.stats().forwarded, 1);
      const tcp = dec(await shim.ask(12, query('example.org', 'A', 13), { transport: 't' }));
      assert.equal(tcp.id, 13);
      assert.equal(tcp.answers![0].data, '192.0.2.2', "a TCP query is forwarded over TCP");
    } finally {
      shim.close();
    }
  });

  it('SERVFAIL when no upstream answers within the timeout', async () => {
    const dead = createSocket('udp4');
    await new Promise<void>((r) => dead.bind(0, '127.0.0.1', r));
    const svc = new EmbeddedDnsService({ socketPath: join(dir, 'c.sock'), resolver: fakeResolver, upstreams: [`127.0.0.1:${dead.address().port}`], timeoutMs: 200 });
    await svc.listen();
    const shim = await Shim.connect(join(dir, 'c.sock'));
    try {
      const t0 = performance.now();
      assert.equal(dec(await shim.ask(1, query('example.com', 'A'))).rcode, 'SERVFAIL');
      assert.ok(performance.now() - t0 >= 190);
    } finally {
      shim.close();
      await svc.close();
      dead.close();
    }
  });

  it('truncates UDP answers over 512 bytes, not TCP ones', async () => {
    const shim = await Shim.connect(join(dir, 'a.sock'));
    try {
      const u = await shim.ask(1, query('many', 'A'));
      const ud = dec(u);
      assert.ok(u.length <= 512);
      assert.equal(ud.flag_tc, true);
      assert.ok(ud.answers!.length < 60);
      const t = dec(await shim.ask(2, query('many', 'A'), { transport: 't' }));
      assert.equal(t.flag_tc, false);
      assert.equal(t.answers!.length, 60);
    } finally {
      shim.close();
    }
  });

  it('survives malformed input: FORMERR when the header parses, else no answer', async () => {
    const shim = await Shim.connect(join(dir, 'a.sock'));
    try {
      // Header with one question, then garbage.
      const bad = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff]);
      const fe = dec(await shim.ask(1, bad));
      assert.equal(fe.id, 0x1234);
      assert.equal(fe.rcode, 'FORMERR');
      assert.equal((await shim.ask(2, Buffer.from([1, 2, 3]))).length, 0, 'too short for a header: no answer');
      // A frame too short to carry the container ID: empty answer for its tag.
      const p = shim.expect(3);
      const tiny = Buffer.alloc(12);
      tiny.writeUInt32BE(8, 0);
      tiny.writeUInt32BE(3, 4);
      shim.sock.write(tiny);
      assert.equal((await p).length, 0);
      // Still serving afterwards.
      assert.equal(dec(await shim.ask(4, query('web', 'A'))).rcode, 'NOERROR');
    } finally {
      shim.close();
    }
    // An absurd frame length closes only that connection.
    const evil = await Shim.connect(join(dir, 'a.sock'));
    const closed = new Promise((r) => evil.sock.on('close', r));
    evil.sock.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await closed;
    const shim2 = await Shim.connect(join(dir, 'a.sock'));
    assert.equal(dec(await shim2.ask(1, query('web', 'A'))).rcode, 'NOERROR');
    shim2.close();
  });

  it('pipelines 10,000 queries from one client (benchmark)', async () => {
    const shim = await Shim.connect(join(dir, 'a.sock'));
    try {
      const N = 10_000;
      const q = query('web', 'A');
      const frames = Buffer.concat(Array.from({ length: N }, (_, i) => shim.frame(i, CID, 'u', q)));
      const all = Array.from({ length: N }, (_, i) => shim.expect(i));
      const t0 = performance.now();
      shim.sock.write(frames);
      const replies = await Promise.all(all);
      const ms = performance.now() - t0;
      assert.equal(replies.length, N);
      assert.equal(dec(replies[N - 1]).answers![0].data, '172.18.0.2');
      console.log(`dns service: ${N} pipelined queries in ${ms.toFixed(1)} ms = ${Math.round((N / ms) * 1000)} queries/s`);
    } finally {
      shim.close();
    }
  });
});

describe('EmbeddedDnsService answer cache', () => {
  it('reuses a single-answer decision with the new ID until the engine changes; never caches shuffled answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-dns-cache-'));
    const decisions: Record<string, DnsDecision | 'forward'> = { ...table };
    let calls = 0;
    const counting: DnsResolver = {
      answer(cid, q) {
        calls++;
        return fakeResolver.answer(cid, q) === undefined ? undefined : (decisions[`${q.name}:${q.type}`] ?? 'forward');
      },
    };
    const svc = new EmbeddedDnsService({ socketPath: join(dir, 'c.sock'), resolver: counting, noUpstream: 'nxdomain' });
    await svc.listen();
    const shim = await Shim.connect(join(dir, 'c.sock'));
    try {
      const first = dec(await shim.ask(1, query('web', 'A', 100)));
      const second = dec(await shim.ask(2, query('web', 'A', 200)));
      assert.equal(calls, 1, 'the second identical query is answered from the cache');
      assert.equal(second.id, 200);
      assert.deepEqual(second.answers, first.answers);
      assert.equal(svc.stats().cached, 1);
      // Another container, or the TCP transport, is another key.
      await shim.ask(3, query('web', 'A', 300), { transport: 't' });
      assert.equal(calls, 2);
      // The engine changed (disconnect): the next query is decided again.
      decisions['web:A'] = { rcode: 'NXDOMAIN', answers: [] };
      svc.invalidate();
      assert.equal(dec(await shim.ask(4, query('web', 'A', 400))).rcode, 'NXDOMAIN');
      assert.equal(calls, 3);
      // Several answers (shuffled per query) are decided every time.
      await shim.ask(5, query('many', 'A'), { transport: 't' });
      await shim.ask(6, query('many', 'A'), { transport: 't' });
      assert.equal(calls, 5);
    } finally {
      shim.close();
      await svc.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('engineDnsResolver', () => {
  it('answers container names from the engine and forwards the rest', async () => {
    const cli = newCli();
    for (const cmd of [
      'network create net1',
      'network create --internal inside',
      'run -dit --name web --network net1 alpine ash',
      'run -dit --name db --network net1 alpine ash',
      'run -dit --name lonely --network inside alpine ash',
    ]) {
      const r = await cli.run(cmd);
      assert.equal(r.code, 0, r.err);
    }
    const engine = cli.host.read((e) => e);
    const resolver = engineDnsResolver(() => engine);
    const id = (name: string) => engine.containersByName.get(name)!.id;
    const a = resolver.answer(id('web'), { name: 'db', type: 'A' }) as DnsDecision;
    assert.equal(a.rcode, 'NOERROR');
    const dbIp = a.answers[0].data;
    assert.equal(a.answers[0].ttl, 600);
    assert.deepEqual(resolver.answer(id('web'), { name: 'db.net1.', type: 'AAAA' }), { rcode: 'NOERROR', answers: [] });
    assert.equal(resolver.answer(id('web'), { name: 'example.com', type: 'A' }), 'forward');
    assert.equal(resolver.answer(id('web'), { name: 'db', type: 'MX' }) !== 'forward', true);
    const rev = dbIp.split('.').reverse().join('.') + '.in-addr.arpa';
    assert.equal((resolver.answer(id('web'), { name: rev, type: 'PTR' }) as DnsDecision).answers[0].data, 'db.net1.');
    assert.equal(resolver.answer(id('web'), { name: '8.8.8.8.in-addr.arpa', type: 'PTR' }), 'forward');
    assert.deepEqual(resolver.answer(id('lonely'), { name: 'example.com', type: 'A' }), { rcode: 'SERVFAIL', answers: [] });
    assert.equal(resolver.answer('f'.repeat(64), { name: 'db', type: 'A' }), undefined);
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) resolver.answer(id('web'), { name: i % 2 ? 'db' : 'example.com', type: 'A' });
    console.log(`engineDnsResolver: ${Math.round(2000 / ((performance.now() - t0) / 1000))} decisions/s (half local, half forward)`);
  });
});
