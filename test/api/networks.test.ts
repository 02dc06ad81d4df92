/** In-process API: network list/inspect/create/connect/disconnect/delete/prune, incl. docker-py and compose v1 forms. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newApi, runDetached } from './helpers.js';

const names = (list: Array<{ Name: string }>) => list.map((n) => n.Name);
const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));

test('POST /networks/create: 201 {Id, Warning}, the CLI body, Docker\'s JSON for the result', async () => {
  const api = newApi();
  const body = { Driver: 'bridge', Scope: '', IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.5.0.0/16', Gateway: '10.5.0.254', AuxiliaryAddresses: { r: '10.5.0.2' } }] }, Internal: false, Attachable: false, Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: {}, Labels: { a: '1' }, Name: 'n1' };
  const r = await api.call('POST', '/v1.50/networks/create', body);
  assert.equal(r.status, 201);
  assert.deepEqual(Object.keys(r.json), ['Id', 'Warning']);
  assert.match(r.json.Id, /^[0-9a-f]{64}$/);
  assert.equal(r.json.Warning, '');
  const n = (await api.call('GET', '/v1.50/networks/n1')).json;
  assert.deepEqual(Object.keys(n), ['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels']);
  assert.equal(n.Id, r.json.Id);
  assert.deepEqual(n.IPAM, { Driver: 'default', Options: {}, Config: [{ Subnet: '10.5.0.0/16', Gateway: '10.5.0.254', AuxiliaryAddresses: { r: '10.5.0.2' } }] });
  assert.deepEqual(n.Labels, { a: '1' });
});

test('compose v1 body: no Driver, nulls in IPAM.Config, CheckDuplicate; duplicates are 409 anyway', async () => {
  const api = newApi();
  const body = { Name: 'proj_back', IPAM: { Driver: 'default', Config: [{ Subnet: '172.30.0.0/16', IPRange: null, Gateway: null, AuxiliaryAddresses: null }] }, CheckDuplicate: true, Labels: { 'com.docker.compose.project': 'proj', 'com.docker.compose.network': 'back', 'com.docker.compose.version': '1.29.2' }, Attachable: true };
  assert.equal((await api.call('POST', '/v1.50/networks/create', body)).status, 201);
  const n = (await api.call('GET', '/networks/proj_back')).json;
  assert.equal(n.Driver, 'bridge');
  assert.equal(n.Attachable, true);
  assert.deepEqual(n.IPAM, { Driver: 'default', Options: null, Config: [{ Subnet: '172.30.0.0/16' }] });
  const front = await api.call('POST', '/networks/create', { Name: 'proj_front', CheckDuplicate: true, Labels: {}, Attachable: true });
  assert.equal(front.status, 201);
  assert.deepEqual((await api.call('GET', '/networks/proj_front')).json.IPAM, { Driver: 'default', Options: null, Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] });
  const dup = await api.call('POST', '/networks/create', body);
  assert.equal(dup.status, 409);
  assert.equal(dup.json.message, 'network with name proj_back already exists');
});

test('create errors: predefined names 403 (trailing space), empty name 400, unknown driver 404, overlap 403', async () => {
  const api = newApi();
  for (const name of ['bridge', 'host', 'none', 'default']) {
    const r = await api.call('POST', '/networks/create', { Name: name });
    assert.equal(r.status, 403);
    assert.equal(r.json.message, `operation is not permitted on predefined ${name} network `);
  }
  const empty = await api.call('POST', '/networks/create', { Driver: 'bridge' });
  assert.equal(empty.status, 400);
  assert.equal(empty.json.message, 'invalid name: name is empty');
  const plugin = await api.call('POST', '/networks/create', { Name: 'w', Driver: 'weave' });
  assert.equal(plugin.status, 404);
  assert.equal(plugin.json.message, 'plugin "weave" not found');
  await api.call('POST', '/networks/create', { Name: 'a', IPAM: { Config: [{ Subnet: '10.9.0.0/16' }] } });
  const overlap = await api.call('POST', '/networks/create', { Name: 'b', IPAM: { Config: [{ Subnet: '10.9.1.0/24' }] } });
  assert.equal(overlap.status, 403);
  assert.equal(overlap.json.message, 'invalid pool request: Pool overlaps with other one on this address space');
  const cfgOnly = await api.call('POST', '/networks/create', { Name: 'c', ConfigOnly: true });
  assert.equal(cfgOnly.status, 501);
});

test('EnableIPv4 is honoured from API 1.48 and ignored before', async () => {
  const api = newApi();
  await api.call('POST', '/v1.50/networks/create', { Name: 'v6only', EnableIPv4: false, EnableIPv6: true });
  await api.call('POST', '/v1.47/networks/create', { Name: 'old', EnableIPv4: false });
  assert.equal((await api.call('GET', '/networks/v6only')).json.EnableIPv4, false);
  assert.equal((await api.call('GET', '/networks/old')).json.EnableIPv4, true);
});

test('GET /networks: creation order, Containers {} from API 1.28, detailed before', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'net-2' });
  const id = await runDetached(api, 'c1', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'net-2' } });
  const list = (await api.call('GET', '/v1.50/networks')).json;
  assert.deepEqual(names(list), ['bridge', 'host', 'none', 'net-2']);
  assert.deepEqual(list[3].Containers, {});
  const old = (await api.call('GET', '/v1.27/networks')).json;
  assert.deepEqual(Object.keys(old[3].Containers), [id]);
  assert.equal(old[3].Containers[id].Name, 'c1');
});

test('GET /networks filters: map and list encodings, + for spaces, regexps, label, type, dangling', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'front end', Labels: { tier: 'web', 'com.docker.compose.project': 'proj' } });
  await api.call('POST', '/networks/create', { Name: 'backend', Labels: { tier: 'db' } });
  await runDetached(api, 'db', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'backend' } });
  const q = async (raw: string) => {
    const r = await api.call('GET', `/networks?filters=${raw}`);
    assert.equal(r.status, 200, raw);
    return names(r.json);
  };
  assert.deepEqual(await q(enc({ driver: { bridge: true } })), ['bridge', 'front end', 'backend']);
  assert.deepEqual(await q(enc({ driver: ['null'] })), ['none']);
  assert.deepEqual(await q(enc({ name: { dge: true } })), ['bridge']);
  assert.deepEqual(await q(enc({ type: ['custom'] })), ['front end', 'backend']);
  assert.deepEqual(await q(enc({ type: { builtin: true } })), ['bridge', 'host', 'none']);
  assert.deepEqual(await q(enc({ label: ['tier=db'] })), ['backend']);
  assert.deepEqual(await q(enc({ label: { tier: true }, name: ['end'] })), ['front end', 'backend']);
  assert.deepEqual(await q(enc({ dangling: ['true'] })), ['front end']);
  assert.deepEqual(await q(enc({ dangling: ['0'] })), ['bridge', 'host', 'none', 'backend']);
  // docker-py: Python spacing and `+` for spaces in the query string.
  assert.deepEqual(await q('%7B%22label%22%3A+%5B%22com.docker.compose.project%3Dproj%22%5D%7D'), ['front end']);
  assert.deepEqual(await q('{"name":+["front+end"]}'), ['front end']);
  const id = (await api.call('GET', '/networks/backend')).json.Id;
  assert.deepEqual(await q(enc({ id: [id.slice(0, 5)] })), ['backend']);
  const bad = await api.call('GET', `/networks?filters=${enc({ colour: ['red'] })}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.message, "invalid filter 'colour'");
  const badType = await api.call('GET', `/networks?filters=${enc({ type: ['other'] })}`);
  assert.equal(badType.json.message, "invalid filter: 'type'='other'");
  const badJson = await api.call('GET', '/networks?filters={oops');
  assert.equal(badJson.status, 400);
  assert.equal(badJson.json.message, "invalid character 'o' looking for beginning of object key string");
  const badValue = await api.call('GET', `/networks?filters=${enc({ name: 'x' })}`);
  assert.equal(badValue.json.message, 'json: cannot unmarshal string into Go value of type map[string]bool');
});

test('GET /networks/{id}: by name, ID, prefix; scope; verbose; not found and ambiguous', async () => {
  const api = newApi();
  const { Id } = (await api.call('POST', '/networks/create', { Name: 'inspect-me' })).json;
  for (const ref of ['inspect-me', Id, Id.slice(0, 6)]) assert.equal((await api.call('GET', `/networks/${ref}`)).json.Id, Id, ref);
  assert.equal((await api.call('GET', `/networks/inspect-me?verbose=true&scope=local`)).json.Name, 'inspect-me');
  const scoped = await api.call('GET', '/networks/inspect-me?scope=swarm');
  assert.equal(scoped.status, 404);
  assert.equal(scoped.json.message, 'network inspect-me not found');
  const missing = await api.call('GET', '/networks/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.message, 'network nope not found');
  const all = (await api.call('GET', '/networks')).json.map((n: { Id: string }) => n.Id) as string[];
  const shared = [...new Set(all.map((i) => i[0]))].find((ch) => all.filter((i) => i.startsWith(ch)).length > 1);
  if (shared) {
    const amb = await api.call('GET', `/networks/${shared}`);
    assert.equal(amb.status, 400);
    assert.match(amb.json.message, new RegExp(`^network ${shared} is ambiguous \\(\\d+ matches found based on ID prefix\\)$`));
  }
});

test('connect and disconnect: running and created containers, aliases, IP, errors; disconnect without Force', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'app', IPAM: { Config: [{ Subnet: '10.7.0.0/24' }] } });
  const id = await runDetached(api, 'web', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const body = { Container: 'web', EndpointConfig: { IPAMConfig: { IPv4Address: '10.7.0.9' }, Links: null, Aliases: ['www'], MacAddress: '', DriverOpts: {}, GwPriority: 5, NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null } };
  const c = await api.call('POST', '/v1.50/networks/app/connect', body);
  assert.equal(c.status, 200);
  assert.equal(c.text, '');
  const ep = (await api.call('GET', '/containers/web/json')).json.NetworkSettings.Networks.app;
  assert.equal(ep.IPAddress, '10.7.0.9');
  assert.deepEqual(ep.Aliases, ['www']);
  assert.deepEqual(ep.IPAMConfig, { IPv4Address: '10.7.0.9' });
  assert.equal(ep.GwPriority, 5);
  assert.deepEqual(ep.DNSNames, ['web', 'www', id.slice(0, 12)]);
  const again = await api.call('POST', '/networks/app/connect', { Container: 'web' });
  assert.equal(again.status, 403);
  assert.equal(again.json.message, 'endpoint with name web already exists in network app');
  const alias = await api.call('POST', '/networks/bridge/connect', { Container: 'web', EndpointConfig: { Aliases: ['x'] } });
  assert.equal(alias.json.message, 'endpoint with name web already exists in network bridge');
  const host = await api.call('POST', '/networks/host/connect', { Container: 'web' });
  assert.equal(host.status, 403);
  assert.equal(host.json.message, 'cannot connect container to host network - container must be created in host network mode');
  const noCtr = await api.call('POST', '/networks/app/connect', { Container: 'ghost' });
  assert.equal(noCtr.status, 404);
  assert.equal(noCtr.json.message, 'No such container: ghost');
  // compose v1 disconnects without a Force key
  const d = await api.call('POST', '/networks/app/disconnect', { Container: id });
  assert.equal(d.status, 200);
  assert.equal((await api.call('GET', '/containers/web/json')).json.NetworkSettings.Networks.app, undefined);
  const notConnected = await api.call('POST', '/networks/app/disconnect', { Container: 'web' });
  assert.equal(notConnected.status, 403);
  assert.equal(notConnected.json.message, `container ${id} is not connected to network app`);
  // A created container: connect before start is stored and joins at start.
  const created = (await api.call('POST', '/containers/create?name=later', { Image: 'alpine', Cmd: ['sleep', 'infinity'] })).json.Id;
  assert.equal((await api.call('POST', '/networks/app/connect', { Container: 'later', EndpointConfig: { Aliases: ['l8r'] } })).status, 200);
  assert.equal((await api.call('GET', '/containers/later/json')).json.NetworkSettings.Networks.app.IPAddress, '');
  await api.call('POST', `/containers/${created}/start`);
  assert.equal((await api.call('GET', '/containers/later/json')).json.NetworkSettings.Networks.app.IPAddress, '10.7.0.2');
});

test('DELETE /networks/{id}: 204, predefined 403, in use 403 with endpoints, missing 404', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'gone' });
  const del = await api.call('DELETE', '/networks/gone');
  assert.equal(del.status, 204);
  assert.equal(del.text, '');
  assert.equal((await api.call('DELETE', '/networks/gone')).json.message, 'network gone not found');
  const pre = await api.call('DELETE', '/networks/bridge');
  assert.equal(pre.status, 403);
  assert.equal(pre.json.message, 'bridge is a pre-defined network and cannot be removed');
  assert.equal((await api.call('DELETE', '/networks/default')).json.message, 'network default not found');
  await api.call('POST', '/networks/create', { Name: 'busy' });
  await runDetached(api, 'user', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'busy' } });
  const busy = await api.call('DELETE', '/networks/busy');
  assert.equal(busy.status, 403);
  const epId = (await api.call('GET', '/containers/user/json')).json.NetworkSettings.Networks.busy.EndpointID as string;
  assert.equal(busy.json.message, `error while removing network: network busy has active endpoints (name:"user" id:"${epId.slice(0, 12)}")`);
});

test('POST /networks/prune: unused custom networks, label filters, until; null when nothing went', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'keep', Labels: { keep: 'yes' } });
  await api.call('POST', '/networks/create', { Name: 'p1' });
  await api.call('POST', '/networks/create', { Name: 'p2' });
  await api.call('POST', '/networks/create', { Name: 'used' });
  await runDetached(api, 'u1', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'used' } });
  const r = await api.call('POST', `/networks/prune?filters=${enc({ 'label!': ['keep=yes'] })}`);
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"NetworksDeleted":["p1","p2"]}\n');
  const none = await api.call('POST', '/networks/prune');
  assert.equal(none.text, '{"NetworksDeleted":["keep"]}\n');
  assert.equal((await api.call('POST', '/networks/prune')).text, '{"NetworksDeleted":null}\n');
  const two = await api.call('POST', `/networks/prune?filters=${enc({ until: ['1h', '2h'] })}`);
  assert.equal(two.status, 400);
  assert.equal(two.json.message, 'more than one until filter specified');
  assert.equal((await api.call('POST', `/networks/prune?filters=${enc({ driver: ['bridge'] })}`)).json.message, "invalid filter 'driver'");
  assert.deepEqual(names((await api.call('GET', '/networks')).json), ['bridge', 'host', 'none', 'used']);
});

test('label filters: every value must match (filters.MatchKVList), in lists and in events', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'lf1', Labels: { tier: 'front', owner: 'me' } });
  await api.call('POST', '/networks/create', { Name: 'lf2', Labels: { tier: 'back', owner: 'me' } });
  assert.deepEqual(names((await api.call('GET', `/networks?filters=${enc({ label: ['owner=me', 'tier=front'] })}`)).json), ['lf1']);
  assert.deepEqual(names((await api.call('GET', `/networks?filters=${enc({ label: ['tier=front', 'tier=back'] })}`)).json), []);
  await runDetached(api, 'p1', { Image: 'alpine', Cmd: ['sleep', '1d'], Labels: { 'com.docker.compose.project': 'proj', 'com.docker.compose.service': 'db' } });
  await runDetached(api, 'p2', { Image: 'alpine', Cmd: ['sleep', '1d'], Labels: { 'com.docker.compose.project': 'proj', 'com.docker.compose.service': 'web' } });
  const web = (await api.call('GET', `/containers/json?all=1&filters=${enc({ label: ['com.docker.compose.project=proj', 'com.docker.compose.service=web'] })}`)).json;
  assert.deepEqual(web.map((c: { Names: string[] }) => c.Names[0]), ['/p2']);
  const evs = (await api.call('GET', `/events?since=0&until=${api.clock.now / 1_000_000_000n}&filters=${enc({ label: ['com.docker.compose.project=proj', 'com.docker.compose.service=db'] })}`)).text;
  assert.deepEqual(evs.trim().split('\n').map((l) => JSON.parse(l).Actor.Attributes.name), ['p1', 'p1']);
});
