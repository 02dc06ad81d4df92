/**
 * The shim's embedded-DNS relay (127.0.0.11:53 in the container netns -> the daemon's unix
 * socket, framed), surviving a restart of the DNS service; start failures; timings of
 * create / start / a full run (median of 20, printed as diagnostics).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { Testbed } from '../../src/platform/linux/container/testbed.js';
import type { ExecProcess } from '../../src/platform/linux/container/types.js';
import { skipReason } from './helpers.js';

const skip = skipReason(['busybox', 'python3']);

/** A fake DNS service speaking the shim's frame protocol: every A query -> 10.1.2.3. */
function fakeDnsService(path: string, seen: string[]): Promise<{ server: Server; conns: Set<Socket> }> {
  rmSync(path, { force: true });
  const conns = new Set<Socket>();
  const server = createServer((sock) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    let buf = Buffer.alloc(0);
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const payload = buf.subarray(4, 4 + buf.readUInt32BE(0));
        buf = buf.subarray(4 + payload.length);
        const tag = payload.readUInt32BE(0);
        const id = payload.subarray(4, 68).toString();
        const transport = String.fromCharCode(payload[68]);
        const q = dnsPacket.decode(payload.subarray(69));
        seen.push(`${transport} ${id.slice(0, 12)} ${q.questions?.[0]?.type} ${q.questions?.[0]?.name}`);
        const answers = q.questions?.[0]?.type === 'A' ? [{ type: 'A' as const, name: q.questions[0].name, ttl: 600, data: '10.1.2.3' }] : [];
        const resp = dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers });
        const head = Buffer.alloc(8);
        head.writeUInt32BE(4 + resp.length, 0);
        head.writeUInt32BE(tag, 4);
        sock.write(Buffer.concat([head, resp]));
      }
    });
  });
  return new Promise((resolve) => server.listen(path, () => resolve({ server, conns })));
}

async function collect(p: ExecProcess, input?: Buffer): Promise<{ code: number; out: Buffer }> {
  const chunks: Buffer[] = [];
  p.onOutput((_s, d) => chunks.push(d));
  if (input) {
    p.write(input);
    p.closeStdin();
  }
  const code = await p.exited;
  return { code, out: Buffer.concat(chunks) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('linux container runtime: DNS relay, failures, timings', { skip }, () => {
  let bed: Testbed;
  before(async () => {
    bed = await Testbed.create();
  });
  after(async () => {
    if (!bed) return;
    assert.deepEqual(await bed.teardown(), [], 'nothing left behind');
  });

  it('relays 127.0.0.11 queries (UDP and TCP) to the DNS service, across a service restart', async () => {
    const sockPath = join(bed.dir, 'dns.sock');
    const seen: string[] = [];
    let svc = await fakeDnsService(sockPath, seen);
    const spec = bed.spec(['sleep', '600'], { dnsSocket: sockPath });
    const h = await bed.create(spec);
    await h.start();
    const lookup = () => collect(bed.runtime.exec(h.pid!, { argv: ['nslookup', 'foo', '127.0.0.11'], env: [], tty: false, openStdin: false }));
    let r = await lookup();
    assert.equal(r.code, 0, r.out.toString());
    assert.match(r.out.toString(), /Address: 10\.1\.2\.3/);
    assert.ok(seen.includes(`u ${spec.id.slice(0, 12)} A foo`), seen.join('\n'));

    // The daemon restarts: the shim's connection breaks; the next query reconnects.
    for (const c of svc.conns) c.destroy();
    await new Promise((res) => svc.server.close(res));
    svc = await fakeDnsService(sockPath, seen);
    r = await lookup();
    assert.equal(r.code, 0, r.out.toString());
    assert.match(r.out.toString(), /Address: 10\.1\.2\.3/);

    // TCP: busybox nslookup has no TCP mode; busybox nc carries one length-prefixed message
    // (the sleep keeps nc's stdin open until the answer is back: nc quits at stdin EOF).
    const q = dnsPacket.encode({ id: 4242, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'bar' }] });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(q.length);
    const t = await collect(bed.runtime.exec(h.pid!, { argv: ['sh', '-c', '(cat; sleep 0.5) | nc 127.0.0.11 53'], env: [], tty: false, openStdin: true }), Buffer.concat([len, q]));
    assert.ok(t.out.length > 2, `tcp answer (exit ${t.code})`);
    assert.equal(t.out.readUInt16BE(0), t.out.length - 2);
    const resp = dnsPacket.decode(t.out.subarray(2));
    assert.equal(resp.id, 4242);
    assert.deepEqual(resp.answers?.map((a) => (a as { data?: unknown }).data), ['10.1.2.3']);
    assert.ok(seen.includes(`t ${spec.id.slice(0, 12)} A bar`), seen.join('\n'));

    // Service gone: the query is dropped (the client times out), the shim stays up.
    for (const c of svc.conns) c.destroy();
    await new Promise((res) => svc.server.close(res));
    r = await collect(bed.runtime.exec(h.pid!, { argv: ['timeout', '2', 'nslookup', 'foo', '127.0.0.11'], env: [], tty: false, openStdin: false }));
    assert.notEqual(r.code, 0);
    assert.equal(await h.stop(0), 137);
  });

  it('start fails like Docker when the executable is missing; execProblem says so first, as runc would', async () => {
    assert.equal(bed.runtime.execProblem(bed.rootfs, 'sh', []), undefined);
    assert.equal(bed.runtime.execProblem(bed.rootfs, '/usr/bin/env', []), undefined);
    assert.equal(bed.runtime.execProblem(bed.rootfs, 'nope', []), 'missing');
    assert.equal(bed.runtime.execProblem(bed.rootfs, 'passwd', ['PATH=/etc']), 'missing', 'in PATH only executable files count');
    assert.equal(bed.runtime.execProblem(bed.rootfs, 'etc/passwd', []), 'denied', 'a path is taken as it is');
    assert.equal(bed.runtime.execProblem(bed.rootfs, '/etc', []), 'denied', 'a directory');
    assert.equal(bed.runtime.execProblem(bed.rootfs, '/nope', []), 'missing');
    const h = await bed.create(bed.spec(['nope']));
    await assert.rejects(h.start(), /exec: "nope": executable file not found in \$PATH/);
    assert.equal(await h.exited, 127);
  });

  it('timings: create (shim ready), start, full run of `true` (median of 20)', async (t) => {
    const create: number[] = [];
    const start: number[] = [];
    const run: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const h = await bed.create(bed.spec(['true']));
      const t1 = performance.now();
      await h.start();
      const t2 = performance.now();
      assert.equal(await h.exited, 0);
      const t3 = performance.now();
      create.push(t1 - t0);
      start.push(t2 - t1);
      run.push(t3 - t0);
      bed.runtime.remove(h.dir);
    }
    const line = `create ${median(create).toFixed(1)} ms, start ${median(start).toFixed(1)} ms, run(true) ${median(run).toFixed(1)} ms (medians of 20)`;
    t.diagnostic(line);
  });
});
