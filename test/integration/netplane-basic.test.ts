/**
 * LinuxNetworkPlane for real, inside a sandbox host with container sandboxes: two networks,
 * isolation between them, a container on both with its default route on the first, moving the
 * default route on disconnect, ICC off, internal networks without egress, masquerading towards
 * an "outside" namespace, IPv6 — and nothing left in the machine's own namespace.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LinuxNetworkPlane, type DesiredState } from '../../src/drivers/linux/network-plane.js';
import { Sandbox } from '../../src/platform/linux/sandbox.js';
import { hostLinks, ping, skipReason } from './helpers.js';
import { defaultGateway, endpoint, hostRuleset, net, ping6, runnerFor } from './netplane-helpers.js';

const skip = skipReason(['busybox', 'nft']);

describe('LinuxNetworkPlane inside a sandbox', { skip }, () => {
  it('connects, isolates, routes, moves the default route, ICC off, internal, masquerade, IPv6', async () => {
    const linksBefore = hostLinks();
    const rulesBefore = hostRuleset();
    const made: Sandbox[] = [];
    const sandbox = async () => {
      const s = await Sandbox.create();
      made.push(s);
      return s;
    };
    try {
      const host = await sandbox();
      const outside = await sandbox();
      // The "outside world": a namespace joined to the sandbox host by a veth, with no route back
      // to any container subnet (so a reply proves masquerading).
      host.ipBatch([
        `link add uplink0 type veth peer name wan0 netns ${outside.netnsPath}`,
        'addr add 198.51.100.1/24 dev uplink0',
        'link set uplink0 up',
      ]);
      outside.ipBatch(['addr add 198.51.100.2/24 dev wan0', 'link set wan0 up']);

      const plane = new LinuxNetworkPlane(runnerFor(host));
      const n1 = net(1, { gateways: ['172.21.0.1/16', 'fd00:21::1/64'], subnets6: ['fd00:21::/64'] });
      const n2 = net(2);
      const n3 = net(3, { icc: false });
      const n4 = net(4, { internal: true, masquerade: false });
      const [a, b, c, d, e, f, i] = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => sandbox()));
      const epA = endpoint(a, 'a', n1, 2, 'eth0', true);
      const epB = endpoint(b, 'b', n1, 3, 'eth0', true);
      const epC = endpoint(c, 'c', n2, 2, 'eth0', true);
      const epD1 = endpoint(d, 'd', n1, 4, 'eth0', true);
      const epD2 = endpoint(d, 'd', n2, 4, 'eth1', false);
      const epE = endpoint(e, 'e', n3, 2, 'eth0', true);
      const epF = endpoint(f, 'f', n3, 3, 'eth0', true);
      const epI = endpoint(i, 'i', n4, 2, 'eth0', false);
      plane.reconcile({ networks: [], endpoints: [] });
      const full: DesiredState = { networks: [n1, n2, n3, n4], endpoints: [epA, epB, epC, epD1, epD2, epE, epF, epI] };
      plane.sync(full);
      console.log('sync timings (4 networks, 8 endpoints):', plane.lastTimings());

      // Container side: name, MAC, addresses, default route only on the default-route endpoint.
      const eth0 = a.ipJson<Array<{ address: string; mtu: number }>>(['link', 'show', 'dev', 'eth0'])[0];
      assert.equal(eth0.address, epA.mac);
      assert.equal(defaultGateway(a), '172.21.0.1');
      assert.equal(defaultGateway(a, 6), 'fd00:21::1');
      assert.equal(defaultGateway(d), '172.21.0.1', "D's default route is via the first network's gateway");
      assert.equal(defaultGateway(i), undefined, 'an internal endpoint has no default route');
      assert.equal(host.exec(['sysctl', '-n', 'net.ipv4.ip_forward']).trim(), '1');

      assert.equal(ping(a, '172.21.0.3'), true, 'A reaches B');
      assert.equal(ping(b, '172.21.0.2'), true, 'B reaches A');
      assert.equal(ping6(a, 'fd00:21::3'), true, 'A reaches B over IPv6');
      assert.equal(ping(a, '172.22.0.2'), false, 'A does not reach C (other network)');
      assert.equal(ping(d, '172.21.0.2'), true, 'D reaches A');
      assert.equal(ping(d, '172.22.0.2'), true, 'D reaches C');
      assert.equal(ping(e, '172.23.0.3'), false, 'ICC off: E does not reach F');
      assert.equal(ping(e, '172.23.0.1'), true, 'ICC off: E reaches its gateway');
      assert.equal(ping(i, '172.24.0.1'), true, 'internal: the gateway answers');
      assert.equal(ping(a, '198.51.100.2'), true, 'a non-internal network reaches the outside (masqueraded)');
      // The outside saw the sandbox host's address: its neighbour table has only 198.51.100.1.
      const neigh = outside.ipJson<Array<{ dst: string }>>(['neigh']).map((x) => x.dst);
      assert.deepEqual(neigh.filter((x) => !x.includes(':')), ['198.51.100.1']);
      // Internal: even with a route, the firewall lets nothing leave the subnet.
      i.ipBatch(['route add 198.51.100.0/24 via 172.24.0.1']);
      assert.equal(ping(i, '198.51.100.2'), false, 'an internal network has no egress');

      // A no-op sync runs nothing.
      plane.sync(full);
      assert.equal(plane.lastTimings().containerBatches, 0);

      // Disconnect D from n1: its default route moves to n2, and A is out of reach.
      const afterDisconnect: DesiredState = { ...full, endpoints: full.endpoints.filter((x) => x !== epD1).map((x) => (x === epD2 ? { ...epD2, defaultRoute: true } : x)) };
      plane.sync(afterDisconnect);
      assert.deepEqual(
        d.ipJson<Array<{ ifname: string }>>(['link', 'show', 'type', 'veth']).map((l) => l.ifname),
        ['eth1'],
      );
      assert.equal(defaultGateway(d), '172.22.0.1', 'the default route moved to the second network');
      assert.equal(ping(d, '172.21.0.2'), false, 'D no longer reaches A');
      assert.equal(ping(d, '172.22.0.2'), true, 'D still reaches C');

      // Turning ICC back on for n3 (in place: the ports stop being isolated).
      plane.sync({ ...afterDisconnect, networks: afterDisconnect.networks.map((n) => (n === n3 ? { ...n3, icc: true } : n)) });
      assert.equal(ping(e, '172.23.0.3'), true, 'ICC on again: E reaches F');

      plane.teardown();
      assert.deepEqual(host.ipJson<Array<{ ifname: string }>>(['link']).map((l) => l.ifname).sort(), ['lo', 'uplink0']);
      assert.equal(host.exec(['nft', 'list', 'tables']).trim(), '');
      assert.deepEqual(hostLinks(), linksBefore, "nothing appeared in the machine's own namespace");
    } finally {
      await Promise.all(made.map((s) => s.destroy()));
    }
    assert.deepEqual(hostLinks(), linksBefore);
    assert.equal(hostRuleset(), rulesBefore, "the machine's own ruleset is unchanged");
  });
});
