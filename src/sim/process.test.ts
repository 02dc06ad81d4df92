/**
 * Main processes: what keeps a container up, what it listens on, and what it prints at start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createContainer, startContainer } from '../engine/containers.js';
import type { ContainerCreateRequest } from '../engine/requests.js';
import { classifyProcess, runMain } from './process.js';
import { commandListeners, listenersOf } from './listeners.js';
import { NetView } from './netview.js';
import { startAndRun } from './runtime.js';
import { exec, run, testEngine } from './testing.js';

function created(req: Partial<ContainerCreateRequest>) {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'n' });
  engine.createNetwork({ name: 'int', internal: true });
  const c = createContainer(engine, { name: 'box', image: 'alpine', networkMode: 'n', ...req });
  return { engine, c };
}

const classify = (req: Partial<ContainerCreateRequest>) => classifyProcess(created(req).c);

test('shells stay up only with a stdin that stays open (-i or -t)', () => {
  assert.equal(classify({ cmd: ['ash'], tty: true, openStdin: true }), 'service');
  assert.equal(classify({ cmd: ['/bin/sh'], tty: true }), 'service');
  assert.equal(classify({ cmd: ['sh'], openStdin: true }), 'service');
  assert.equal(classify({}), 'oneshot'); // alpine's default /bin/sh, no -i/-t: exits 0 at once
  assert.equal(classify({ image: 'node:20', cmd: ['bash'], tty: true }), 'service');
});

test('long-running commands and servers are services; everything else is a one-shot', () => {
  for (const cmd of [['sleep', '3600'], ['sleep', 'infinity'], ['tail', '-f', '/dev/null'], ['top'], ['nc', '-lk', '-p', '9000'], ['ping', 'example.com']]) {
    assert.equal(classify({ cmd }), 'service', cmd.join(' '));
  }
  for (const cmd of [['echo', 'hi'], ['true'], ['false'], ['ping', '-c', '2', 'x'], ['wget', '-q', 'http://x/'], ['nslookup', 'x'], ['make'], ['sleep', '0'], ['nosuchcmd']]) {
    assert.equal(classify({ cmd }), 'oneshot', cmd.join(' '));
  }
  assert.equal(classify({ image: 'nginx' }), 'service');
  assert.equal(classify({ image: 'nginx', cmd: ['nginx'] }), 'oneshot'); // daemonizes: PID 1 exits
  assert.equal(classify({ image: 'redis' }), 'service');
  assert.equal(classify({ image: 'postgres' }), 'oneshot'); // no POSTGRES_PASSWORD
  assert.equal(classify({ image: 'postgres', env: ['POSTGRES_PASSWORD=pw'] }), 'service');
  assert.equal(classify({ image: 'busybox', cmd: ['httpd', '-f', '-p', '8080'] }), 'service');
  assert.equal(classify({ image: 'busybox', cmd: ['httpd', '-p', '8080'] }), 'oneshot');
  assert.equal(classify({ image: 'python:3-alpine', cmd: ['python3', '-m', 'http.server'] }), 'service');
});

test('sh -c chains: the last command reached decides', () => {
  assert.equal(classify({ cmd: ['sh', '-c', 'echo start && sleep infinity'] }), 'service');
  assert.equal(classify({ cmd: ['sh', '-c', 'false && sleep infinity'] }), 'oneshot');
  assert.equal(classify({ cmd: ['sh', '-c', 'false || tail -f /dev/null'] }), 'service');
  assert.equal(classify({ cmd: ['sh', '-c', 'while true; do date; sleep 5; done'] }), 'service');
  assert.equal(classify({ cmd: ['sh', '-c', 'make; echo done'] }), 'oneshot');
  assert.equal(classify({ cmd: ['sh', '-c', 'nc -lk -p 80 & echo started'] }), 'oneshot'); // PID 1 (sh) ends
});

test('npm install && http-server: a service only where npm can reach the registry', () => {
  const cmd = ['sh', '-c', 'npm install -g http-server && http-server -a 0.0.0.0 -p 4200'];
  const onInternal = created({ image: 'node:20-alpine', networkMode: 'int', cmd });
  startContainer(onInternal.engine, 'box');
  const view = new NetView(onInternal.engine);
  assert.equal(classifyProcess(onInternal.c), 'service'); // without the model: assumed to succeed
  assert.equal(classifyProcess(onInternal.c, view), 'oneshot');
  let err = '';
  assert.deepEqual(runMain(view, onInternal.c, { stdout: () => {}, stderr: (s) => (err += s) }), { state: 'exited', exitCode: 1 });
  assert.match(
    err,
    /^npm error code EAI_AGAIN\nnpm error syscall getaddrinfo\nnpm error errno EAI_AGAIN\nnpm error request to https:\/\/registry\.npmjs\.org\/http-server failed, reason: getaddrinfo EAI_AGAIN registry\.npmjs\.org\nnpm error A complete log of this run can be found in: \/root\/\.npm\/_logs\/.*-debug-0\.log\n$/,
  );
  const onBridge = created({ image: 'node:20-alpine', cmd });
  startContainer(onBridge.engine, 'box');
  let out = '';
  assert.deepEqual(runMain(new NetView(onBridge.engine), onBridge.c, { stdout: (s) => (out += s), stderr: () => {} }), { state: 'running' });
  assert.match(out, /^\nadded 48 packages in 3s\n\n15 packages are looking for funding\n  run `npm fund` for details\nStarting up http-server, serving \.\/\n/);
  assert.match(out, /Available on:\n  http:\/\/127\.0\.0\.1:4200\n  http:\/\/172\.18\.0\.2:4200\nHit CTRL-C to stop the server\n$/);
});

test('startAndRun: a one-shot exits (name gone), its output is in the logs; a service stays', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'n' });
  createContainer(engine, { name: 'build', image: 'alpine', networkMode: 'n', cmd: ['sh', '-c', 'echo building; make'] });
  const out = startAndRun(engine, 'build');
  assert.deepEqual([out.exited, out.exitCode], [true, 2]);
  assert.equal(out.container.logs, 'building\nmake: *** No targets specified and no makefile found.  Stop.\n');
  assert.equal(out.container.endpoints.length, 0);
  createContainer(engine, { name: 'web', image: 'nginx', networkMode: 'n' });
  const web = startAndRun(engine, 'web');
  assert.equal(web.exited, false);
  assert.match(web.container.logs, /Configuration complete; ready for start up\n$/);
  run(engine, { name: 'probe', image: 'alpine', networkMode: 'n', cmd: ['sleep', '1d'] });
  assert.equal(exec(engine, 'probe', ['ping', '-c', '1', 'build']).stderr, "ping: bad address 'build'\n");
});

test('startAndRun applies effects: a client main process ends a one-shot nc -l server', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'n' });
  createContainer(engine, { name: 'worker', image: 'alpine', networkMode: 'n', cmd: ['nc', '-l', '-p', '9000'] });
  startAndRun(engine, 'worker');
  createContainer(engine, { name: 'trigger', image: 'alpine', networkMode: 'n', cmd: ['sh', '-c', 'echo go | nc worker 9000'] });
  const t = startAndRun(engine, 'trigger');
  assert.deepEqual([t.exited, t.exitCode], [true, 0]);
  const worker = engine.findContainer('worker');
  assert.deepEqual([worker.status, worker.logs], ['exited', 'go\n']);
});

test('wait-for loops: until nc -z succeeds the container stays up', () => {
  const engine = testEngine('default');
  engine.createNetwork({ name: 'n' });
  createContainer(engine, { name: 'app', image: 'busybox', networkMode: 'n', cmd: ['sh', '-c', 'until nc -z db 5432; do sleep 1; done; echo up'] });
  assert.equal(startAndRun(engine, 'app').exited, false);
  createContainer(engine, { name: 'db', image: 'postgres', networkMode: 'n', env: ['POSTGRES_PASSWORD=pw'] });
  startAndRun(engine, 'db');
  createContainer(engine, { name: 'app2', image: 'busybox', networkMode: 'n', cmd: ['sh', '-c', 'until nc -z db 5432; do sleep 1; done; echo up'] });
  const app2 = startAndRun(engine, 'app2');
  assert.deepEqual([app2.exited, app2.exitCode, app2.container.logs], [true, 0, 'up\n']);
  createContainer(engine, { name: 'app3', image: 'busybox', networkMode: 'n', cmd: ['sh', '-c', 'nc -w 1 db 5432 </dev/null && echo connected || echo refused'] });
  assert.equal(startAndRun(engine, 'app3').container.logs, 'connected\n');
});

test('listeners from command lines', () => {
  const l = (...argv: string[]) => commandListeners(argv).map((x) => `${x.protocol}/${x.address}:${x.port}`);
  assert.deepEqual(l('nc', '-lk', '-p', '9000'), ['tcp/:::9000']);
  assert.deepEqual(l('nc', '-l', '-p', '9000', '-s', '127.0.0.1'), ['tcp/127.0.0.1:9000']);
  assert.deepEqual(l('nc', '-lu', '-p', '5000'), ['udp/:::5000']);
  assert.deepEqual(l('nc', '-lp', '8080', '-e', 'cat'), ['tcp/:::8080']);
  assert.deepEqual(l('nc', '-l', '8080'), []); // BSD syntax: busybox listens on a random port
  assert.deepEqual(l('nc', '-l', '-p', '80', '10.0.0.1'), ['tcp/0.0.0.0:80']);
  assert.deepEqual(l('httpd', '-f', '-p', '127.0.0.1:8080'), ['tcp/127.0.0.1:8080']);
  assert.deepEqual(l('httpd', '-f'), ['tcp/:::80']);
  assert.deepEqual(l('python3', '-m', 'http.server'), ['tcp/:::8000']);
  assert.deepEqual(l('python', '-m', 'http.server', '9000', '--bind', '0.0.0.0'), ['tcp/0.0.0.0:9000']);
  assert.deepEqual(l('http-server', '-p', '4200'), ['tcp/0.0.0.0:4200']);
  assert.deepEqual(l('http-server', '-a', '127.0.0.1'), ['tcp/127.0.0.1:8080']);
  assert.deepEqual(l('nginx', '-g', 'daemon off;'), ['tcp/0.0.0.0:80', 'tcp/:::80']);
  assert.deepEqual(l('postgres', '-p', '5433'), ['tcp/0.0.0.0:5433', 'tcp/:::5433']);
  assert.deepEqual(l('redis-server', '--port', '7000', '--bind', '127.0.0.1'), ['tcp/127.0.0.1:7000']);
  assert.deepEqual(l('socat', 'TCP-LISTEN:8080,fork,reuseaddr', 'TCP:db:5432'), ['tcp/0.0.0.0:8080']);
  assert.deepEqual(l('socat', 'TCP6-LISTEN:8080,bind=::1', '-'), ['tcp/::1:8080']);
  assert.deepEqual(l('wget', 'http://x/'), []);
});

test('listenersOf reads sh -c chains and image defaults', () => {
  const { c } = created({ image: 'node:20-alpine', cmd: ['sh', '-c', 'npm install -g http-server && exec http-server -a 0.0.0.0 -p 4200'] });
  assert.deepEqual(listenersOf(c), [{ port: 4200, protocol: 'tcp', address: '0.0.0.0', program: 'http-server' }]);
  const { c: web } = created({ image: 'nginx' });
  assert.deepEqual(listenersOf(web).map((x) => x.address), ['0.0.0.0', '::']);
  const { c: pg } = created({ image: 'postgres:16', env: ['POSTGRES_PASSWORD=x'] });
  assert.equal(listenersOf(pg)[0].port, 5432);
  const { c: envPort } = created({ cmd: ['sh', '-c', 'nc -lk -p ${PORT:-7000}'], env: ['PORT=7001'] });
  assert.equal(listenersOf(envPort)[0].port, 7001);
});
