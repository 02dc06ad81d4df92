/**
 * The user's walk-through (shared/seed/walkthrough.md) as busybox would print it inside the
 * containers, with the engine's model deciding every answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectContainer, stopContainer } from '../engine/containers.js';
import { NetView } from './netview.js';
import { SimShell } from './attach-shell.js';
import { exec, runAlpine, walkthrough } from './testing.js';

test('step 3: alpine1 pings alpine2 by name (172.24.0.3), busybox format', () => {
  const engine = walkthrough();
  const r = exec(engine, 'alpine1', ['ping', '-c', '2', 'alpine2']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  assert.equal(
    r.stdout,
    'PING alpine2 (172.24.0.3): 56 data bytes\n' +
      '64 bytes from 172.24.0.3: seq=0 ttl=64 time=0.062 ms\n' +
      '64 bytes from 172.24.0.3: seq=1 ttl=64 time=0.128 ms\n' +
      '\n' +
      '--- alpine2 ping statistics ---\n' +
      '2 packets transmitted, 2 packets received, 0% packet loss\n' +
      'round-trip min/avg/max = 0.062/0.095/0.128 ms\n',
  );
});

test('ping times stay within 0.050–0.300 ms and avg truncates like busybox', () => {
  const engine = walkthrough();
  const r = exec(engine, 'alpine1', ['ping', '-c', '5', '172.24.0.3']);
  const times = [...r.stdout.matchAll(/time=(\d+\.\d{3}) ms/g)].map((m) => Math.round(Number(m[1]) * 1000));
  assert.equal(times.length, 5);
  for (const t of times) assert.ok(t >= 50 && t <= 300, `time ${t}`);
  const avg = Math.floor(times.reduce((a, b) => a + b, 0) / 5);
  const fmt = (us: number) => `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
  assert.match(r.stdout, new RegExp(`round-trip min/avg/max = ${fmt(Math.min(...times))}/${fmt(avg)}/${fmt(Math.max(...times))} ms\n$`));
  assert.match(r.stdout, /^PING 172\.24\.0\.3 \(172\.24\.0\.3\): 56 data bytes\n/);
});

test('alpine1 cannot resolve alpine3: busybox says bad address', () => {
  const engine = walkthrough();
  const r = exec(engine, 'alpine1', ['ping', '-c', '2', 'alpine3']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', "ping: bad address 'alpine3'\n"]);
});

test('alpine1 cannot reach alpine3 by IP either: isolation drops, 100% loss', () => {
  const engine = walkthrough();
  const ip3 = engine.findContainer('alpine3').endpoints[0].ipv4;
  assert.equal(ip3, '172.17.0.2');
  const r = exec(engine, 'alpine1', ['ping', '-c', '2', ip3!]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout,
    'PING 172.17.0.2 (172.17.0.2): 56 data bytes\n\n--- 172.17.0.2 ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n',
  );
});

test('alpine4 reaches alpine3 by its bridge IP, but not by name (default bridge has no DNS)', () => {
  const engine = walkthrough();
  const byIp = exec(engine, 'alpine4', ['ping', '-c', '1', '172.17.0.2']);
  assert.equal(byIp.code, 0);
  assert.match(byIp.stdout, /^PING 172\.17\.0\.2 \(172\.17\.0\.2\): 56 data bytes\n64 bytes from 172\.17\.0\.2: seq=0 ttl=64 time=0\.\d{3} ms\n/);
  assert.match(byIp.stdout, /1 packets transmitted, 1 packets received, 0% packet loss\n/);
  const byName = exec(engine, 'alpine4', ['ping', '-c', '1', 'alpine3']);
  assert.deepEqual([byName.code, byName.stderr], [1, "ping: bad address 'alpine3'\n"]);
});

test('step 4: lapine-net joins alpine3 and alpine4; names resolve on both networks', () => {
  const engine = walkthrough();
  engine.createNetwork({ name: 'lapine-net' });
  connectContainer(engine, 'lapine-net', 'alpine3', {});
  connectContainer(engine, 'lapine-net', 'alpine4', {});
  const a3 = engine.findContainer('alpine3').endpoints.find((e) => e.ifname === 'eth1')!;
  assert.deepEqual([a3.ipv4, a3.mac], ['172.25.0.2', '02:42:ac:19:00:02']);
  const r3 = exec(engine, 'alpine4', ['ping', '-c', '2', 'alpine3']);
  assert.equal(r3.code, 0);
  assert.match(r3.stdout, /^PING alpine3 \(172\.25\.0\.2\): 56 data bytes\n/);
  const r2 = exec(engine, 'alpine4', ['ping', '-c', '2', 'alpine2']);
  assert.match(r2.stdout, /^PING alpine2 \(172\.24\.0\.3\): 56 data bytes\n/);
  assert.match(r2.stdout, /2 packets transmitted, 2 packets received, 0% packet loss/);
});

test('the attached ash prompt runs the walk-through lines and exits', () => {
  const engine = walkthrough();
  let out = '';
  let err = '';
  const shell = new SimShell(new NetView(engine), engine.findContainer('alpine1'), { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  assert.equal(shell.prompt, '/ # ');
  assert.deepEqual(shell.runLine('ping -c 2 alpine2'), { exited: false });
  assert.match(out, /^PING alpine2 \(172\.24\.0\.3\): 56 data bytes\n/);
  assert.deepEqual(shell.runLine('ping -c 2 alpine3'), { exited: false });
  assert.equal(err, "ping: bad address 'alpine3'\n");
  assert.deepEqual(shell.runLine('frobnicate'), { exited: false });
  assert.equal(err.split('\n')[1], 'ash: frobnicate: not found');
  out = '';
  shell.runLine('echo $?');
  assert.equal(out, '127\n');
  shell.runLine('false');
  assert.deepEqual(shell.runLine('exit'), { exited: true, exitCode: 1 });
  assert.equal(shell.exited, true);
});

test('attach shell: exit N, variables persist between lines, ping without -c ends like Ctrl-C', () => {
  const engine = walkthrough();
  let out = '';
  const shell = new SimShell(new NetView(engine), engine.findContainer('alpine1'), { stdout: (s) => (out += s), stderr: () => {} });
  shell.runLine('X=alpine2');
  shell.runLine('ping $X');
  assert.match(out, /seq=3 ttl=64/);
  assert.match(out, /ms\n\^C\n--- alpine2 ping statistics ---\n4 packets transmitted, 4 packets received, 0% packet loss\n/);
  assert.deepEqual(shell.runLine('false || exit 3'), { exited: true, exitCode: 3 });
});

test('a stopped container no longer resolves (its endpoint and DNS names are gone)', () => {
  const engine = walkthrough();
  stopContainer(engine, 'alpine2', 137);
  const r = exec(engine, 'alpine1', ['ping', '-c', '1', 'alpine2']);
  assert.deepEqual([r.code, r.stderr], [1, "ping: bad address 'alpine2'\n"]);
  const ns = exec(engine, 'alpine1', ['nslookup', 'alpine2']);
  assert.equal(ns.stdout, "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n** server can't find alpine2: NXDOMAIN\n\n** server can't find alpine2: NXDOMAIN\n\n");
  assert.equal(ns.code, 1);
});

test('default bridge only (step 2): no name resolution, ping by IP works', () => {
  const engine = walkthrough();
  runAlpine(engine, 'b1');
  runAlpine(engine, 'b2');
  const ip = engine.findContainer('b2').endpoints[0].ipv4!;
  assert.equal(exec(engine, 'b1', ['ping', '-c', '1', 'b2']).stderr, "ping: bad address 'b2'\n");
  assert.equal(exec(engine, 'b1', ['ping', '-c', '1', ip]).code, 0);
  const rc = exec(engine, 'b1', ['cat', '/etc/resolv.conf']).stdout;
  assert.doesNotMatch(rc, /127\.0\.0\.11/);
  assert.match(rc, /^nameserver 10\.0\.2\.3$/m);
});
