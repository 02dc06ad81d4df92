/** In-process API: container create/list/inspect/lifecycle/wait/logs/rename/resize. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newApi, runDetached, tick, type TestApi } from './helpers.js';

const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));

/** What `docker run -d --name web --network alpine-net alpine` sends (docker-engine.md §15.6), trimmed. */
function cliBody(overrides: Record<string, unknown> = {}, hostConfig: Record<string, unknown> = {}, endpoints: Record<string, unknown> = {}) {
  return {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, StdinOnce: false,
    Env: null, Cmd: null, Image: 'alpine', Volumes: null, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: {},
    ...overrides,
    HostConfig: { Binds: null, NetworkMode: 'default', PortBindings: {}, AutoRemove: false, Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null, Links: null, ...hostConfig },
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
}

test('create: 201 {Id, Warnings: []}; the name query; default network mode becomes bridge', async () => {
  const api = newApi();
  const r = await api.call('POST', '/v1.50/containers/create?name=web', cliBody({ Cmd: ['sleep', 'infinity'] }, {}, { default: { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null } }));
  assert.equal(r.status, 201);
  assert.deepEqual(Object.keys(r.json), ['Id', 'Warnings']);
  assert.deepEqual(r.json.Warnings, []);
  const c = (await api.call('GET', '/containers/web/json')).json;
  assert.equal(c.Id, r.json.Id);
  assert.equal(c.Name, '/web');
  assert.equal(c.HostConfig.NetworkMode, 'bridge');
  assert.deepEqual(Object.keys(c.NetworkSettings.Networks), ['bridge']);
  assert.equal(c.State.Status, 'created');
  assert.deepEqual(c.Config.Cmd, ['sleep', 'infinity']);
});

test('create: missing image is 404 "No such image: alpine:latest" style; name conflicts 409; bad names 400', async () => {
  const api = newApi();
  const r = await api.call('POST', '/containers/create', cliBody({ Image: 'nosuch' }));
  assert.equal(r.status, 404);
  assert.equal(r.json.message, 'No such image: nosuch:latest');
  await api.call('POST', '/containers/create?name=dup', cliBody());
  const id = (await api.call('GET', '/containers/dup/json')).json.Id;
  const dup = await api.call('POST', '/containers/create?name=dup', cliBody());
  assert.equal(dup.status, 409);
  assert.equal(dup.json.message, `Conflict. The container name "/dup" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`);
  const bad = await api.call('POST', '/containers/create?name=-x', cliBody());
  assert.equal(bad.status, 400);
  assert.equal(bad.json.message, 'Invalid container name (-x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
});

test('create: Config and HostConfig network fields reach the container', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'net1', IPAM: { Config: [{ Subnet: '10.3.0.0/24' }] } });
  await runDetached(api, 'db', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'net1' } });
  const body = cliBody(
    { Hostname: 'h1', Domainname: 'example.test', Env: ['A=1'], Cmd: ['sleep', 'infinity'], Labels: { app: 'x' }, ExposedPorts: { '9000/tcp': {} } },
    { NetworkMode: 'net1', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, Links: ['db:database'], Dns: ['8.8.8.8'], DnsOptions: ['ndots:2'], DnsSearch: ['corp'], ExtraHosts: ['gw:10.0.0.1'] },
    { net1: { IPAMConfig: { IPv4Address: '10.3.0.50' }, Aliases: ['api'], MacAddress: '02:42:0a:03:00:32' } },
  );
  const id = (await api.call('POST', '/containers/create?name=app', body)).json.Id;
  assert.equal((await api.call('POST', `/containers/${id}/start`)).status, 204);
  const c = (await api.call('GET', `/containers/${id}/json`)).json;
  assert.equal(c.Config.Hostname, 'h1');
  assert.equal(c.Config.Domainname, 'example.test');
  assert.ok(c.Config.Env.includes('A=1'));
  assert.deepEqual(c.Config.Labels, { app: 'x' });
  assert.deepEqual(c.HostConfig.Dns, ['8.8.8.8']);
  assert.deepEqual(c.HostConfig.DnsOptions, ['ndots:2']);
  assert.deepEqual(c.HostConfig.DnsSearch, ['corp']);
  assert.deepEqual(c.HostConfig.ExtraHosts, ['gw:10.0.0.1']);
  assert.deepEqual(c.HostConfig.Links, ['/db:/app/database']);
  // HostConfig keeps the request (an ephemeral port is ''); NetworkSettings has what was picked.
  assert.deepEqual(c.HostConfig.PortBindings, { '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }], '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(c.NetworkSettings.Ports['53/udp'], [{ HostIp: '127.0.0.1', HostPort: '32768' }]);
  assert.deepEqual(c.NetworkSettings.Ports['80/tcp'], [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }]);
  assert.equal(c.NetworkSettings.Ports['9000/tcp'], null);
  const ep = c.NetworkSettings.Networks.net1;
  assert.equal(ep.IPAddress, '10.3.0.50');
  assert.equal(ep.MacAddress, '02:42:0a:03:00:32');
  assert.deepEqual(ep.Aliases, ['api']);
  assert.deepEqual(ep.DNSNames, ['app', 'api', id.slice(0, 12), 'h1']);
});

test('create: compose v2 (API 1.44+) attaches every EndpointsConfig network; older APIs allow one', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'front' });
  await api.call('POST', '/networks/create', { Name: 'back' });
  const body = { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'front' }, NetworkingConfig: { EndpointsConfig: { front: { Aliases: ['web'] }, back: { Aliases: ['web'] } } } };
  const id = (await api.call('POST', '/v1.50/containers/create?name=both', body)).json.Id;
  await api.call('POST', `/containers/${id}/start`);
  assert.deepEqual(Object.keys((await api.call('GET', '/containers/both/json')).json.NetworkSettings.Networks), ['back', 'front']);
  const old = await api.call('POST', '/v1.43/containers/create?name=old', body);
  assert.equal(old.status, 400);
  assert.match(old.json.message, /^Container cannot be created with multiple network endpoints: (front, back|back, front)$/);
});

test('create: the deprecated container-wide MacAddress moves to the endpoint with a warning (API 1.44+)', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'm' });
  const r = await api.call('POST', '/containers/create?name=mac', { Image: 'alpine', Cmd: ['sleep', 'infinity'], MacAddress: '02:00:00:00:00:01', HostConfig: { NetworkMode: 'm' } });
  assert.deepEqual(r.json.Warnings, ['The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.']);
  await api.call('POST', '/containers/mac/start');
  assert.equal((await api.call('GET', '/containers/mac/json')).json.NetworkSettings.Networks.m.MacAddress, '02:00:00:00:00:01');
});

test('start 204 then 304; stop 204 then 304; exit codes come from the image', async () => {
  const api = newApi();
  const shell = (await api.call('POST', '/containers/create?name=sh1', { Image: 'alpine', Cmd: ['ash'], Tty: true, OpenStdin: true })).json.Id;
  const web = (await api.call('POST', '/containers/create?name=web', { Image: 'nginx' })).json.Id;
  for (const id of [shell, web]) {
    assert.equal((await api.call('POST', `/containers/${id}/start`)).status, 204);
    const again = await api.call('POST', `/containers/${id}/start`);
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
  }
  assert.equal((await api.call('POST', `/containers/${shell}/stop?t=10`)).status, 204);
  assert.equal((await api.call('POST', `/containers/${web}/stop`)).status, 204);
  assert.equal((await api.call('POST', `/containers/${web}/stop`)).status, 304);
  assert.equal((await api.call('GET', `/containers/${shell}/json`)).json.State.ExitCode, 137);
  assert.equal((await api.call('GET', `/containers/${web}/json`)).json.State.ExitCode, 0);
  const body = await api.call('POST', `/containers/${shell}/start`, '{"Binds": ["/a:/b"]}');
  assert.equal(body.status, 400);
  assert.equal(body.json.message, 'starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24');
});

test('start: network errors surface at start and leave the container created', async () => {
  const api = newApi();
  const id = (await api.call('POST', '/containers/create?name=lost', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'nope' } })).json.Id;
  const r = await api.call('POST', `/containers/${id}/start`);
  assert.equal(r.status, 404);
  assert.equal(r.json.message, 'failed to set up container networking: network nope not found');
  assert.equal((await api.call('GET', `/containers/${id}/json`)).json.State.Status, 'created');
});

test('kill: signals, 409 when not running, invalid signal 400; restart; rename', async () => {
  const api = newApi();
  const id = await runDetached(api, 'k1', { Image: 'nginx' });
  assert.equal((await api.call('POST', '/containers/k1/kill?signal=SIGUSR1')).status, 204);
  assert.equal((await api.call('GET', '/containers/k1/json')).json.State.Running, true);
  assert.equal((await api.call('POST', '/containers/k1/kill?signal=TERM')).status, 204);
  assert.equal((await api.call('GET', '/containers/k1/json')).json.State.ExitCode, 0);
  const notRunning = await api.call('POST', '/containers/k1/kill');
  assert.equal(notRunning.status, 409);
  assert.equal(notRunning.json.message, `cannot kill container: k1: container ${id} is not running`);
  assert.equal((await api.call('POST', '/containers/k1/kill?signal=NOPE')).json.message, 'Invalid signal: NOPE');
  assert.equal((await api.call('POST', '/containers/k1/restart')).status, 204);
  assert.equal((await api.call('GET', '/containers/k1/json')).json.State.Running, true);
  assert.equal((await api.call('POST', '/containers/k1/kill')).status, 204);
  assert.equal((await api.call('GET', '/containers/k1/json')).json.State.ExitCode, 137);

  assert.equal((await api.call('POST', '/containers/k1/rename?name=k2')).status, 204);
  assert.equal((await api.call('GET', '/containers/k1/json')).status, 404);
  assert.equal((await api.call('GET', '/containers/k2/json')).json.Name, '/k2');
  await runDetached(api, 'other', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const taken = await api.call('POST', '/containers/k2/rename?name=other');
  assert.equal(taken.status, 409);
  assert.equal((await api.call('POST', '/containers/k2/rename?name=k2')).json.message, 'Renaming a container with the same name as its current name');
  assert.equal((await api.call('POST', '/containers/k2/rename')).json.message, 'Neither old nor new names may be empty');
});

test('rename keeps DNS working under the new name', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'dn' });
  const id = await runDetached(api, 'before', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'dn' } });
  await api.call('POST', '/containers/before/rename?name=after');
  assert.deepEqual((await api.call('GET', '/containers/after/json')).json.NetworkSettings.Networks.dn.DNSNames, ['after', id.slice(0, 12)]);
});

test('DELETE /containers: 204; running needs force (409); missing 404; link=1 not implemented', async () => {
  const api = newApi();
  const id = await runDetached(api, 'r1', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const running = await api.call('DELETE', '/containers/r1?v=False&link=False&force=False');
  assert.equal(running.status, 409);
  assert.equal(running.json.message, 'cannot remove container "/r1": container is running: stop the container before removing or force remove');
  assert.equal((await api.call('DELETE', '/containers/r1?force=1')).status, 204);
  const gone = await api.call('DELETE', `/containers/${id}`);
  assert.equal(gone.status, 404);
  assert.equal(gone.json.message, `No such container: ${id}`);
  assert.equal((await api.call('DELETE', '/containers/x?link=1')).status, 501);
});

async function waitReply(api: TestApi, url: string) {
  const raw = await api.app.handle({ method: 'POST', url, headers: {}, body: '' });
  return raw;
}

test('wait: headers at once, {"StatusCode":N} at exit; not-running, next-exit, removed', async () => {
  const api = newApi();
  const id = (await api.call('POST', '/containers/create?name=w1', { Image: 'alpine', Cmd: ['sleep', 'infinity'] })).json.Id;
  // not-running on a created container returns at once.
  assert.equal((await api.call('POST', `/containers/${id}/wait`)).text, '{"StatusCode":0}\n');
  const next = await waitReply(api, `/v1.50/containers/${id}/wait?condition=next-exit`);
  const removed = await waitReply(api, `/v1.50/containers/${id}/wait?condition=removed`);
  assert.equal(next.kind, 'stream');
  assert.equal(removed.kind, 'stream');
  if (next.kind !== 'stream' || removed.kind !== 'stream') return;
  assert.equal(next.status, 200);
  assert.equal(next.headers['Content-Type'], 'application/json');
  const got: string[] = [];
  const collect = async (chunks: AsyncIterable<string>, tag: string) => {
    for await (const c of chunks) got.push(`${tag}:${c}`);
  };
  const nextDone = collect(next.chunks, 'next');
  const removedDone = collect(removed.chunks, 'removed');
  await api.call('POST', `/containers/${id}/start`);
  await tick();
  assert.deepEqual(got, []);
  await api.call('POST', `/containers/${id}/kill`);
  await nextDone;
  assert.deepEqual(got, ['next:{"StatusCode":137}\n']);
  await api.call('DELETE', `/containers/${id}`);
  await removedDone;
  assert.deepEqual(got, ['next:{"StatusCode":137}\n', 'removed:{"StatusCode":137}\n']);
  const bad = await api.call('POST', '/containers/x/wait?condition=later');
  assert.equal(bad.json.message, 'invalid condition: "later"');
  assert.equal((await api.call('POST', '/containers/ghost/wait')).status, 404);
});

test('wait: the docker run --rm sequence (wait removed before start) sees a one-shot\'s exit code', async () => {
  const api = newApi();
  const id = (await api.call('POST', '/containers/create', { Image: 'alpine', Cmd: ['sh', '-c', 'exit 3'], HostConfig: { AutoRemove: true } })).json.Id;
  const w = await waitReply(api, `/v1.50/containers/${id}/wait?condition=removed`);
  assert.equal((await api.call('POST', `/containers/${id}/start`)).status, 204);
  if (w.kind !== 'stream') throw new Error('expected a stream');
  let text = '';
  for await (const c of w.chunks) text += c;
  assert.equal(text, '{"StatusCode":3}\n');
  assert.equal((await api.call('GET', `/containers/${id}/json`)).status, 404);
});

test('wait: a cancelled wait is dropped', async () => {
  const api = newApi();
  const id = await runDetached(api, 'cw', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const w = await waitReply(api, `/containers/${id}/wait?condition=next-exit`);
  if (w.kind !== 'stream') throw new Error('expected a stream');
  w.cancel();
  const it = w.chunks[Symbol.asyncIterator]();
  assert.equal((await it.next()).done, true);
  assert.equal((await api.call('POST', `/containers/${id}/stop`)).status, 204);
});

test('GET /containers/json: Docker\'s list shape, newest first, running only unless all', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'ln' });
  await runDetached(api, 'db', { Image: 'redis', HostConfig: { NetworkMode: 'ln' } });
  const web = await runDetached(api, 'web', { Image: 'nginx', Labels: { 'com.docker.compose.project': 'proj', 'com.docker.compose.oneoff': 'False' }, HostConfig: { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostPort: '8080' }] } } });
  await api.call('POST', '/containers/create?name=idle', { Image: 'alpine' });
  const running = (await api.call('GET', '/v1.50/containers/json')).json;
  assert.deepEqual(running.map((c: { Names: string[] }) => c.Names), [['/web'], ['/db']]);
  const w = running[0];
  assert.deepEqual(Object.keys(w), ['Id', 'Names', 'Image', 'ImageID', 'Command', 'Created', 'Ports', 'Labels', 'State', 'Status', 'HostConfig', 'NetworkSettings', 'Mounts']);
  assert.equal(w.Id, web);
  assert.equal(w.Image, 'nginx');
  assert.match(w.ImageID, /^sha256:[0-9a-f]{64}$/);
  assert.equal(w.Command, "/docker-entrypoint.sh nginx -g 'daemon off;'");
  assert.equal(typeof w.Created, 'number');
  assert.deepEqual(w.Ports, [
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
  ]);
  assert.equal(w.State, 'running');
  assert.match(w.Status, /^Up /);
  assert.deepEqual(w.HostConfig, { NetworkMode: 'bridge' });
  assert.equal(w.NetworkSettings.Networks.bridge.IPAddress, '172.17.0.2');
  assert.deepEqual(w.Mounts, []);
  assert.deepEqual(running[1].Ports, [{ PrivatePort: 6379, Type: 'tcp' }]);
  const all = (await api.call('GET', '/containers/json?all=1')).json;
  assert.equal(all.length, 3);
  assert.equal(all[0].Status, 'Created');
  // docker-py spellings: all=True / False, limit=-1, list-form label filters with + spaces.
  assert.equal((await api.call('GET', '/containers/json?all=True')).json.length, 3);
  assert.equal((await api.call('GET', '/containers/json?all=False')).json.length, 2);
  const compose = await api.call('GET', `/containers/json?limit=-1&all=0&size=0&trunc_cmd=0&filters=${'%7B%22label%22%3A+%5B%22com.docker.compose.project%3Dproj%22%2C+%22com.docker.compose.oneoff%3DFalse%22%5D%7D'}`);
  assert.deepEqual(compose.json.map((c: { Id: string }) => c.Id), [web]);
  assert.equal((await api.call('GET', '/containers/json?limit=1')).json[0].Names[0], '/idle');
});

test('GET /containers/json filters: status, name, id, network, ancestor, exited, publish; errors', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'fn' });
  const a = await runDetached(api, 'alpha', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'fn' } });
  await runDetached(api, 'beta', { Image: 'busybox', Cmd: ['sh', '-c', 'exit 2'] });
  const q = async (f: unknown, extra = '') => ((await api.call('GET', `/containers/json?filters=${enc(f)}${extra}`)).json as Array<{ Names: string[] }>).map((c) => c.Names[0]);
  assert.deepEqual(await q({ status: ['exited'] }), ['/beta']);
  assert.deepEqual(await q({ name: ['alp'] }), ['/alpha']);
  assert.deepEqual(await q({ name: ['^/beta$'] }, '&all=1'), ['/beta']);
  assert.deepEqual(await q({ id: [a.slice(0, 8)] }), ['/alpha']);
  assert.deepEqual(await q({ network: ['fn'] }), ['/alpha']);
  assert.deepEqual(await q({ ancestor: ['busybox'] }, '&all=1'), ['/beta']);
  assert.deepEqual(await q({ exited: ['2'] }, '&all=1'), ['/beta']);
  assert.deepEqual(await q({ exited: ['0'] }, '&all=1'), []);
  const bad = await api.call('GET', `/containers/json?filters=${enc({ status: ['sleeping'] })}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.message, "invalid filter 'status=sleeping'");
  assert.equal((await api.call('GET', `/containers/json?filters=${enc({ colour: ['x'] })}`)).json.message, "invalid filter 'colour'");
});

test('inspect: Aliases are the user\'s from API 1.45; short ID and hostname re-added before', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'al' });
  const id = await runDetached(api, 'al1', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'al' }, NetworkingConfig: { EndpointsConfig: { al: { Aliases: ['svc'] } } } });
  assert.deepEqual((await api.call('GET', '/v1.50/containers/al1/json')).json.NetworkSettings.Networks.al.Aliases, ['svc']);
  assert.deepEqual((await api.call('GET', '/v1.44/containers/al1/json')).json.NetworkSettings.Networks.al.Aliases, ['svc', id.slice(0, 12)]);
  const missing = await api.call('GET', '/containers/nope/json');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.message, 'No such container: nope');
});

test('inspect: Image is the image\'s ID, whatever tag spelled it', async () => {
  const api = newApi();
  await runDetached(api, 'i1', { Image: 'alpine', Cmd: ['true'] });
  await runDetached(api, 'i2', { Image: 'alpine:latest', Cmd: ['true'] });
  const img = (await api.call('GET', '/images/alpine/json')).json.Id;
  assert.equal((await api.call('GET', '/containers/i1/json')).json.Image, img);
  assert.equal((await api.call('GET', '/containers/i2/json')).json.Image, img);
});

function frames(bytes: Uint8Array): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  const b = Buffer.from(bytes);
  for (let i = 0; i < b.length; ) {
    const len = b.readUInt32BE(i + 4);
    out.push([b[i], b.subarray(i + 8, i + 8 + len).toString('utf8')]);
    i += 8 + len;
  }
  return out;
}

test('logs: multiplexed frames per line without a TTY, raw with one; tail; a stream is required', async () => {
  const api = newApi();
  await runDetached(api, 'l1', { Image: 'alpine', Cmd: ['sh', '-c', 'echo one; echo twö; echo three'] });
  const r = await api.call('GET', '/v1.50/containers/l1/logs?stdout=1&stderr=1');
  assert.equal(r.status, 200);
  assert.equal(r.headers['Content-Type'], 'application/vnd.docker.multiplexed-stream');
  if (r.raw.kind !== 'plain' || !r.raw.bytes) throw new Error('expected bytes');
  assert.deepEqual(frames(r.raw.bytes), [[1, 'one\n'], [1, 'twö\n'], [1, 'three\n']]);
  assert.equal(r.raw.body, 'one\ntwö\nthree\n');
  const tail = await api.call('GET', '/containers/l1/logs?stdout=1&tail=1');
  if (tail.raw.kind !== 'plain' || !tail.raw.bytes) throw new Error('expected bytes');
  assert.deepEqual(frames(tail.raw.bytes), [[1, 'three\n']]);
  const old = await api.call('GET', '/v1.41/containers/l1/logs?stdout=1');
  assert.equal(old.headers['Content-Type'], 'application/vnd.docker.raw-stream');
  await runDetached(api, 'l2', { Image: 'alpine', Cmd: ['echo', 'tty'], Tty: true });
  const tty = await api.call('GET', '/containers/l2/logs?stdout=1');
  assert.equal(tty.headers['Content-Type'], 'application/vnd.docker.raw-stream');
  if (tty.raw.kind !== 'plain' || !tty.raw.bytes) throw new Error('expected bytes');
  assert.equal(Buffer.from(tty.raw.bytes).toString('utf8'), 'tty\n');
  const none = await api.call('GET', '/containers/l1/logs');
  assert.equal(none.status, 400);
  assert.equal(none.json.message, 'Bad parameters: you must choose at least one stream');
});

test('resize: 200 on a running container, 409 when stopped, 400 on bad sizes', async () => {
  const api = newApi();
  const id = await runDetached(api, 'rz', { Image: 'alpine', Cmd: ['ash'], Tty: true, OpenStdin: true });
  const ok = await api.call('POST', `/containers/${id}/resize?h=24&w=80`);
  assert.equal(ok.status, 200);
  assert.equal(ok.text, '');
  assert.equal((await api.call('POST', `/containers/${id}/resize?h=x&w=80`)).json.message, 'strconv.Atoi: parsing "x": invalid syntax');
  await api.call('POST', `/containers/${id}/stop`);
  const stopped = await api.call('POST', `/containers/${id}/resize?h=24&w=80`);
  assert.equal(stopped.status, 409);
  assert.equal(stopped.json.message, `container ${id} is not running`);
});

test('POST /containers/prune: stopped containers go, running ones and label-excluded ones stay', async () => {
  const api = newApi();
  const up = await runDetached(api, 'up1', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const done = await runDetached(api, 'done1', { Image: 'alpine', Cmd: ['true'] });
  const created = (await api.call('POST', '/containers/create?name=new1', { Image: 'alpine', Labels: { keep: '1' } })).json.Id;
  const r = await api.call('POST', `/containers/prune?filters=${enc({ 'label!': ['keep'] })}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ContainersDeleted: [done], SpaceReclaimed: 0 });
  assert.deepEqual((await api.call('POST', '/containers/prune')).json, { ContainersDeleted: [created], SpaceReclaimed: 0 });
  assert.deepEqual((await api.call('POST', '/containers/prune')).json, { ContainersDeleted: null, SpaceReclaimed: 0 });
  assert.equal((await api.call('GET', `/containers/${up}/json`)).json.State.Running, true);
});

test('User and WorkingDir: kept in Config; a relative WorkingDir is refused before anything else; the simulator\'s pwd and whoami follow them', async () => {
  const api = newApi();
  const before = (await api.call('GET', '/containers/json?all=1')).json.length;
  for (const image of ['alpine', 'nosuch']) {
    const rel = await api.call('POST', '/containers/create?name=rel', cliBody({ Image: image, WorkingDir: 'tmp' }));
    assert.equal(rel.status, 400, 'checked before the image is looked up, as Docker does');
    assert.equal(rel.json.message, "the working directory 'tmp' is invalid, it needs to be an absolute path");
  }
  assert.equal((await api.call('GET', '/containers/json?all=1')).json.length, before);
  await runDetached(api, 'u1', { Image: 'alpine', Cmd: ['sh', '-c', 'pwd; whoami'], User: 'nobody', WorkingDir: '/srv' });
  const c = (await api.call('GET', '/containers/u1/json')).json;
  assert.equal(c.Config.User, 'nobody');
  assert.equal(c.Config.WorkingDir, '/srv');
  const logs = await api.call('GET', '/containers/u1/logs?stdout=1');
  assert.equal(logs.raw.kind === 'plain' && logs.raw.bytes ? frames(logs.raw.bytes).map((f) => f[1]).join('') : '', '/srv\nnobody\n');
  await runDetached(api, 'u2', { Image: 'alpine', Cmd: ['whoami'], User: '4242' });
  // (The simulator's logs do not keep stdout and stderr apart.)
  const err = await api.call('GET', '/containers/u2/logs?stdout=1&stderr=1');
  assert.equal(err.raw.kind === 'plain' ? err.raw.body : '', 'whoami: unknown uid 4242\n', 'what busybox says on the real plane');
  const plain = (await api.call('GET', '/containers/u2/json')).json;
  assert.equal(plain.State.ExitCode, 1);
  await runDetached(api, 'u3', { Image: 'alpine', Cmd: ['sh', '-c', 'pwd; whoami'] });
  const c3 = (await api.call('GET', '/containers/u3/json')).json;
  assert.deepEqual([c3.Config.User, c3.Config.WorkingDir], ['', '']);
  // Names are looked up in the image's own passwd and group, as Docker's daemon does at start.
  await runDetached(api, 'u4', { Image: 'busybox', Cmd: ['whoami'], User: '33' });
  const named = await api.call('GET', '/containers/u4/logs?stdout=1');
  assert.equal(named.raw.kind === 'plain' && named.raw.bytes ? frames(named.raw.bytes).map((f) => f[1]).join('') : '', 'www-data\n');
  const ghost = await api.call('POST', '/v1.50/containers/create?name=ghost', cliBody({ Image: 'alpine', Cmd: ['true'], User: 'ghost' }));
  assert.equal(ghost.status, 201, 'the user is not checked at create');
  const start = await api.call('POST', '/v1.50/containers/ghost/start');
  assert.equal(start.status, 500);
  assert.equal(start.json.message, 'unable to find user ghost: no matching entries in passwd file');
  assert.equal((await api.call('GET', '/containers/ghost/json')).json.State.Status, 'created');
  const group = await api.call('POST', '/v1.50/containers/create?name=nogrp', cliBody({ Image: 'alpine', Cmd: ['true'], User: 'nobody:ghosts' }, { AutoRemove: true }));
  assert.equal(group.status, 201);
  const gstart = await api.call('POST', '/v1.50/containers/nogrp/start');
  assert.equal(gstart.json.message, 'unable to find group ghosts: no matching entries in group file');
  assert.equal((await api.call('GET', '/containers/nogrp/json')).status, 404, 'an --rm container whose start failed is removed');
});

test('restart policies: Docker\'s validation texts; on-failure:N restarts a failing container N times, always until stopped; stop and kill are final', async () => {
  const api = newApi();
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ RestartPolicy: { Name: 'bogus' } }, "invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
    [{ RestartPolicy: { Name: 'always', MaximumRetryCount: 3 } }, "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
    [{ RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: -1 } }, "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative"],
    [{ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: -2 } }, 'invalid restart policy: maximum retry count cannot be negative'],
    [{ RestartPolicy: { Name: 'always' }, AutoRemove: true }, "can't create 'AutoRemove' container with restart policy"],
  ];
  const before = (await api.call('GET', '/containers/json?all=1')).json.length;
  for (const [hc, text] of bad) {
    const r = await api.call('POST', '/v1.50/containers/create', cliBody({ Cmd: ['true'] }, hc));
    assert.deepEqual([r.status, r.json.message], [400, text]);
  }
  assert.equal((await api.call('GET', '/containers/json?all=1')).json.length, before, 'nothing was created');
  const waitFor = async (name: string, count: number) => {
    for (let i = 0; i < 100; i++) {
      const c = (await api.call('GET', `/containers/${name}/json`)).json;
      if (c.RestartCount >= count && !c.State.Running) return c;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${name} did not reach ${count} restarts`);
  };
  await api.call('POST', '/v1.50/containers/create?name=flaky', cliBody({ Cmd: ['sh', '-c', 'echo try; exit 3'] }, { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } }));
  await api.call('POST', '/v1.50/containers/flaky/start');
  const flaky = await waitFor('flaky', 2);
  assert.deepEqual(flaky.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
  assert.deepEqual([flaky.State.Status, flaky.State.ExitCode], ['exited', 3]);
  await new Promise((r) => setTimeout(r, 500)); // the third delay (400 ms) has passed: no more than N restarts
  assert.equal((await api.call('GET', '/containers/flaky/json')).json.RestartCount, 2);
  const logs = await api.call('GET', '/containers/flaky/logs?stdout=1');
  assert.equal(logs.raw.kind === 'plain' && logs.raw.bytes ? frames(logs.raw.bytes).map((f) => f[1]).join('') : '', 'try\ntry\ntry\n');
  // on-failure leaves a clean exit alone.
  await runDetached(api, 'clean', { ...cliBody({ Cmd: ['true'] }, { RestartPolicy: { Name: 'on-failure' } }) });
  await new Promise((r) => setTimeout(r, 250));
  assert.equal((await api.call('GET', '/containers/clean/json')).json.RestartCount, 0);
  // always restarts a clean exit too, until `docker stop` calls the pending restart off.
  await runDetached(api, 'loop', cliBody({ Cmd: ['true'] }, { RestartPolicy: { Name: 'always' } }));
  await waitFor('loop', 1);
  assert.equal((await api.call('POST', '/containers/loop/stop')).status, 204);
  const stopped = (await api.call('GET', '/containers/loop/json')).json.RestartCount;
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await api.call('GET', '/containers/loop/json')).json.RestartCount, stopped, 'stopped by hand: no more restarts');
  // A kill during the backoff calls the restart off too (moby counts that container as running).
  await runDetached(api, 'crashy', cliBody({ Cmd: ['sh', '-c', 'exit 4'] }, { RestartPolicy: { Name: 'always' } }));
  await waitFor('crashy', 2);
  assert.equal((await api.call('POST', '/containers/crashy/kill')).status, 204);
  const killedAt = (await api.call('GET', '/containers/crashy/json')).json.RestartCount;
  await new Promise((r) => setTimeout(r, 900));
  assert.equal((await api.call('GET', '/containers/crashy/json')).json.RestartCount, killedAt);
  // A start by hand begins a new count, as moby's containerStart resets the restart manager.
  await api.call('POST', '/containers/crashy/start');
  assert.equal((await api.call('GET', '/containers/crashy/json')).json.RestartCount, 0);
  await api.call('POST', '/containers/crashy/stop');
  // A kill is final too, even for always; a start by hand re-arms the policy.
  await runDetached(api, 'svc', cliBody({ Cmd: ['sleep', '1d'] }, { RestartPolicy: { Name: 'always' } }));
  assert.equal((await api.call('POST', '/containers/svc/kill')).status, 204);
  await new Promise((r) => setTimeout(r, 250));
  const killed = (await api.call('GET', '/containers/svc/json')).json;
  assert.deepEqual([killed.State.Status, killed.RestartCount], ['exited', 0]);
});

test('--init (HostConfig.Init) is kept and shown; under docker-init a shell stops with SIGTERM (143) instead of being killed (137)', async () => {
  const api = newApi();
  await runDetached(api, 'plain', cliBody({ Cmd: ['sleep', '1d'] }));
  await runDetached(api, 'tini', cliBody({ Cmd: ['sleep', '1d'] }, { Init: true }));
  assert.equal((await api.call('GET', '/containers/plain/json')).json.HostConfig.Init, undefined, 'omitted when not given, as Docker omits a nil *bool');
  assert.equal((await api.call('GET', '/containers/tini/json')).json.HostConfig.Init, true);
  for (const name of ['plain', 'tini']) await api.call('POST', `/containers/${name}/stop`);
  assert.equal((await api.call('GET', '/containers/plain/json')).json.State.ExitCode, 137);
  assert.equal((await api.call('GET', '/containers/tini/json')).json.State.ExitCode, 143);
});
