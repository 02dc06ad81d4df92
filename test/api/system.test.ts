/** In-process API: headers, /_ping, version negotiation, errors, body limits, /version, /info, /events. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newApi, runDetached } from './helpers.js';
import { createApiApp } from '../../src/api/app.js';
import type { RealRuntime } from '../../src/api/real-runtime.js';
import { EngineHost } from '../../src/cli/engine-host.js';
import { SeededRandom, SteppingClock } from '../../src/core/ports.js';
import { MemoryStore } from '../../src/store/store.js';

const MIDDLEWARE = { 'Api-Version': '1.50', 'Docker-Experimental': 'false', Ostype: 'linux', Server: 'Docker/28.2.2 (linux)' };

test('HEAD /_ping: 200, empty body, the headers clients negotiate with (API-01)', async () => {
  const api = newApi();
  const r = await api.call('HEAD', '/_ping');
  assert.equal(r.status, 200);
  assert.equal(r.text, '');
  assert.deepEqual(r.headers, {
    ...MIDDLEWARE,
    'Builder-Version': '2',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    'Content-Type': 'text/plain; charset=utf-8',
    Pragma: 'no-cache',
    Swarm: 'inactive',
    'Content-Length': '0',
  });
});

test('GET /_ping answers OK, also under a version prefix', async () => {
  const api = newApi();
  for (const url of ['/_ping', '/v1.50/_ping', '/v1.24/_ping']) {
    const r = await api.call('GET', url);
    assert.equal(r.status, 200, url);
    assert.equal(r.text, 'OK');
    assert.equal(r.headers['Api-Version'], '1.50');
  }
});

test('versions above 1.50 and below 1.24 are refused with Docker texts (API-03, API-04)', async () => {
  const api = newApi();
  const tooNew = await api.call('GET', '/v1.99/networks');
  assert.equal(tooNew.status, 400);
  assert.equal(tooNew.text, '{"message":"client version 1.99 is too new. Maximum supported API version is 1.50"}\n');
  assert.equal(tooNew.headers['Content-Type'], 'application/json');
  const tooOld = await api.call('GET', '/v1.23/networks');
  assert.equal(tooOld.status, 400);
  assert.equal(tooOld.json.message, 'client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version');
  // 1.51 (Engine 28.3) is accepted as the issue asks; 1.52 is too new.
  assert.equal((await api.call('GET', '/v1.52/networks')).json.message, 'client version 1.52 is too new. Maximum supported API version is 1.50');
  for (const url of ['/networks', '/v1.24/networks', '/v1.45/networks', '/v1.50/networks', '/v1.51/networks', '/networks/']) {
    const r = await api.call('GET', url);
    assert.equal(r.status, 200, url);
    assert.ok(Array.isArray(r.json), url);
  }
});

test('unknown routes and wrong methods: Docker\'s page not found, with the middleware headers', async () => {
  const api = newApi();
  for (const [m, url] of [['GET', '/nope'], ['GET', '/v1.50/containers/x/top'], ['PUT', '/networks'], ['HEAD', '/version'], ['GET', '/']]) {
    const r = await api.call(m, url);
    assert.equal(r.status, 404, `${m} ${url}`);
    assert.equal(r.text, '{"message":"page not found"}\n');
    assert.equal(r.headers.Server, 'Docker/28.2.2 (linux)');
    assert.equal(r.headers['Api-Version'], '1.50');
  }
});

test('every response carries Server, Api-Version, Ostype, Docker-Experimental', async () => {
  const api = newApi();
  const replies = [await api.call('GET', '/version'), await api.call('GET', '/containers/nope/json'), await api.call('POST', '/networks/create', { Name: 'x' })];
  for (const r of replies) for (const [k, v] of Object.entries(MIDDLEWARE)) assert.equal(r.headers[k], v, `${k} on ${r.status}`);
});

test('malformed JSON and wrong types: 400 with encoding/json wording (API-06)', async () => {
  const api = newApi();
  const cases: Array<[string, string]> = [
    ['{bad', "invalid JSON: invalid character 'b' looking for beginning of object key string"],
    ['{"Name": "x",}', "invalid JSON: invalid character '}' looking for beginning of object key string"],
    ['{"Name" "x"}', "invalid JSON: invalid character '\"' after object key"],
    ['{"Name": tru}', "invalid JSON: invalid character '}' in literal true (expecting 'e')"],
    ['{"Name": "x"', 'invalid JSON: unexpected EOF'],
    ['{"Name": "x"} {}', 'unexpected content after JSON'],
    ['[1]', 'invalid JSON: json: cannot unmarshal array into Go value of type network.CreateRequest'],
    ['{"Name": 5}', 'invalid JSON: json: cannot unmarshal number into Go struct field CreateRequest.Name of type string'],
    ['{"Name": "x", "Internal": "yes"}', 'invalid JSON: json: cannot unmarshal string into Go struct field CreateRequest.Internal of type bool'],
    ['{"Name": "x", "IPAM": {"Config": {}}}', 'invalid JSON: json: cannot unmarshal object into Go struct field CreateRequest.IPAM.Config of type []network.IPAMConfig'],
    ['{"Name": "x", "Labels": {"a": 1}}', 'invalid JSON: json: cannot unmarshal number into Go struct field CreateRequest.Labels of type string'],
  ];
  for (const [body, message] of cases) {
    const r = await api.call('POST', '/networks/create', body);
    assert.equal(r.status, 400, body);
    assert.equal(r.json.message, message, body);
  }
  const c = await api.call('POST', '/containers/create', '{"Image": "alpine", "Cmd": 5}');
  assert.equal(c.status, 400);
  assert.equal(c.json.message, 'invalid JSON: json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type strslice.StrSlice');
  assert.equal((await api.call('POST', '/containers/create', '')).json.message, 'invalid JSON: got EOF while reading request body');
  assert.equal((await api.call('POST', '/containers/create', '{}')).json.message, 'config cannot be empty in order to create a container');
  // Nothing was created by the failed requests.
  assert.deepEqual((await api.call('GET', '/networks')).json.map((n: { Name: string }) => n.Name), ['bridge', 'host', 'none']);
});

test('a non-JSON Content-Type with a body is refused; field names match case-insensitively', async () => {
  const api = newApi();
  const r = await api.call('POST', '/networks/create', '{"Name":"n"}', { 'content-type': 'text/plain' });
  assert.equal(r.status, 400);
  assert.equal(r.json.message, "unsupported Content-Type header (text/plain): must be 'application/json'");
  const ok = await api.call('POST', '/networks/create', '{"name":"lower"}');
  assert.equal(ok.status, 201);
  assert.equal((await api.call('GET', '/networks/lower')).json.Name, 'lower');
});

test('bodies over 1 MiB are refused with 413 before parsing', async () => {
  const api = newApi();
  const big = JSON.stringify({ Name: 'big', Labels: { pad: 'x'.repeat(1024 * 1024) } });
  const r = await api.call('POST', '/networks/create', big);
  assert.equal(r.status, 413);
  assert.equal(r.json.message, 'request body too large: the limit is 1048576 bytes');
  assert.equal((await api.call('GET', '/networks/big')).status, 404);
});

test('GET /version: Engine 28.2.2, API 1.50, min 1.24, and an honest platform name', async () => {
  const api = newApi();
  const r = await api.call('GET', '/version');
  assert.equal(r.status, 200);
  const v = r.json;
  assert.deepEqual(Object.keys(v), ['Platform', 'Components', 'Version', 'ApiVersion', 'MinAPIVersion', 'GitCommit', 'GoVersion', 'Os', 'Arch', 'KernelVersion']);
  assert.equal(v.Version, '28.2.2');
  assert.equal(v.ApiVersion, '1.50');
  assert.equal(v.MinAPIVersion, '1.24');
  assert.equal(v.Os, 'linux');
  assert.equal(v.Platform.Name, 'crosstalk 0.1.0-test (Docker Engine API 1.50, simulated data plane)');
  assert.equal(v.Components[0].Name, 'Engine');
  assert.equal(v.Components[0].Details.MinAPIVersion, '1.24');
  assert.deepEqual(v.Components[1], { Name: 'crosstalk', Version: '0.1.0-test', Details: { DataPlane: 'sim', Profile: 'default' } });
  assert.ok(r.text.endsWith('}\n'));
});

test('legacy profile: Engine 26.1.5 speaks API 1.45 and refuses 1.46', async () => {
  const api = newApi({ profile: 'legacy' });
  const ping = await api.call('HEAD', '/_ping');
  assert.equal(ping.headers['Api-Version'], '1.45');
  assert.equal(ping.headers.Server, 'Docker/26.1.5 (linux)');
  assert.equal((await api.call('GET', '/version')).json.Version, '26.1.5');
  const r = await api.call('GET', '/v1.46/networks');
  assert.equal(r.json.message, 'client version 1.46 is too new. Maximum supported API version is 1.45');
});

test('GET /info: counts, driver, swarm inactive, the simulated data plane said plainly', async () => {
  const api = newApi();
  await runDetached(api, 'up', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  await runDetached(api, 'done', { Image: 'alpine', Cmd: ['true'] });
  await api.call('POST', '/containers/create?name=new', { Image: 'busybox' });
  const i = (await api.call('GET', '/info')).json;
  assert.equal(i.Containers, 3);
  assert.equal(i.ContainersRunning, 1);
  assert.equal(i.ContainersPaused, 0);
  assert.equal(i.ContainersStopped, 2);
  assert.equal(i.Images, 7);
  assert.equal(i.Driver, 'crosstalk-sim');
  assert.equal(i.ServerVersion, '28.2.2');
  assert.equal(i.OSType, 'linux');
  assert.equal(i.Name, 'crosstalk-host');
  assert.deepEqual(i.Swarm, { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null });
  assert.deepEqual(i.Crosstalk, { Version: '0.1.0-test', DataPlane: 'sim', Simulated: true, Profile: 'default' });
  assert.match(i.OperatingSystem, /simulated data plane/);
});

function parseEvents(text: string): Array<Record<string, any>> {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

test('GET /events replays since/until with Docker\'s message shape', async () => {
  const api = newApi();
  const t0 = api.clock.now;
  const net = await api.call('POST', '/networks/create', { Name: 'evnet' });
  const id = await runDetached(api, 'e1', { Image: 'alpine', Cmd: ['ash'], Tty: true, OpenStdin: true, HostConfig: { NetworkMode: 'evnet' } });
  await api.call('POST', `/containers/${id}/stop`);
  await api.call('DELETE', `/containers/${id}`);
  await api.call('DELETE', '/networks/evnet');
  const until = api.clock.now / 1_000_000_000n;
  const r = await api.call('GET', `/events?since=${t0 / 1_000_000_000n}&until=${until}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers['Content-Type'], 'application/json');
  const evs = parseEvents(r.text);
  assert.deepEqual(
    evs.map((e) => `${e.Type} ${e.Action}`),
    [
      'network create',
      'container create',
      'network connect',
      'container start',
      'container kill',
      'container kill',
      'container die',
      'network disconnect',
      'container stop',
      'container destroy',
      'network destroy',
    ],
  );
  const start = evs[3];
  assert.deepEqual(Object.keys(start), ['status', 'id', 'from', 'Type', 'Action', 'Actor', 'scope', 'time', 'timeNano']);
  assert.equal(start.id, id);
  assert.equal(start.from, 'alpine');
  assert.deepEqual(start.Actor, { ID: id, Attributes: { image: 'alpine', name: 'e1' } });
  assert.equal(start.scope, 'local');
  const connect = evs[2];
  assert.deepEqual(Object.keys(connect), ['Type', 'Action', 'Actor', 'scope', 'time', 'timeNano']);
  assert.deepEqual(connect.Actor, { ID: net.json.Id, Attributes: { container: id, name: 'evnet', type: 'bridge' } });
  assert.equal(evs[6].Actor.Attributes.exitCode, '137');
  assert.deepEqual([evs[4].Actor.Attributes.signal, evs[5].Actor.Attributes.signal], ['15', '9']);
  // timeNano stays exact beyond double precision.
  assert.match(r.text, new RegExp(`"timeNano":${api.clock.now}`));
});

test('GET /events filters: type, event, container, network, label; bad keys and times are 400', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'fnet', Labels: { team: 'a' } });
  await runDetached(api, 'f1', { Image: 'alpine', Cmd: ['sleep', 'infinity'], Labels: { team: 'a' }, HostConfig: { NetworkMode: 'fnet' } });
  await runDetached(api, 'f2', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const q = async (filters: unknown) => parseEvents((await api.call('GET', `/events?since=0&until=${api.clock.now / 1_000_000_000n}&filters=${encodeURIComponent(JSON.stringify(filters))}`)).text);
  assert.deepEqual((await q({ type: { network: true } })).map((e) => e.Action), ['create', 'connect', 'connect']);
  assert.deepEqual((await q({ event: ['start'] })).map((e) => e.Actor.Attributes.name), ['f1', 'f2']);
  assert.deepEqual((await q({ container: ['f2'] })).map((e) => e.Action), ['create', 'start']);
  assert.deepEqual((await q({ network: ['fnet'] })).map((e) => e.Action), ['create', 'connect']);
  assert.deepEqual((await q({ label: ['team=a'] })).map((e) => `${e.Type} ${e.Action}`), ['container create', 'container start']);
  const bad = await api.call('GET', `/events?filters=${encodeURIComponent('{"nope":["x"]}')}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.message, "invalid filter 'nope'");
  const badTime = await api.call('GET', '/events?since=yesterday');
  assert.equal(badTime.status, 400);
  assert.equal(badTime.json.message, 'failed to parse value as time or duration: "yesterday"');
});

test('GET /events streams live events until the client goes away', async () => {
  const api = newApi();
  const raw = await api.app.handle({ method: 'GET', url: `/v1.50/events?filters=${encodeURIComponent('{"type":["network"],"network":["live1"]}')}`, headers: {}, body: '' });
  assert.equal(raw.kind, 'stream');
  if (raw.kind !== 'stream') return;
  const it = raw.chunks[Symbol.asyncIterator]();
  await api.call('POST', '/networks/create', { Name: 'live1' });
  const first = await it.next();
  assert.equal(JSON.parse(first.value).Actor.Attributes.name, 'live1');
  await runDetached(api, 'quiet', { Image: 'alpine', Cmd: ['sleep', '1d'] }); // its events (container, bridge) are filtered out
  await api.call('DELETE', '/networks/live1');
  const second = await it.next();
  assert.equal(JSON.parse(second.value).Action, 'destroy');
  raw.cancel();
  assert.equal((await it.next()).done, true);
});

test('changes another writer commits to the same store (the embedded CLI) reach waits and event streams', async () => {
  const { EngineHost } = await import('../../src/cli/engine-host.js');
  const { MemoryStore } = await import('../../src/store/store.js');
  const { SeededRandom, SteppingClock } = await import('../../src/core/ports.js');
  const { createApiApp } = await import('../../src/api/app.js');
  const { startAndRun } = await import('../../src/sim/runtime.js');
  const { createContainer, stopContainer } = await import('../../src/engine/containers.js');
  const store = new MemoryStore();
  const mk = (seed: number) => new EngineHost({ store, clock: new SteppingClock(1_750_000_000_000_000_000n), random: new SeededRandom(seed) });
  const daemonHost = mk(1);
  const otherProcess = mk(2);
  const app = createApiApp({ host: daemonHost, pollIntervalMs: 10 });
  // The poll timer does not hold the process open (a daemon's server does): hold it here.
  const keepAlive = setInterval(() => undefined, 50);
  const call = async (method: string, url: string, body?: unknown) => {
    const r = await app.handle({ method, url, headers: {}, body: body === undefined ? '' : JSON.stringify(body) });
    return r;
  };
  const id = otherProcess.write((e) => {
    const c = createContainer(e, { name: 'outside', image: 'alpine', cmd: ['sleep', 'infinity'] });
    startAndRun(e, c.id);
    return c.id;
  });
  const events = await call('GET', '/events');
  const wait = await call('POST', `/containers/${id}/wait`);
  assert.ok(events.kind === 'stream' && wait.kind === 'stream');
  if (events.kind !== 'stream' || wait.kind !== 'stream') return;
  otherProcess.write((e) => e.createNetwork({ name: 'made-elsewhere' }));
  otherProcess.write((e) => stopContainer(e, id, 137));
  let waited = '';
  for await (const c of wait.chunks) waited += c;
  assert.equal(waited, '{"StatusCode":137}\n');
  const it = events.chunks[Symbol.asyncIterator]();
  const seen: string[] = [];
  while (seen.length < 3) {
    const ev = JSON.parse((await it.next()).value);
    seen.push(`${ev.Type} ${ev.Action} ${ev.Actor.Attributes.name}`);
  }
  assert.deepEqual(seen, ['network create made-elsewhere', 'container die outside', 'network disconnect bridge']);
  events.cancel();
  app.close();
  clearInterval(keepAlive);
});

test('a 500 from a known engine outcome is logged by its message; an unexpected error keeps its stack', async () => {
  const store = new MemoryStore();
  const host = new EngineHost({ store, clock: new SteppingClock(1_750_000_000_000_000_000n, 1_000_000_000n), random: new SeededRandom(7), profile: 'default' });
  const logged: Array<Record<string, unknown>> = [];
  let bug = false;
  // A real data plane whose start check says the image cannot run, or throws a plain Error (a
  // bug); its other methods do nothing.
  const checks = {
    checkStartable: () => {
      if (bug) throw new TypeError('cannot read properties of undefined');
      return 'crosstalk: image nginx:latest has no root filesystem on the linux data plane';
    },
    isLive: () => false,
    hasImage: () => true,
  };
  const real = new Proxy(checks, { get: (t, k) => (k in t ? t[k as keyof typeof t] : () => undefined) }) as unknown as RealRuntime;
  const app = createApiApp({ host, real, pollIntervalMs: 0, log: (level, msg, fields) => logged.push({ level, msg, ...fields }) });
  const call = (method: string, url: string, body?: unknown) =>
    app.handle({ method, url, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : '' });
  const created = await call('POST', '/containers/create?name=web', { Image: 'nginx' });
  assert.equal(created.kind === 'plain' && created.status, 201);
  const start = await call('POST', '/containers/web/start');
  assert.equal(start.kind === 'plain' && start.status, 500);
  const known = logged.find((l) => l.msg === 'request failed');
  assert.equal(known?.level, 'error');
  assert.equal(known?.error, 'crosstalk: image nginx:latest has no root filesystem on the linux data plane');
  logged.length = 0;
  bug = true;
  await call('POST', '/containers/web/start');
  assert.match(String(logged.find((l) => l.msg === 'request failed')?.error), /^TypeError: cannot read properties of undefined\n {4}at /);
});
