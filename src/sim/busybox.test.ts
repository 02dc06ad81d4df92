/**
 * busybox applets against the model: nslookup, wget, nc, ip, netstat, getent, and the error
 * texts that differ between musl (alpine) and glibc (busybox:latest) images.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectContainer } from '../engine/containers.js';
import { exec, run, runAlpine, sh, testEngine, walkthrough } from './testing.js';
import { NGINX_WELCOME } from './busybox/http.js';
import { linkLocal, broadcast } from './busybox/ip.js';

const NS_HEADER = 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n';

test('nslookup a container name: A answer, then the empty AAAA answer', () => {
  const engine = walkthrough();
  const r = exec(engine, 'alpine1', ['nslookup', 'alpine2']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${NS_HEADER}Non-authoritative answer:\nName:\talpine2\nAddress: 172.24.0.3\n\nNon-authoritative answer:\n\n`);
});

test('nslookup of a name on a network the querier is not on: forwarded, NXDOMAIN', () => {
  const engine = walkthrough();
  engine.createNetwork({ name: 'other' });
  runAlpine(engine, 'far', 'other');
  const r = exec(engine, 'alpine1', ['nslookup', 'far']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, `${NS_HEADER}** server can't find far: NXDOMAIN\n\n** server can't find far: NXDOMAIN\n\n`);
});

test('nslookup NAME.NETWORK and PTR answers of the embedded DNS', () => {
  const engine = walkthrough();
  const r = exec(engine, 'alpine1', ['nslookup', 'alpine2.alpine-net']);
  assert.match(r.stdout, /Name:\talpine2\.alpine-net\nAddress: 172\.24\.0\.3\n/);
  const p = exec(engine, 'alpine1', ['nslookup', '172.24.0.3']);
  assert.equal(p.stdout, `${NS_HEADER}Non-authoritative answer:\n3.0.24.172.in-addr.arpa\tname = alpine2.alpine-net\n\n`);
  assert.equal(p.code, 0);
});

test('nslookup of an outside name goes upstream; the default-bridge container asks the host resolver', () => {
  const engine = walkthrough();
  const r = exec(engine, 'alpine1', ['nslookup', 'example.com']);
  assert.equal(r.stdout, `${NS_HEADER}Non-authoritative answer:\nName:\texample.com\nAddress: 93.184.215.14\n\nNon-authoritative answer:\n\n`);
  const b = exec(engine, 'alpine3', ['nslookup', 'alpine1']);
  assert.equal(b.stdout, "Server:\t\t10.0.2.3\nAddress:\t10.0.2.3:53\n\n** server can't find alpine1: NXDOMAIN\n\n** server can't find alpine1: NXDOMAIN\n\n");
});

test('busybox nslookup with a search domain queries only NAME.DOMAIN (never the bare name)', () => {
  const engine = testEngine('default');
  engine.host.searchDomains = ['corp.example'];
  engine.createNetwork({ name: 'n' });
  runAlpine(engine, 'ca', 'n');
  runAlpine(engine, 'cb', 'n');
  const r = exec(engine, 'ca', ['nslookup', 'cb']);
  assert.equal(r.stdout, `${NS_HEADER}** server can't find cb.corp.example: NXDOMAIN\n\n** server can't find cb.corp.example: NXDOMAIN\n\n`);
  // ping uses musl's resolver with ndots:0: the bare name resolves.
  assert.equal(exec(engine, 'ca', ['ping', '-c', '1', 'cb']).code, 0);
});

test('internal network: local names resolve, outside names SERVFAIL, no route out', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'int', internal: true });
  runAlpine(engine, 'i1', 'int');
  runAlpine(engine, 'i2', 'int');
  assert.equal(exec(engine, 'i1', ['ping', '-c', '1', 'i2']).code, 0);
  const ns = exec(engine, 'i1', ['nslookup', 'example.com']);
  assert.deepEqual([ns.code, ns.stdout], [1, `${NS_HEADER}** server can't find example.com: SERVFAIL\n\n** server can't find example.com: SERVFAIL\n\n`]);
  assert.deepEqual(exec(engine, 'i1', ['ping', '-c', '1', 'example.com']).stderr, "ping: bad address 'example.com'\n");
  const p = exec(engine, 'i1', ['ping', '-c', '1', '93.184.215.14']);
  assert.deepEqual([p.code, p.stdout, p.stderr], [1, 'PING 93.184.215.14 (93.184.215.14): 56 data bytes\n', 'ping: sendto: Network unreachable\n']);
  const w = exec(engine, 'i1', ['wget', '-q', 'http://93.184.215.14/']);
  assert.equal(w.stderr, "wget: can't connect to remote host (93.184.215.14): Network unreachable\n");
  // Connecting a normal network restores forwarding and the default route.
  engine.createNetwork({ name: 'out' });
  connectContainer(engine, 'out', 'i1', {});
  assert.equal(exec(engine, 'i1', ['ping', '-c', '1', 'example.com']).code, 0);
});

test('glibc images (busybox:latest) print glibc strerror texts', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'int', internal: true });
  run(engine, { name: 'bb', image: 'busybox', networkMode: 'int', cmd: ['sleep', '1d'] });
  const p = exec(engine, 'bb', ['ping', '-c', '1', '93.184.215.14']);
  assert.equal(p.stderr, 'ping: sendto: Network is unreachable\n');
});

test('ICC off: names resolve, traffic between members is dropped', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'quiet', options: { 'com.docker.network.bridge.enable_icc': 'false' } });
  runAlpine(engine, 'q1', 'quiet');
  runAlpine(engine, 'q2', 'quiet');
  const r = exec(engine, 'q1', ['ping', '-c', '1', 'q2']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^PING q2 \(172\.18\.0\.3\): 56 data bytes\n\n--- q2 ping statistics ---\n1 packets transmitted, 0 packets received, 100% packet loss\n$/);
  const n = exec(engine, 'q1', ['nc', '-z', '-v', '-w', '2', 'q2', '80']);
  assert.deepEqual([n.code, n.stderr], [1, 'nc: q2 (172.18.0.3:80): Operation timed out\n']);
});

test('nc -z: a listener on 0.0.0.0 (or ::) is open, a 127.0.0.1-only listener refuses other containers', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'n' });
  run(engine, { name: 'open', image: 'alpine', networkMode: 'n', cmd: ['nc', '-lk', '-p', '9000'], openStdin: true });
  run(engine, { name: 'local', image: 'alpine', networkMode: 'n', cmd: ['nc', '-lk', '-s', '127.0.0.1', '-p', '9000'], openStdin: true });
  runAlpine(engine, 'client', 'n');
  assert.deepEqual(exec(engine, 'client', ['nc', '-zv', 'open', '9000']), { code: 0, stdout: '', stderr: 'open (172.18.0.2:9000) open\n', effects: [] });
  const refused = exec(engine, 'client', ['nc', '-zv', 'local', '9000']);
  assert.deepEqual([refused.code, refused.stderr], [1, '']); // busybox hides "refused" below -vv
  assert.equal(exec(engine, 'client', ['nc', '-zvv', 'local', '9000']).stderr, 'nc: local (172.18.0.3:9000): Connection refused\n');
  assert.equal(exec(engine, 'local', ['nc', '-zv', '127.0.0.1', '9000']).stderr, '127.0.0.1 (127.0.0.1:9000) open\n');
  assert.equal(exec(engine, 'client', ['nc', '-z', 'open', '9001']).code, 1);
  const netstat = exec(engine, 'local', ['netstat', '-tln']).stdout;
  assert.equal(
    netstat,
    'Active Internet connections (only servers)\nProto Recv-Q Send-Q Local Address           Foreign Address         State       \n' +
      'tcp        0      0 127.0.0.1:9000          0.0.0.0:*               LISTEN      \n',
  );
});

test('busybox nc -l serves one connection: data lands in its logs, then it exits (no stdin)', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'n' });
  run(engine, { name: 'worker', image: 'alpine', networkMode: 'n', cmd: ['nc', '-l', '-p', '9000'] });
  runAlpine(engine, 'boss', 'n');
  const r = exec(engine, 'boss', ['sh', '-c', 'echo run-now | nc worker 9000 && echo sent']);
  assert.equal(r.stdout, 'sent\n');
  assert.deepEqual(
    r.effects.map((e) => [e.kind, e.container.name, e.kind === 'log' ? e.text : e.exitCode]),
    [
      ['log', 'worker', 'run-now\n'],
      ['exit', 'worker', 0],
    ],
  );
});

test('wget to nginx: welcome page, progress lines, access log; 404 is an error', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'n' });
  run(engine, { name: 'web', image: 'nginx', networkMode: 'n' });
  runAlpine(engine, 'cl', 'n');
  const q = exec(engine, 'cl', ['wget', '-qO-', 'http://web/']);
  assert.deepEqual([q.code, q.stdout, q.stderr], [0, NGINX_WELCOME, '']);
  assert.equal(NGINX_WELCOME.length, 615);
  assert.match(NGINX_WELCOME, /<title>Welcome to nginx!<\/title>/);
  const v = exec(engine, 'cl', ['wget', '-O-', 'web']);
  assert.equal(
    v.stderr,
    'Connecting to web (172.18.0.2:80)\nwriting to stdout\n-                    100% |*******************************|   615   0:00:00 ETA\nwritten to stdout\n',
  );
  assert.deepEqual(v.effects.map((e) => e.kind === 'log' && e.text.replace(/\[.*\]/, '[DATE]')), ['172.18.0.3 - - [DATE] "GET / HTTP/1.1" 200 615 "-" "Wget" "-"\n']);
  const f = exec(engine, 'cl', ['sh', '-c', 'wget http://web:80/ && grep -c nginx index.html; cat /index.html']);
  assert.match(f.stderr, /^Connecting to web:80 \(172\.18\.0\.2:80\)\nsaving to 'index\.html'\nindex\.html           100% \|\*{31}\|   615   0:00:00 ETA\n'index\.html' saved\n/);
  assert.equal(f.stdout, `6\n${NGINX_WELCOME}`);
  assert.equal(sh(engine, 'cl', 'wget -qO- web | grep -i "<title>"').stdout, '<title>Welcome to nginx!</title>\n');
  const nf = exec(engine, 'cl', ['wget', '-q', '-O-', 'http://web/missing']);
  assert.deepEqual([nf.code, nf.stderr], [1, 'wget: server returned error: HTTP/1.1 404 Not Found\n']);
  const spider = exec(engine, 'cl', ['wget', '--spider', 'http://web/']);
  assert.equal(spider.stderr, 'Connecting to web (172.18.0.2:80)\nremote file exists\n');
});

test('wget errors: bad address, refused (wrong port), timeout with -T, unreachable neighbour', () => {
  const engine = walkthrough();
  run(engine, { name: 'web', image: 'nginx', networkMode: 'alpine-net' });
  assert.equal(exec(engine, 'alpine1', ['wget', '-q', 'http://alpine3/']).stderr, "wget: bad address 'alpine3'\n");
  assert.equal(exec(engine, 'alpine1', ['wget', '-q', 'http://web:8080/']).stderr, "wget: can't connect to remote host (172.24.0.5): Connection refused\n");
  assert.equal(exec(engine, 'alpine1', ['wget', '-q', '-T', '5', 'http://172.17.0.2/']).stderr, 'wget: download timed out\n');
  assert.equal(exec(engine, 'alpine1', ['wget', '-q', 'http://172.17.0.2/']).stderr, "wget: can't connect to remote host (172.17.0.2): Operation timed out\n");
  assert.equal(exec(engine, 'alpine1', ['wget', '-q', 'http://172.24.0.99/']).stderr, "wget: can't connect to remote host (172.24.0.99): Host is unreachable\n");
});

test('wget localhost prefers ::1 (Engine 26+ always configures it): a 127.0.0.1-only server refuses', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'n' });
  run(engine, { name: 'py', image: 'python:3-alpine', networkMode: 'n', cmd: ['python3', '-m', 'http.server', '8000', '--bind', '127.0.0.1'] });
  assert.equal(exec(engine, 'py', ['wget', '-q', '-O-', 'http://localhost:8000/']).stderr, "wget: can't connect to remote host: Connection refused\n");
  const ok = exec(engine, 'py', ['wget', '-q', '-O-', 'http://127.0.0.1:8000/']);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /<title>Directory listing for \/<\/title>/);
});

test('ip addr / ip route: lo then ethN with the engine MAC, busybox layout', () => {
  const engine = walkthrough();
  const a4 = engine.findContainer('alpine4');
  const r = exec(engine, 'alpine4', ['ip', 'addr']);
  const [eth0, eth1] = a4.endpoints;
  const lines = r.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 6), [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000',
    '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    '    inet 127.0.0.1/8 scope host lo',
    '       valid_lft forever preferred_lft forever',
    '    inet6 ::1/128 scope host ',
    '       valid_lft forever preferred_lft forever',
  ]);
  assert.match(lines[6], /^(\d+): eth0@if(\d+): <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue state UP $/);
  assert.deepEqual(lines.slice(7, 10), [
    `    link/ether ${eth0.mac} brd ff:ff:ff:ff:ff:ff`,
    '    inet 172.24.0.4/16 brd 172.24.255.255 scope global eth0',
    '       valid_lft forever preferred_lft forever',
  ]);
  assert.equal(eth1.mac, '02:42:ac:11:00:03');
  assert.match(lines[10], /^\d+: eth1@if\d+: /);
  assert.equal(lines[12], '    inet 172.17.0.3/16 brd 172.17.255.255 scope global eth1');
  const idx = (l: string) => Number(l.split(':')[0]);
  assert.ok(idx(lines[10]) > idx(lines[6]));
  assert.equal(exec(engine, 'alpine4', ['ip', 'route']).stdout, 'default via 172.24.0.1 dev eth0 \n172.17.0.0/16 dev eth1 scope link  src 172.17.0.3 \n172.24.0.0/16 dev eth0 scope link  src 172.24.0.4 \n');
  assert.equal(exec(engine, 'alpine1', ['ip', 'addr', 'show', 'dev', 'eth7']).stderr, "ip: can't find device 'eth7'\n");
  assert.equal(exec(engine, 'alpine1', ['ip', 'link']).stdout.split('\n').length, 5);
});

test('ip addr on an IPv6 network shows the global address (nodad) and the EUI-64 link-local one', () => {
  const engine = testEngine('legacy');
  engine.createNetwork({ name: 'v6', enableIPv6: true, ipamConfig: [{ Subnet: 'fd00:1::/64' }] });
  runAlpine(engine, 'six', 'v6');
  const ep = engine.findContainer('six').endpoints[0];
  const out = exec(engine, 'six', ['ip', '-6', 'addr', 'show', 'eth0']).stdout;
  assert.match(out, new RegExp(`    inet6 ${ep.ipv6!.replace(/\./g, '\\.')}/64 scope global flags 02 \n       valid_lft forever preferred_lft forever\n    inet6 ${linkLocal(ep.mac)}/64 scope link \n`));
  assert.equal(linkLocal('02:42:ac:11:00:02'), 'fe80::42:acff:fe11:2');
  assert.equal(broadcast('10.1.2.3', 20), '10.1.15.255');
  assert.doesNotMatch(out, /inet /);
});

test('internal network has no default route', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'int', internal: true });
  runAlpine(engine, 'i1', 'int');
  assert.equal(exec(engine, 'i1', ['ip', 'route']).stdout, '172.18.0.0/16 dev eth0 scope link  src 172.18.0.2 \n');
});

test('getent hosts (musl repeats the canonical name), hostname, /etc/hostname', () => {
  const engine = walkthrough();
  assert.equal(exec(engine, 'alpine1', ['getent', 'hosts', 'alpine2']).stdout, '172.24.0.3        alpine2  alpine2\n');
  assert.equal(exec(engine, 'alpine1', ['getent', 'hosts', 'localhost']).stdout, '::1               localhost  localhost\n');
  assert.equal(exec(engine, 'alpine1', ['getent', 'hosts', 'nope']).code, 2);
  const id = engine.findContainer('alpine1').id.slice(0, 12);
  assert.equal(exec(engine, 'alpine1', ['hostname']).stdout, `${id}\n`);
  assert.equal(exec(engine, 'alpine1', ['cat', '/etc/hostname']).stdout, `${id}\n`);
  assert.equal(exec(engine, 'alpine1', ['getent', 'hosts', id]).stdout, `172.24.0.2        ${id}  ${id}\n`);
});

test('unknown commands: OCI error for exec, "not found" inside a shell; bash is not in alpine', () => {
  const engine = walkthrough();
  const r = exec(engine, 'alpine1', ['curl', 'http://x']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [126, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown\r\n', '']);
  const s = sh(engine, 'alpine1', 'curl http://x; echo $?');
  assert.deepEqual([s.stdout, s.stderr], ['127\n', 'sh: curl: not found\n']);
  assert.equal(exec(engine, 'alpine1', ['bash']).code, 126);
  assert.equal(exec(engine, 'alpine1', ['cat', '/nope']).stderr, "cat: can't open '/nope': No such file or directory\n");
});

test('exec of a long-running command ends as if interrupted', () => {
  const engine = walkthrough();
  assert.deepEqual([exec(engine, 'alpine1', ['tail', '-f', '/dev/null'], { tty: true })].map((r) => [r.code, r.stdout]), [[130, '^C\n']]);
  assert.equal(exec(engine, 'alpine1', ['sleep', '5']).code, 0);
  const loop = sh(engine, 'alpine1', 'while true; do echo tick; done');
  assert.deepEqual([loop.code, loop.stdout], [130, 'tick\ntick\ntick\n']);
  const nl = exec(engine, 'alpine1', ['nc', '-l', '-p', '80']);
  assert.equal(nl.code, 1);
  assert.match(nl.stderr, /^nc: listening from an exec session is not simulated/);
});

test('published ports: container port between containers, host port via the host address', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'n' });
  engine.createNetwork({ name: 'other' });
  run(engine, { name: 'web', image: 'nginx', networkMode: 'n', portBindings: [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 }] });
  runAlpine(engine, 'peer', 'n');
  runAlpine(engine, 'stranger', 'other');
  // Same network: the published host port means nothing, the container port works.
  assert.equal(exec(engine, 'peer', ['wget', '-q', '-O-', 'http://web:8080/']).stderr, "wget: can't connect to remote host (172.18.0.2): Connection refused\n");
  assert.equal(exec(engine, 'peer', ['wget', '-q', '-O-', 'http://web/']).code, 0);
  // Another network: the host address and the published port (docker-proxy relays it).
  const viaHost = exec(engine, 'stranger', ['wget', '-q', '-O-', 'http://10.0.2.15:8080/']);
  assert.deepEqual([viaHost.code, viaHost.stdout.length], [0, 615]);
  assert.match((viaHost.effects[0] as { text: string }).text, /^172\.18\.0\.1 - - /); // the proxy connects from the gateway
  assert.equal(exec(engine, 'stranger', ['nc', '-z', '172.19.0.1', '8080']).code, 0); // own gateway IP works too
});

test('several containers behind one alias: DNS shuffles, musl connects to the closest address', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'n' });
  runAlpine(engine, 'client', 'n');
  for (const name of ['web1', 'web2']) {
    run(engine, { name, image: 'nginx', networkMode: 'n', endpoints: { n: { aliases: ['web'] } } });
  }
  const ns = exec(engine, 'client', ['nslookup', 'web']).stdout;
  assert.match(ns, /Name:\tweb\nAddress: 172\.18\.0\.[34]\nName:\tweb\nAddress: 172\.18\.0\.[34]\n/);
  for (let i = 0; i < 5; i++) assert.match(exec(engine, 'client', ['ping', '-c', '1', 'web']).stdout, /^PING web \(172\.18\.0\.3\)/);
});

test('--network host: the host interfaces and routes; container IPs reachable, names not', () => {
  const engine = walkthrough();
  run(engine, { name: 'hostbox', image: 'alpine', networkMode: 'host', cmd: ['sleep', '1d'] });
  const routes = exec(engine, 'hostbox', ['ip', 'route']).stdout.split('\n');
  assert.deepEqual(routes.slice(0, 3), ['default via 10.0.2.2 dev eth0 ', '10.0.2.0/24 dev eth0 scope link  src 10.0.2.15 ', '172.17.0.0/16 dev docker0 scope link  src 172.17.0.1 ']);
  assert.match(routes[9], /^172\.24\.0\.0\/16 dev br-[0-9a-f]{12} scope link  src 172\.24\.0\.1 $/);
  const addrs = exec(engine, 'hostbox', ['ip', 'addr', 'show', 'eth0']).stdout;
  assert.match(addrs, /^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP qlen 1000\n    link\/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n    inet 10\.0\.2\.15\/24 brd 10\.0\.2\.255 scope global eth0\n/);
  assert.match(exec(engine, 'hostbox', ['ip', 'link']).stdout, /\d+: veth[0-9a-f]{7}@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master docker0 state UP \n/);
  assert.equal(exec(engine, 'hostbox', ['ping', '-c', '1', '172.24.0.2']).code, 0);
  assert.equal(exec(engine, 'hostbox', ['ping', '-c', '1', 'alpine1']).stderr, "ping: bad address 'alpine1'\n");
  assert.equal(exec(engine, 'hostbox', ['hostname']).stdout, 'crosstalk-host\n');
});
