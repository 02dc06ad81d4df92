/** Engine rules: predefined networks, IDs, lookup precedence, errors, endpoints, MACs, gateway order, rollback. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom, SteppingClock } from '../src/core/ports.js';
import { EngineError } from '../src/core/errors.js';
import { advertiseSettings, Engine } from '../src/engine/engine.js';
import {
  connectContainer,
  createContainer,
  disconnectContainer,
  endpointsByPriority,
  removeContainer,
  startContainer,
  stopContainer,
} from '../src/engine/containers.js';

function fresh(profile: 'default' | 'legacy' = 'default', seed = 3) {
  return Engine.fresh({ clock: new SteppingClock(1_750_000_000_000_000_000n), random: new SeededRandom(seed) }, { profile });
}

function run(engine: Engine, name: string, network?: string, extra: Record<string, unknown> = {}) {
  createContainer(engine, { name, image: 'alpine', cmd: ['sleep', 'infinity'], networkMode: network, ...extra });
  return startContainer(engine, name);
}

const throwsEngine = (fn: () => unknown, message: string | RegExp, kind?: string) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof EngineError, `expected EngineError, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    if (kind) assert.equal(err.kind, kind);
    return true;
  });

describe('predefined networks', () => {
  it('has bridge 172.17.0.0/16 with docker0 options, host and none', () => {
    const e = fresh();
    const names = e.listNetworks().map((n) => `${n.name}/${n.driver}`);
    assert.deepEqual(names, ['bridge/bridge', 'host/host', 'none/null']);
    const bridge = e.findNetwork('bridge');
    assert.deepEqual(e.ipam.get(bridge.id)!.inspectConfig(), [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }]);
    assert.equal(bridge.options['com.docker.network.bridge.name'], 'docker0');
    assert.equal(Object.keys(bridge.options).length, 6);
  });

  it('refuses to create or remove predefined names with Docker texts', () => {
    const e = fresh();
    for (const n of ['bridge', 'host', 'none', 'default']) throwsEngine(() => e.createNetwork({ name: n }), `operation is not permitted on predefined ${n} network `, 'forbidden');
    throwsEngine(() => e.removeNetwork('bridge'), 'bridge is a pre-defined network and cannot be removed', 'forbidden');
    throwsEngine(() => e.removeNetwork('default'), 'network default not found', 'not-found');
  });
});

describe('IDs and lookup', () => {
  it('generates 64-hex IDs whose first 12 characters are never all digits (ID-01)', () => {
    const e = fresh();
    for (let i = 0; i < 200; i++) {
      const n = e.createNetwork({ name: `n${i}`, ipamConfig: [{ Subnet: `10.${i}.0.0/16` }] });
      assert.match(n.id, /^[0-9a-f]{64}$/);
      assert.ok(!/^[0-9]{12}/.test(n.id));
    }
  });

  it('prefers full ID, then exact name, then unique prefix (NET-15)', () => {
    const e = fresh();
    const a = e.createNetwork({ name: 'a' });
    const prefixName = a.id.slice(0, 6);
    const b = e.createNetwork({ name: prefixName });
    assert.equal(e.findNetwork(prefixName).id, b.id);
    assert.equal(e.findNetwork(a.id).id, a.id);
    assert.equal(e.findNetwork(a.id.slice(0, 10)).id, a.id);
    e.removeNetwork(prefixName);
    assert.equal(e.findNetwork('a').id, a.id);
    throwsEngine(() => e.findNetwork('nope'), 'network nope not found', 'not-found');
  });

  it('reports an ambiguous ID prefix', () => {
    const e = fresh();
    for (let i = 0; i < 40; i++) e.createNetwork({ name: `x${i}`, ipamConfig: [{ Subnet: `10.${i}.0.0/16` }] });
    const counts = new Map<string, number>();
    for (const n of e.listNetworks()) counts.set(n.id[0], (counts.get(n.id[0]) ?? 0) + 1);
    const [prefix, count] = [...counts].find(([, c]) => c > 1)!;
    throwsEngine(() => e.findNetwork(prefix), `network ${prefix} is ambiguous (${count} matches found based on ID prefix)`, 'invalid-parameter');
  });
});

describe('network create and remove', () => {
  it('rejects duplicates and empty names', () => {
    const e = fresh();
    e.createNetwork({ name: 'testnet' });
    throwsEngine(() => e.createNetwork({ name: 'testnet' }), 'network with name testnet already exists', 'conflict');
    throwsEngine(() => e.createNetwork({ name: '' }), 'invalid name: name is empty');
    throwsEngine(() => e.createNetwork({ name: 'x', driver: 'weird' }), 'plugin "weird" not found', 'not-found');
  });

  it('gives lowest-free subnets and reuses a freed one (IPAM-01, IPAM-02)', () => {
    const e = fresh();
    const a = e.createNetwork({ name: 'a' });
    e.createNetwork({ name: 'b' });
    assert.equal(a.dynamicV4, '172.18.0.0/16');
    e.removeNetwork('a');
    assert.equal(e.createNetwork({ name: 'c' }).dynamicV4, '172.18.0.0/16');
    const legacy = fresh('legacy');
    legacy.createNetwork({ name: 'a' });
    legacy.createNetwork({ name: 'b' });
    legacy.removeNetwork('a');
    assert.equal(legacy.createNetwork({ name: 'c' }).dynamicV4, '172.20.0.0/16');
  });

  it('skips on-link host routes and nameservers (IPAM-05)', () => {
    const e = fresh();
    e.setHost({ ...e.host, routes: [{ destination: '172.18.0.0/16' }], nameservers: ['172.20.0.53'] });
    assert.equal(e.createNetwork({ name: 'a' }).dynamicV4, '172.19.0.0/16');
    assert.equal(e.createNetwork({ name: 'b' }).dynamicV4, '172.21.0.0/16');
  });

  it('exhausts after 30 user networks with the profile text (IPAM-04)', () => {
    const e = fresh();
    for (let i = 1; i <= 30; i++) e.createNetwork({ name: `net${i}` });
    assert.equal(e.findNetwork('net15').dynamicV4, '192.168.0.0/20');
    throwsEngine(() => e.createNetwork({ name: 'net31' }), 'all predefined address pools have been fully subnetted', 'invalid-parameter');
    assert.equal(e.listNetworks().length, 33);
    const l = fresh('legacy');
    for (let i = 1; i <= 30; i++) l.createNetwork({ name: `net${i}` });
    throwsEngine(() => l.createNetwork({ name: 'net31' }), 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network', 'not-found');
  });

  it('rejects overlapping explicit subnets (IPAM-06, IPAM-07)', () => {
    const e = fresh();
    e.createNetwork({ name: 'a' });
    throwsEngine(() => e.createNetwork({ name: 'b', ipamConfig: [{ Subnet: '172.18.0.0/16' }] }), 'invalid pool request: Pool overlaps with other one on this address space', 'forbidden');
    e.createNetwork({ name: 'big', ipamConfig: [{ Subnet: '192.168.0.0/16' }] });
    throwsEngine(() => e.createNetwork({ name: 'x', ipamConfig: [{ Subnet: '192.168.128.0/17' }] }), /Pool overlaps/);
  });

  it('lists active endpoints when removing a network in use (NET-07), in both profiles', () => {
    const e = fresh();
    e.createNetwork({ name: 'a' });
    const web = run(e, 'web', 'a');
    throwsEngine(() => e.removeNetwork('a'), `error while removing network: network a has active endpoints (name:"web" id:"${web.endpoints[0].id.slice(0, 12)}")`, 'forbidden');
    const l = fresh('legacy');
    const a = l.createNetwork({ name: 'a' });
    run(l, 'web', 'a');
    throwsEngine(() => l.removeNetwork('a'), `error while removing network: network a id ${a.id} has active endpoints`);
  });

  it('prunes networks used only by stopped containers (NET-08)', () => {
    const e = fresh();
    e.createNetwork({ name: 'a' });
    e.createNetwork({ name: 'busy' });
    run(e, 'web', 'a');
    run(e, 'db', 'busy');
    stopContainer(e, 'web', 137);
    assert.deepEqual(e.pruneNetworks({}), ['a']);
    assert.deepEqual(e.listNetworks().map((n) => n.name), ['bridge', 'host', 'none', 'busy']);
  });
});

describe('address advertisement options', () => {
  it('defaults to 3 messages 1 s apart; takes the network\'s options; refuses bad values with Docker\'s texts and creates nothing', () => {
    const e = fresh();
    const ns = e.createNetwork({ name: 'plain' });
    assert.deepEqual(advertiseSettings(e.findNetwork(ns.id)), { count: 3, intervalMs: 1000 });
    const opts = { 'com.docker.network.advertise_addr_nmsgs': '0', 'com.docker.network.advertise_addr_ms': '2000' };
    const quiet = e.createNetwork({ name: 'quiet', options: opts });
    assert.deepEqual(advertiseSettings(e.findNetwork(quiet.id)), { count: 0, intervalMs: 2000 });
    const bad: Array<[Record<string, string>, string]> = [
      [{ 'com.docker.network.advertise_addr_nmsgs': '-1' }, 'com.docker.network.advertise_addr_nmsgs must be in the range 0 to 3'],
      [{ 'com.docker.network.advertise_addr_nmsgs': '4' }, 'com.docker.network.advertise_addr_nmsgs must be in the range 0 to 3'],
      [{ 'com.docker.network.advertise_addr_nmsgs': 'nonsense' }, 'value for option com.docker.network.advertise_addr_nmsgs "nonsense" must be an integer'],
      [{ 'com.docker.network.advertise_addr_ms': '99' }, 'com.docker.network.advertise_addr_ms must be in the range 100 to 2000'],
      [{ 'com.docker.network.advertise_addr_ms': '2001' }, 'com.docker.network.advertise_addr_ms must be in the range 100 to 2000'],
      [{ 'com.docker.network.advertise_addr_ms': 'nonsense' }, 'value for option com.docker.network.advertise_addr_ms "nonsense" must be integer milliseconds'],
    ];
    const count = e.listNetworks().length;
    for (const [options, text] of bad) throwsEngine(() => e.createNetwork({ name: 'bad', options }), text, 'invalid-parameter');
    assert.equal(e.listNetworks().length, count);
  });
});

describe('containers and endpoints', () => {
  it('allocates .2, .3 and reuses a released address (IPAM-17)', () => {
    const e = fresh();
    e.createNetwork({ name: 'a' });
    assert.equal(run(e, 'c1', 'a').endpoints[0].ipv4, '172.18.0.2');
    assert.equal(run(e, 'c2', 'a').endpoints[0].ipv4, '172.18.0.3');
    removeContainer(e, 'c1', { force: true });
    assert.equal(run(e, 'c3', 'a').endpoints[0].ipv4, '172.18.0.2');
  });

  it('registers DNSNames in Docker order (DNS-01)', () => {
    const e = fresh();
    e.createNetwork({ name: 'a' });
    const c = run(e, 'foobar', 'a', { hostname: 'baz', endpoints: { a: { aliases: ['myctr'] } } });
    assert.deepEqual(c.endpoints[0].dnsNames, ['foobar', 'myctr', c.id.slice(0, 12), 'baz']);
    const onBridge = run(e, 'plain');
    assert.deepEqual(onBridge.endpoints[0].dnsNames, []);
  });

  it('stopping releases addresses and names; starting takes them again', () => {
    const e = fresh();
    const net = e.createNetwork({ name: 'proxy' });
    run(e, 'app1', 'proxy');
    stopContainer(e, 'app1', 0);
    assert.equal(e.dns.lookup(net.id, 'app1'), undefined);
    run(e, 'rp', 'proxy');
    const app1 = startContainer(e, 'app1');
    assert.equal(app1.endpoints[0].ipv4, '172.18.0.3');
    assert.equal(e.dns.lookup(net.id, 'APP1')![0].ipv4, '172.18.0.3');
  });

  it('legacy MACs derive from the IPv4 address (MAC-02); default MACs are random, local, unicast (MAC-01)', () => {
    const l = fresh('legacy');
    l.createNetwork({ name: 'a' });
    assert.equal(run(l, 'ct', 'a').endpoints[0].mac, '02:42:ac:12:00:02');
    const e = fresh();
    e.createNetwork({ name: 'a' });
    const first = run(e, 'ct', 'a').endpoints[0];
    stopContainer(e, 'ct', 0);
    const second = startContainer(e, 'ct').endpoints[0];
    assert.equal(second.ipv4, first.ipv4);
    assert.notEqual(second.mac, first.mac);
    for (const mac of [first.mac, second.mac]) {
      const b0 = parseInt(mac.slice(0, 2), 16);
      assert.equal(b0 & 1, 0);
      assert.equal(b0 & 2, 2);
    }
  });

  it('validates --ip and aliases on predefined and dynamic networks (IPAM-14, IPAM-15, NET-13)', () => {
    const e = fresh();
    e.createNetwork({ name: 'a' });
    throwsEngine(() => createContainer(e, { image: 'alpine', networkMode: 'bridge', endpoints: { bridge: { ipv4: '172.17.0.50' } } }), 'user specified IP address is supported on user defined networks only');
    throwsEngine(() => createContainer(e, { image: 'alpine', networkMode: 'a', endpoints: { a: { ipv4: '172.18.0.50' } } }), 'user specified IP address is supported only when connecting to networks with user configured subnets');
    run(e, 'web', 'a');
    throwsEngine(() => connectContainer(e, 'bridge', 'web', { aliases: ['x'] }), 'network-scoped alias is supported only for containers in user defined networks');
  });

  it('rejects a second container with the same --ip at start (IPAM-16)', () => {
    const e = fresh();
    e.createNetwork({ name: 'n', ipamConfig: [{ Subnet: '10.5.0.0/24' }] });
    run(e, 'c1', 'n', { endpoints: { n: { ipv4: '10.5.0.9' } } });
    createContainer(e, { name: 'c2', image: 'alpine', networkMode: 'n', endpoints: { n: { ipv4: '10.5.0.9' } } });
    throwsEngine(() => startContainer(e, 'c2'), 'Address already in use');
    assert.equal(e.findContainer('c2').status, 'created');
  });

  it('connect and disconnect errors (NET-11, NET-12, NET-14)', () => {
    const e = fresh();
    e.createNetwork({ name: 'a' });
    e.createNetwork({ name: 'b' });
    const web = run(e, 'web', 'a');
    throwsEngine(() => connectContainer(e, 'a', 'web', {}), 'endpoint with name web already exists in network a');
    throwsEngine(() => disconnectContainer(e, 'b', 'web', false), `container ${web.id} is not connected to network b`);
    throwsEngine(() => connectContainer(e, 'host', 'web', {}), 'cannot connect container to host network - container must be created in host network mode');
    connectContainer(e, 'b', 'web', {});
    assert.deepEqual(web.endpoints.map((x) => `${x.ifname}=${x.ipv4}`), ['eth0=172.18.0.2', 'eth1=172.19.0.2']);
    disconnectContainer(e, 'a', 'web', false);
    assert.deepEqual(web.endpoints.map((x) => x.ifname), ['eth1']);
  });

  it('rolls back every join when a later network fails at start', () => {
    const e = fresh();
    const a = e.createNetwork({ name: 'a' });
    e.createNetwork({ name: 'n', ipamConfig: [{ Subnet: '10.5.0.0/24' }] });
    run(e, 'holder', 'n', { endpoints: { n: { ipv4: '10.5.0.9' } } });
    createContainer(e, { name: 'ct', image: 'alpine', networkMode: 'a', endpoints: { n: { ipv4: '10.5.0.9' } } });
    throwsEngine(() => startContainer(e, 'ct'), 'Address already in use');
    const c = e.findContainer('ct');
    assert.equal(c.endpoints.length, 0);
    assert.equal(e.ipam.get(a.id)!.isAllocated('172.18.0.2'), false);
    assert.equal(e.dns.lookup(a.id, 'ct'), undefined);
  });

  it('orders endpoints by gateway priority, internal last, then name (ISO-05, ISO-06)', () => {
    const e = fresh();
    e.createNetwork({ name: 'b' });
    e.createNetwork({ name: 'a' });
    e.createNetwork({ name: 'i', internal: true });
    const c = run(e, 'ct', 'b');
    connectContainer(e, 'i', 'ct', {});
    connectContainer(e, 'a', 'ct', {});
    const names = () => endpointsByPriority(e, c).map((ep) => e.networks.get(ep.networkId)!.name);
    assert.deepEqual(names(), ['a', 'b', 'i']);
    disconnectContainer(e, 'b', 'ct', false);
    connectContainer(e, 'b', 'ct', { gwPriority: 1 });
    assert.deepEqual(names(), ['b', 'a', 'i']);
    assert.equal(c.endpoints.find((ep) => e.networks.get(ep.networkId)!.name === 'i')!.gateway, undefined);
  });

  it('refuses duplicate container names with Docker text', () => {
    const e = fresh();
    const c = run(e, 'alpine1');
    throwsEngine(() => createContainer(e, { name: 'alpine1', image: 'alpine' }), `Conflict. The container name "/alpine1" is already in use by container "${c.id}". You have to remove (or rename) that container to be able to reuse that name.`, 'conflict');
    throwsEngine(() => removeContainer(e, 'alpine1', { force: false }), 'cannot remove container "/alpine1": container is running: stop the container before removing or force remove');
  });
});
