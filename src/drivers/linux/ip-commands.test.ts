import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bridgeName, createBridgeCommands, createEndpointContainerCommands, createEndpointHostCommands } from './ip-commands.js';

test('bridge names follow Docker: docker0, br-<12 hex>, or the name option', () => {
  const id = '3808dbc597828b197b35ddf8d7865f4477dd95c6943c2ec72cccd8a0c58b33ac';
  assert.equal(bridgeName(id, { isDefault: false }), 'br-3808dbc59782');
  assert.equal(bridgeName(id, { isDefault: true }), 'docker0');
  assert.equal(bridgeName(id, { isDefault: false, option: 'mybr0' }), 'mybr0');
});

test('a network and an endpoint become one ip batch each side', () => {
  assert.deepEqual(createBridgeCommands({ name: 'br-3808dbc59782', gateways: ['172.24.0.1/16'], mtu: 1500 }), [
    'link add br-3808dbc59782 type bridge',
    'link set br-3808dbc59782 mtu 1500',
    'addr add 172.24.0.1/16 dev br-3808dbc59782',
    'link set br-3808dbc59782 up',
  ]);
  const ep = {
    hostVeth: 'veth1a2b3c4',
    tempName: 'ctmp1a2b3c4',
    bridge: 'br-3808dbc59782',
    containerNetns: '/proc/42/ns/net',
    ifname: 'eth0',
    mac: '02:42:ac:18:00:03',
    addresses: ['172.24.0.3/16'],
    mtu: 1500,
    defaultGateway: '172.24.0.1',
  };
  assert.deepEqual(createEndpointHostCommands(ep), [
    'link add veth1a2b3c4 mtu 1500 type veth peer name ctmp1a2b3c4 mtu 1500',
    'link set veth1a2b3c4 master br-3808dbc59782',
    'link set veth1a2b3c4 up',
    'link set ctmp1a2b3c4 netns /proc/42/ns/net',
  ]);
  assert.deepEqual(createEndpointContainerCommands(ep), [
    'link set ctmp1a2b3c4 name eth0',
    'link set eth0 address 02:42:ac:18:00:03',
    'addr add 172.24.0.3/16 dev eth0',
    'link set eth0 up',
    'route add default via 172.24.0.1 dev eth0',
  ]);
});
