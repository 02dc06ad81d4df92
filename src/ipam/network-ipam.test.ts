import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/errors.js';
import { NetworkIpam, type NetworkIpamSpec } from './network-ipam.js';

const errorIs = (kind: string, message: string) => (e: unknown) =>
  e instanceof EngineError && e.kind === kind && e.message === message;

const v4 = (over: Partial<NetworkIpamSpec> = {}): NetworkIpamSpec => ({
  userConfig: [],
  enableIPv4: true,
  enableIPv6: false,
  ...over,
});

test('IPAM-01: dynamic 172.18.0.0/16 → gateway .1, containers .2 and .3', () => {
  const n = new NetworkIpam(v4({ dynamicV4: '172.18.0.0/16' }));
  assert.equal(n.gateway(4), '172.18.0.1');
  assert.deepEqual(n.allocate(4), { address: '172.18.0.2', prefixLen: 16, gateway: '172.18.0.1' });
  assert.deepEqual(n.allocate(4), { address: '172.18.0.3', prefixLen: 16, gateway: '172.18.0.1' });
  assert.deepEqual(n.subnets(4), ['172.18.0.0/16']);
  assert.deepEqual(n.subnets(6), []);
  assert.equal(n.hasUserSubnet(4), false);
  assert.equal(JSON.stringify(n.inspectConfig()), '[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]');
});

test('IPAM-08: non-.1 gateway; first container gets .1', () => {
  const n = new NetworkIpam(v4({ userConfig: [{ Subnet: '172.28.0.0/16', Gateway: '172.28.5.254' }] }));
  assert.equal(JSON.stringify(n.inspectConfig()[0]), '{"Subnet":"172.28.0.0/16","Gateway":"172.28.5.254"}');
  assert.equal(n.gateway(4), '172.28.5.254');
  assert.equal(n.allocate(4).address, '172.28.0.1');
  assert.equal(n.isAllocated('172.28.5.254'), true);
  assert.equal(n.hasUserSubnet(4), true);
});

test('IPAM-09: ip-range + gateway + IPv6 subnet', () => {
  const n = new NetworkIpam({
    userConfig: [
      { Subnet: '2001:db8:abcd::/64' },
      { Subnet: '172.28.0.0/16', IPRange: '172.28.5.0/24', Gateway: '172.28.5.254' },
    ],
    enableIPv4: true,
    enableIPv6: true,
  });
  const cfg = n.inspectConfig();
  assert.equal(
    JSON.stringify(cfg),
    '[{"Subnet":"172.28.0.0/16","IPRange":"172.28.5.0/24","Gateway":"172.28.5.254"},{"Subnet":"2001:db8:abcd::/64"}]',
  );
  assert.equal(n.allocate(4).address, '172.28.5.0'); // range start is allocatable (§5.6)
  assert.equal(n.gateway(6), '2001:db8:abcd::1');
  assert.deepEqual(n.allocate(6), { address: '2001:db8:abcd::2', prefixLen: 64, gateway: '2001:db8:abcd::1' });
});

test('IPAM-10: --subnet without --gateway shows no Gateway but uses .1', () => {
  const n = new NetworkIpam(v4({ userConfig: [{ Subnet: '10.9.0.0/24' }] }));
  assert.equal(JSON.stringify(n.inspectConfig()), '[{"Subnet":"10.9.0.0/24"}]');
  assert.equal(n.gateway(4), '10.9.0.1');
  assert.equal(n.allocate(4).address, '10.9.0.2');
});

test('IPAM-16: the same --ip twice → Address already in use', () => {
  const n = new NetworkIpam(v4({ userConfig: [{ Subnet: '172.28.0.0/16' }] }));
  assert.deepEqual(n.allocate(4, '172.28.0.10'), { address: '172.28.0.10', prefixLen: 16, gateway: '172.28.0.1' });
  assert.throws(() => n.allocate(4, '172.28.0.10'), errorIs('forbidden', 'Address already in use'));
  assert.throws(() => n.allocate(4, '172.28.0.1'), errorIs('forbidden', 'Address already in use')); // the gateway
  assert.throws(() => n.allocate(4, '10.0.0.1'), errorIs('invalid-parameter', 'requested address is out of range'));
  assert.throws(() => n.allocate(6, 'fd00::1'), EngineError); // no IPv6 pool at all
});

test('IPAM-17: remove .2, the next container gets .2 again', () => {
  const n = new NetworkIpam(v4({ dynamicV4: '172.18.0.0/16' }));
  const a = n.allocate(4).address;
  const b = n.allocate(4).address;
  assert.deepEqual([a, b], ['172.18.0.2', '172.18.0.3']);
  n.release(a);
  assert.equal(n.isAllocated(a), false);
  assert.equal(n.allocate(4).address, '172.18.0.2');
  assert.equal(n.allocate(4).address, '172.18.0.4');
});

test('IPAM-18: fill 192.168.0.0/23 through the network', () => {
  const n = new NetworkIpam(v4({ userConfig: [{ Subnet: '192.168.0.0/23' }], networkName: 'n', networkId: 'abc' }));
  const got = new Set<string>();
  for (let i = 0; i < 509; i++) got.add(n.allocate(4).address);
  assert.equal(got.size, 509);
  assert.ok(got.has('192.168.0.255') && got.has('192.168.1.0'));
  assert.throws(
    () => n.allocate(4),
    errorIs('internal', "no available IPv4 addresses on this network's address pools: n (abc)"),
  );
  n.release('192.168.0.30');
  assert.equal(n.allocate(4).address, '192.168.0.30');
});

test('several subnets of one family: first with room wins; --ip picks the containing pool', () => {
  const n = new NetworkIpam(v4({ userConfig: [{ Subnet: '10.1.0.0/30' }, { Subnet: '10.2.0.0/24' }] }));
  assert.deepEqual(n.subnets(4), ['10.1.0.0/30', '10.2.0.0/24']);
  assert.equal(n.gateway(4), '10.1.0.1');
  assert.deepEqual(n.allocate(4), { address: '10.1.0.2', prefixLen: 30, gateway: '10.1.0.1' });
  assert.deepEqual(n.allocate(4), { address: '10.2.0.2', prefixLen: 24, gateway: '10.2.0.1' });
  assert.deepEqual(n.allocate(4, '10.2.0.77'), { address: '10.2.0.77', prefixLen: 24, gateway: '10.2.0.1' });
  // Without a network name the pool-level error surfaces.
  const small = new NetworkIpam(v4({ userConfig: [{ Subnet: '10.1.0.0/30' }] }));
  small.allocate(4);
  assert.throws(() => small.allocate(4), errorIs('unavailable', 'no available addresses on this pool'));
});

test('inspect order follows buildIPAMResources: user entries first, then allocated pools', () => {
  const n = new NetworkIpam({
    userConfig: [{ Subnet: 'fd00:1::/64', Gateway: 'fd00:1::fe' }],
    enableIPv4: true,
    enableIPv6: true,
    dynamicV4: '172.19.0.0/16',
  });
  assert.equal(
    JSON.stringify(n.inspectConfig()),
    '[{"Subnet":"fd00:1::/64","Gateway":"fd00:1::fe"},{"Subnet":"172.19.0.0/16","Gateway":"172.19.0.1"}]',
  );
  const both = new NetworkIpam({
    userConfig: [],
    enableIPv4: true,
    enableIPv6: true,
    dynamicV4: '172.18.0.0/16',
    dynamicV6: 'fd42:98fc:1c14::/64',
  });
  assert.equal(
    JSON.stringify(both.inspectConfig()),
    '[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"},{"Subnet":"fd42:98fc:1c14::/64","Gateway":"fd42:98fc:1c14::1"}]',
  );
  assert.equal(both.allocate(6).address, 'fd42:98fc:1c14::2');
});

test('IPv6 user config on an IPv4-only network is echoed but allocates nothing', () => {
  const n = new NetworkIpam(v4({ userConfig: [{ Subnet: '172.16.238.0/24' }, { Subnet: '2001:3984:3989::/64' }] }));
  assert.deepEqual(n.subnets(6), []);
  assert.equal(n.gateway(6), undefined);
  assert.equal(n.hasUserSubnet(6), true);
  assert.equal(JSON.stringify(n.inspectConfig()), '[{"Subnet":"172.16.238.0/24"},{"Subnet":"2001:3984:3989::/64"}]');
  assert.equal(n.allocate(4, '172.16.238.10').address, '172.16.238.10');
});

test('IPv6-only network (enableIPv4 false)', () => {
  const n = new NetworkIpam({ userConfig: [], enableIPv4: false, enableIPv6: true, dynamicV6: 'fd00:9::/64' });
  assert.deepEqual(n.subnets(4), []);
  assert.equal(n.gateway(4), undefined);
  assert.equal(JSON.stringify(n.inspectConfig()), '[{"Subnet":"fd00:9::/64","Gateway":"fd00:9::1"}]');
});

test('noGateway: no automatic gateway, so containers start at .1', () => {
  const n = new NetworkIpam(v4({ dynamicV4: '172.18.0.0/16', noGateway: true }));
  assert.equal(n.gateway(4), undefined);
  assert.deepEqual(n.allocate(4), { address: '172.18.0.1', prefixLen: 16 });
  assert.equal(JSON.stringify(n.inspectConfig()), '[{"Subnet":"172.18.0.0/16"}]');
  // A user gateway is still reserved.
  const u = new NetworkIpam(v4({ userConfig: [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.254' }], noGateway: true }));
  assert.equal(u.gateway(4), '10.0.0.254');
  assert.equal(u.isAllocated('10.0.0.254'), true);
});

test('gateway is canonicalised for gateway(), verbatim for inspect', () => {
  const n = new NetworkIpam({
    userConfig: [{ Subnet: '2001:db8::/64', Gateway: '2001:DB8:0::00fe' }],
    enableIPv4: false,
    enableIPv6: true,
  });
  assert.equal(n.gateway(6), '2001:db8::fe');
  assert.equal(n.inspectConfig()[0].Gateway, '2001:DB8:0::00fe');
  assert.equal(n.allocate(6).address, '2001:db8::1');
});

test('aux addresses are reserved after the gateway; inspect sorts their names', () => {
  const n = new NetworkIpam(
    v4({ userConfig: [{ Subnet: '10.5.0.0/24', AuxiliaryAddresses: { zeta: '10.5.0.9', host1: '10.5.0.2' } }] }),
  );
  assert.equal(n.gateway(4), '10.5.0.1');
  assert.equal(n.allocate(4).address, '10.5.0.3');
  assert.equal(n.isAllocated('10.5.0.9'), true);
  assert.equal(
    JSON.stringify(n.inspectConfig()),
    '[{"Subnet":"10.5.0.0/24","AuxiliaryAddresses":{"host1":"10.5.0.2","zeta":"10.5.0.9"}}]',
  );
});

test('creation errors use libnetwork texts', () => {
  assert.throws(
    () => new NetworkIpam(v4({ userConfig: [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.0' }] })),
    errorIs('internal', 'failed to allocate gateway (10.0.0.0): Address already in use'),
  );
  assert.throws(
    () => new NetworkIpam(v4({ userConfig: [{ Subnet: '10.0.0.0/24', AuxiliaryAddresses: { a: '10.0.0.1' } }] })),
    errorIs('internal', 'failed to allocate secondary ip address (a:10.0.0.1): Address already in use'),
  );
  assert.throws(
    () => new NetworkIpam(v4({ userConfig: [{ Subnet: '10.5.0.0/24', AuxiliaryAddresses: { a: '10.6.0.1' } }] })),
    errorIs('forbidden', 'auxiliary address: (a:10.6.0.1) must belong to the master pool: 10.5.0.0/24'),
  );
  assert.throws(
    () => new NetworkIpam(v4({ userConfig: [{ Subnet: '10.0.0.7/32', Gateway: '10.0.0.7' }] })).allocate(4),
    errorIs('unavailable', 'no available addresses on this pool'),
  );
  assert.throws(() => new NetworkIpam(v4({})), EngineError); // IPv4 on, nothing to allocate from
  assert.throws(() => new NetworkIpam(v4({ userConfig: [{ Subnet: 'junk' }] })), EngineError);
});

test('release and isAllocated route by family and subnet', () => {
  const n = new NetworkIpam({
    userConfig: [{ Subnet: '10.0.0.0/24' }, { Subnet: 'fd00::/64' }],
    enableIPv4: true,
    enableIPv6: true,
  });
  const a4 = n.allocate(4).address;
  const a6 = n.allocate(6).address;
  assert.deepEqual([a4, a6], ['10.0.0.2', 'fd00::2']);
  assert.equal(n.isAllocated('fd00::2'), true);
  assert.equal(n.isAllocated('10.9.9.9'), false);
  assert.equal(n.isAllocated('junk'), false);
  n.release('fd00::2');
  assert.equal(n.isAllocated('fd00::2'), false);
  assert.throws(() => n.release('10.9.9.9'), errorIs('invalid-parameter', 'requested address is out of range'));
  assert.equal(n.allocate(6).address, 'fd00::2');
});
