/**
 * The contract between the network plane and the shim: the host-side lines the plane holds back
 * for a starting container are exactly the shapes shim_netlink.py turns into netlink messages.
 * A change on either side that breaks the match would silently fall back to a slower `ip -batch`
 * per start; this test fails instead. No command is run: the plane gets a recording runner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { LinuxNetworkPlane, type DesiredEndpoint, type DesiredNetwork } from './network-plane.js';

const SHIM_DIR = join(import.meta.dirname, '..', '..', 'platform', 'linux', 'container');

function parseInPython(lines: string[]): unknown {
  const script = 'import json, sys\nfrom shim_netlink import parse_veth_lines\nprint(json.dumps(parse_veth_lines(json.load(sys.stdin)), default=lambda b: b.hex()))';
  return JSON.parse(execFileSync('python3', ['-B', '-S', '-E', '-c', script], { cwd: SHIM_DIR, input: JSON.stringify(lines), encoding: 'utf8' }));
}

function network(n: number, icc: boolean, mtu: number): DesiredNetwork {
  const id = `${n}`.repeat(64);
  return { id, bridge: `br-${id.slice(0, 12)}`, gateways: [`172.${20 + n}.0.1/16`], subnets4: [`172.${20 + n}.0.0/16`], subnets6: [], mtu, internal: false, masquerade: true, icc };
}

function endpoint(net: DesiredNetwork, ifname: string, veth: string, mac: string): DesiredEndpoint {
  return {
    key: `c/${net.id}`,
    containerId: 'c',
    networkId: net.id,
    netnsPath: '/proc/4242/fd/7',
    hostVeth: veth,
    ifname,
    mac,
    addresses: [`${net.gateways[0].replace(/\.1\/16$/, '.2/16')}`],
    gateway4: net.gateways[0].split('/')[0],
    defaultRoute: ifname === 'eth0',
    advertise: { count: 3, intervalMs: 1000 },
  };
}

test('the veth lines held back for a starting container are the shapes the shim makes by netlink', () => {
  const ran: string[][] = [];
  const plane = new LinuxNetworkPlane({ run: (argv) => (ran.push(argv), argv.includes('-json') ? '[]' : '') });
  const a = network(1, true, 1500);
  const b = network(2, false, 1400);
  const endpoints = [endpoint(a, 'eth0', 'veth1a2b3c4', '02:42:ac:15:00:02'), endpoint(b, 'eth1', 'veth5d6e7f8', '5a:01:02:03:04:05')];
  plane.sync({ networks: [a, b], endpoints, deferredNetns: new Set(['/proc/4242/fd/7']) });
  // Nothing of the endpoints ran in the daemon: it is all held back for the shim.
  assert.ok(!ran.some((argv) => argv.join(' ').includes('veth')), 'a veth line ran in the daemon');
  const held = plane.takeDeferred('/proc/4242/fd/7');
  assert.equal(held.host.length, 8);
  assert.deepEqual(parseInPython(held.host), [
    { host: 'veth1a2b3c4', mtu: 1500, peer: 'eth0', mac: '0242ac150002', peerMtu: 1500, netns: '/proc/4242/fd/7', bridge: a.bridge, isolated: false, lines: held.host.slice(0, 4) },
    { host: 'veth5d6e7f8', mtu: 1400, peer: 'eth1', mac: '5a0102030405', peerMtu: 1400, netns: '/proc/4242/fd/7', bridge: b.bridge, isolated: true, lines: held.host.slice(4) },
  ]);
  // Any other shape is left to `ip -batch` as a whole.
  assert.equal(parseInPython([...held.host.slice(0, 4), 'link set veth1a2b3c4 alias x']), null);
  assert.equal(parseInPython(held.host.slice(0, 3)), null);
  assert.equal(parseInPython([held.host[0], held.host[1], 'link set veth1a2b3c4 type bridge_slave hairpin off', held.host[3]]), null);
});
