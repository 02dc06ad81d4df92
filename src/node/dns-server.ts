/**
 * The embedded DNS server for one container: listens on 127.0.0.11:53 (UDP and TCP) inside the
 * container's network namespace (start it there with `nsenter --net=…`) and answers from the
 * engine state in the state directory, read afresh when it changed (store revisions), so a
 * daemon restart never breaks resolution. Forwarding to real upstreams is not done yet: names the
 * networks do not know get the simulated outside world's answer.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import * as packet from 'dns-packet';
import { CryptoRandom, systemClock } from '../core/ports.js';
import { EngineHost } from '../cli/engine-host.js';
import { answerQuestion } from '../dns/answer.js';
import { NetView } from '../sim/netview.js';
import { SqliteStore } from '../store/sqlite-store.js';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

const stateDir = arg('state-dir');
const containerRef = arg('container');
const [listenHost, listenPort] = arg('listen', '127.0.0.11:53').split(':');
const host = new EngineHost({ store: new SqliteStore(stateDir), clock: systemClock, random: new CryptoRandom() });

function respond(query: packet.Packet): Buffer {
  const q = query.questions?.[0];
  const base = { id: query.id, type: 'response' as const, flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE, questions: query.questions };
  if (!q) return packet.encode({ ...base, flags: base.flags | 1 });
  const decision = host.read((engine) => {
    const c = engine.findContainer(containerRef);
    return answerQuestion(new NetView(engine), c, { name: q.name, type: q.type });
  });
  const rcode = { NOERROR: 0, NXDOMAIN: 3, SERVFAIL: 2 }[decision.rcode];
  return packet.encode({
    ...base,
    flags: base.flags | rcode,
    answers: decision.answers.map((a) => ({ name: a.name, type: a.type, ttl: a.ttl, class: 'IN' as const, data: a.data })),
  } as packet.Packet);
}

const udp = createSocket('udp4');
udp.on('message', (msg, rinfo) => {
  try {
    udp.send(respond(packet.decode(msg)), rinfo.port, rinfo.address);
  } catch (err) {
    process.stderr.write(`dns: ${(err as Error).message}\n`);
  }
});
udp.bind(Number(listenPort), listenHost, () => process.stdout.write('ready\n'));

createServer((sock: Socket) => {
  let buf = Buffer.alloc(0);
  sock.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const len = buf.readUInt16BE(0);
      const reply = respond(packet.decode(buf.subarray(2, 2 + len)));
      buf = buf.subarray(2 + len);
      const out = Buffer.alloc(2 + reply.length);
      out.writeUInt16BE(reply.length, 0);
      reply.copy(out, 2);
      sock.write(out);
    }
  });
  sock.on('error', () => sock.destroy());
}).listen(Number(listenPort), listenHost);

for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
