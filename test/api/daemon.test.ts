/**
 * crosstalkd as a process (dist/crosstalkd.js; `npm run build` first): the unix socket, pid file,
 * signals, restarts, hijacked connections, robustness, 50 concurrent clients.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DAEMON_JS, RawConn, demux, runDaemonCommand, startDaemon, type Daemon } from './daemon-helpers.js';

const built = existsSync(DAEMON_JS);
const skip = built ? false : `${DAEMON_JS} is not built (npm run build)`;

describe('crosstalkd process', { skip }, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon({ args: ['--log-level', 'debug'] });
  });
  after(async () => {
    await d?.cleanup();
  });

  test('_ping over the socket: Docker\'s headers; socket mode 0660; pid file', async () => {
    const head = await d.api('HEAD', '/_ping');
    assert.equal(head.status, 200);
    assert.equal(head.headers['api-version'], '1.50');
    assert.equal(head.headers['ostype'], 'linux');
    assert.equal(head.headers['docker-experimental'], 'false');
    assert.equal(head.headers['builder-version'], '2');
    assert.equal(head.headers['server'], 'Docker/28.2.2 (linux)');
    assert.equal(head.headers['content-length'], '0');
    assert.equal(head.body, '');
    const get = await d.api('GET', '/_ping');
    assert.equal(get.body, 'OK');
    assert.equal(statSync(d.socket).mode & 0o777, 0o660);
    assert.ok(statSync(d.socket).isSocket());
    assert.equal(readFileSync(d.pidfile, 'utf8').trim(), String(d.child.pid));
    const v = await d.api('GET', '/version');
    assert.equal(v.json.ApiVersion, '1.50');
    assert.match(v.json.Platform.Name, /^crosstalk \S+ \(Docker Engine API 1\.50, simulated data plane\)$/);
    // Log lines reach our pipe a moment after the response.
    const logged = () => d.logs().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (let i = 0; i < 100 && !logged().some((l) => l.url === '/version'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(logged().some((l) => l.level === 'info' && l.msg === `API listen on ${d.socket}` && typeof l.time === 'string'));
    assert.ok(logged().some((l) => l.level === 'debug' && l.msg === 'request' && l.method === 'GET' && l.url === '/version' && l.status === 200));
  });

  test('errors, 404s and a body over 1 MiB over the wire', async () => {
    const nf = await d.api('GET', '/v1.50/nope');
    assert.equal(nf.status, 404);
    assert.equal(nf.headers['content-type'], 'application/json');
    assert.equal(nf.body, '{"message":"page not found"}\n');
    const big = await d.api('POST', '/networks/create', { Name: 'big', Labels: { pad: 'x'.repeat(1100 * 1024) } });
    assert.equal(big.status, 413);
    assert.equal(big.json.message, 'request body too large: the limit is 1048576 bytes');
    assert.equal((await d.api('GET', '/networks/big')).status, 404);
    const bad = await d.api('POST', '/networks/create', '{"Name":');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.message, 'invalid JSON: unexpected EOF');
  });

  test('POST /images/load streams its body to a file (no 1 MiB limit) and the simulator says it cannot load', async () => {
    const load = await d.api('POST', '/v1.50/images/load?quiet=1', 'x'.repeat(2 * 1024 * 1024));
    assert.equal(load.status, 400);
    assert.equal(load.json.message, "crosstalk's simulated data plane has no filesystem to load images into: docker load needs the real data plane (crosstalkd --data-plane linux)");
    assert.equal((await d.api('GET', '/_ping')).status, 200, 'still answering');
    assert.deepEqual(readdirSync(join(d.stateDir, 'tmp')), [], 'temp file removed');
  });

  test('streams: wait answers with headers at once and the status at exit', async () => {
    await d.api('POST', '/containers/create?name=waited', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
    await d.api('POST', '/containers/waited/start');
    const body = await new Promise<{ headersAt: number; status: number; text: string; endedAt: number }>((resolve, reject) => {
      const req = request({ socketPath: d.socket, method: 'POST', path: '/v1.50/containers/waited/wait?condition=next-exit', agent: false }, (res) => {
        const headersAt = Date.now();
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => (text += s));
        res.on('end', () => resolve({ headersAt, status: res.statusCode ?? 0, text, endedAt: Date.now() }));
        setTimeout(() => void d.api('POST', '/containers/waited/stop'), 200);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(body.status, 200);
    assert.equal(body.text, '{"StatusCode":137}\n');
    assert.ok(body.endedAt - body.headersAt >= 150, 'the headers came before the exit');
  });

  test('exec over an upgraded connection: 101 UPGRADED, the JSON body, frames, exit code', async () => {
    await d.api('POST', '/containers/create?name=ex1', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
    await d.api('POST', '/containers/ex1/start');
    const { json } = await d.api('POST', '/v1.50/containers/ex1/exec', { AttachStdout: true, AttachStderr: true, AttachStdin: true, Cmd: ['cat'] });
    const conn = new RawConn(d.socket);
    const body = '{"Detach":false,"Tty":false}';
    conn.socket.write(`POST /v1.50/exec/${json.Id}/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await conn.until((t) => t.includes('\r\n\r\n'));
    assert.equal(conn.text(), 'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    conn.socket.write('hello ');
    conn.socket.end('wörld\n');
    await conn.closed();
    const payload = conn.data.subarray(conn.data.indexOf('\r\n\r\n') + 4);
    assert.deepEqual(demux(payload), [[1, 'hello wörld\n']]);
    assert.equal((await d.api('GET', `/exec/${json.Id}/json`)).json.ExitCode, 0);
  });

  test('attach without Upgrade (docker-py style): 200 and the raw stream on the same connection', async () => {
    await d.api('POST', '/containers/create?name=once', { Image: 'alpine', Cmd: ['echo', 'from once'] });
    const conn = new RawConn(d.socket);
    conn.socket.write('POST /v1.50/containers/once/attach?stdout=1&stderr=1&stream=1 HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n\r\n');
    await conn.until((t) => t.includes('\r\n\r\n'));
    assert.match(conn.text(), /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(conn.text(), /\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\n/i);
    assert.doesNotMatch(conn.text(), /Transfer-Encoding/i);
    await d.api('POST', '/containers/once/start');
    await conn.closed();
    const payload = conn.data.subarray(conn.data.indexOf('\r\n\r\n') + 4);
    assert.deepEqual(demux(payload), [[1, 'from once\n']]);
  });

  test('a client that disconnects mid-attach leaves the daemon responsive and the container running', async () => {
    await d.api('POST', '/containers/create?name=sh1', { Image: 'alpine', Cmd: ['ash'], Tty: true, OpenStdin: true });
    await d.api('POST', '/containers/sh1/start');
    for (let round = 0; round < 5; round++) {
      const conn = new RawConn(d.socket);
      conn.socket.write('POST /v1.50/containers/sh1/attach?stdin=1&stdout=1&stderr=1&stream=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: text/plain\r\n\r\n');
      await conn.until((t) => t.endsWith('/ # '));
      conn.socket.write('echo half-typ');
      conn.socket.destroy();
      const ping = await d.api('GET', '/_ping');
      assert.equal(ping.status, 200);
    }
    // An exec session cut off mid-way does not hang the daemon either.
    const { json } = await d.api('POST', '/containers/sh1/exec', { AttachStdin: true, AttachStdout: true, Tty: true, Cmd: ['sh'] });
    const conn = new RawConn(d.socket);
    conn.socket.write(`POST /exec/${json.Id}/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
    await conn.until((t) => t.endsWith('/ # '));
    conn.socket.destroy();
    const state = (await d.api('GET', '/containers/sh1/json')).json.State;
    assert.equal(state.Running, true);
    // And a client that half-closes (stdin EOF) ends the shell, as the brief asks.
    const eof = new RawConn(d.socket);
    eof.socket.write('POST /containers/sh1/attach?stdin=1&stdout=1&stream=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    await eof.until((t) => t.endsWith('/ # '));
    eof.socket.end('echo last\r');
    await eof.closed();
    assert.match(eof.text(), /\/ # echo last\r\nlast\r\n\/ # $/);
    assert.equal((await d.api('GET', '/containers/sh1/json')).json.State.Running, false);
  });

  test('50 concurrent clients: no duplicate address, no lost update', async () => {
    const N = 50;
    await d.api('POST', '/networks/create', { Name: 'c0', IPAM: { Config: [{ Subnet: '10.50.0.0/24' }] } });
    await d.api('POST', '/networks/create', { Name: 'c1', IPAM: { Config: [{ Subnet: '10.51.0.0/24' }] } });
    const ok = (r: { status: number; body: string }, want: number, what: string) => assert.equal(r.status, want, `${what}: ${r.body}`);
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const name = `w${i}`;
        ok(await d.api('POST', `/v1.50/containers/create?name=${name}`, { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'c0' } }), 201, `create ${name}`);
        ok(await d.api('POST', `/v1.50/containers/${name}/start`), 204, `start ${name}`);
        ok(await d.api('POST', '/v1.50/networks/c1/connect', { Container: name }), 200, `connect ${name}`);
        ok(await d.api('POST', '/v1.50/networks/c1/disconnect', { Container: name }), 200, `disconnect ${name}`);
        ok(await d.api('POST', '/v1.50/networks/c1/connect', { Container: name, EndpointConfig: { Aliases: [`alias${i}`] } }), 200, `reconnect ${name}`);
      }),
    );
    const addrs = async (net: string) => Object.values((await d.api('GET', `/networks/${net}`)).json.Containers as Record<string, { Name: string; IPv4Address: string }>);
    const on0 = await addrs('c0');
    const on1 = await addrs('c1');
    assert.equal(on0.length, N);
    assert.equal(on1.length, N);
    assert.equal(new Set(on0.map((e) => e.IPv4Address)).size, N, 'unique addresses on c0');
    assert.equal(new Set(on1.map((e) => e.IPv4Address)).size, N, 'unique addresses on c1');
    for (let i = 0; i < N; i++) {
      const c = (await d.api('GET', `/containers/w${i}/json`)).json;
      assert.deepEqual(c.NetworkSettings.Networks.c1.Aliases, [`alias${i}`]);
    }
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        if (i % 2 === 0) ok(await d.api('DELETE', `/containers/w${i}?force=1`), 204, `rm w${i}`);
        else ok(await d.api('POST', '/networks/c1/disconnect', { Container: `w${i}`, Force: false }), 200, `disconnect w${i}`);
      }),
    );
    assert.equal((await addrs('c0')).length, N / 2);
    assert.equal((await addrs('c1')).length, 0);
    const left = (await d.api('GET', `/containers/json?filters=${encodeURIComponent('{"network":["c0"]}')}`)).json as Array<{ Names: string[] }>;
    assert.deepEqual(left.map((c) => c.Names[0]).sort(), Array.from({ length: N / 2 }, (_, k) => `/w${2 * k + 1}`).sort());
  });
});

describe('crosstalkd lifecycle', { skip }, () => {
  test('SIGTERM removes the socket and the pid file and exits 0; a restart finds every network and container', async () => {
    const d = await startDaemon();
    try {
      const net = (await d.api('POST', '/networks/create', { Name: 'persist', Labels: { k: 'v' } })).json.Id;
      await d.api('POST', '/containers/create?name=keeper', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'persist' } });
      await d.api('POST', '/containers/keeper/start');
      const ip = (await d.api('GET', '/containers/keeper/json')).json.NetworkSettings.Networks.persist.IPAddress;
      const exit = await d.stop('SIGTERM');
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.equal(existsSync(d.socket), false, 'socket removed');
      assert.equal(existsSync(d.pidfile), false, 'pid file removed');
      assert.match(d.logs(), /"msg":"Daemon shutdown complete"/);

      const again = await startDaemon({ dir: d.dir });
      try {
        assert.equal((await again.api('GET', '/networks/persist')).json.Id, net);
        assert.deepEqual((await again.api('GET', '/networks/persist')).json.Labels, { k: 'v' });
        const c = (await again.api('GET', '/containers/keeper/json')).json;
        assert.equal(c.NetworkSettings.Networks.persist.IPAddress, ip);
        // The allocator came back too: the next container gets the next address.
        await again.api('POST', '/containers/create?name=second', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'persist' } });
        await again.api('POST', '/containers/second/start');
        const ip2 = (await again.api('GET', '/containers/second/json')).json.NetworkSettings.Networks.persist.IPAddress;
        assert.notEqual(ip2, ip);
        const exit2 = await again.stop('SIGINT');
        assert.deepEqual(exit2, { code: 0, signal: null });
      } finally {
        await again.cleanup();
      }
    } finally {
      await d.cleanup();
    }
  });

  test('SIGTERM with open attach sessions, event streams and waits still exits 0 at once', async () => {
    const d = await startDaemon();
    try {
      await d.api('POST', '/containers/create?name=busy', { Image: 'alpine', Cmd: ['ash'], Tty: true, OpenStdin: true });
      await d.api('POST', '/containers/busy/start');
      const attach = new RawConn(d.socket);
      attach.socket.write('POST /containers/busy/attach?stdin=1&stdout=1&stream=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      await attach.until((t) => t.endsWith('/ # '));
      const events = new RawConn(d.socket);
      events.socket.write('GET /events HTTP/1.1\r\nHost: docker\r\n\r\n');
      await events.until((t) => t.includes('\r\n\r\n'));
      assert.match(events.text(), /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(events.text(), /Transfer-Encoding: chunked/i);
      const wait = new RawConn(d.socket);
      wait.socket.write('POST /containers/busy/wait HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n\r\n');
      await wait.until((t) => t.includes('\r\n\r\n'));
      const t0 = Date.now();
      const exit = await d.stop('SIGTERM');
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(Date.now() - t0 < 3000, 'no waiting for the 5 s fallback');
      await attach.closed();
      await events.closed();
      await wait.closed();
      assert.equal(existsSync(d.socket), false);
    } finally {
      await d.cleanup();
    }
  });

  test('a second daemon on the same pid file refuses to start; a stale socket file is replaced', async () => {
    const d = await startDaemon();
    const other = mkdtempSync(join(tmpdir(), 'ct-api-other-'));
    try {
      const r = await runDaemonCommand(['-H', `unix://${join(other, 's.sock')}`, '--state-dir', d.stateDir, '--pidfile', d.pidfile]);
      assert.equal(r.code, 1);
      assert.match(r.err, /pid file found, ensure crosstalkd is not running or delete /);
      const busy = await runDaemonCommand(['-H', `unix://${d.socket}`, '--state-dir', join(other, 'state'), '--pidfile', join(other, 'p.pid')]);
      assert.equal(busy.code, 1);
      assert.match(busy.err, /is in use: another daemon is listening there/);
      await d.stop('SIGKILL');
      // SIGKILL left the socket file behind; the next start cleans it up.
      assert.equal(existsSync(d.socket), true);
      const next = await startDaemon({ dir: d.dir });
      assert.equal((await next.api('GET', '/_ping')).body, 'OK');
      await next.cleanup();
    } finally {
      await d.cleanup();
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('TCP only on loopback, on request; flag errors; --data-plane linux needs --sandbox or --host-namespace', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dir = mkdtempSync(join(tmpdir(), 'ct-api-tcp-'));
    const d = await startDaemon({ dir, args: ['-H', `tcp://127.0.0.1:${port}`] });
    try {
      const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/_ping', agent: false }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
      assert.deepEqual(r, { status: 200, body: 'OK' });
    } finally {
      await d.cleanup();
    }
    const open = await runDaemonCommand(['-H', 'tcp://0.0.0.0:2375', '--state-dir', join(tmpdir(), 'never-created')]);
    assert.equal(open.code, 125);
    assert.match(open.err, /refusing to listen on tcp:\/\/0\.0\.0\.0:2375: the API has no authentication/);
    const flag = await runDaemonCommand(['--bogus']);
    assert.equal(flag.code, 125);
    assert.equal(flag.err, "crosstalkd: unknown flag: --bogus\nSee 'crosstalkd --help'.\n");
    const linux = await runDaemonCommand(['--data-plane', 'linux']);
    assert.equal(linux.code, 125);
    assert.equal(linux.err, "crosstalkd: --data-plane linux changes this machine's network (bridges, veths and nftables rules in its own namespace); add --sandbox to run it inside a private network namespace, or --host-namespace to really change this machine\n");
    const level = await runDaemonCommand(['--log-level', 'loud']);
    assert.equal(level.code, 125);
    const help = await runDaemonCommand(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage:  crosstalkd \[OPTIONS\]/);
  });

  test('--log-level warn keeps request logs out; a state created legacy refuses --compat default', async () => {
    const d = await startDaemon({ args: ['--log-level', 'warn', '--compat', 'legacy'] });
    try {
      await d.api('GET', '/version');
      assert.equal(d.logs(), '');
      assert.equal((await d.api('HEAD', '/_ping')).headers['api-version'], '1.45');
      await d.stop();
      const r = await runDaemonCommand(['-H', `unix://${d.socket}`, '--state-dir', d.stateDir, '--pidfile', d.pidfile, '--compat', 'default']);
      assert.equal(r.code, 1);
      assert.match(r.err, /the state was created with --compat legacy/);
    } finally {
      await d.cleanup();
    }
  });
});
