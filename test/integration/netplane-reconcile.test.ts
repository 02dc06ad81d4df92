/**
 * LinuxNetworkPlane.reconcile at daemon start (orphans of ours removed, others' links kept,
 * missing networks re-created, existing endpoints kept as they are), vanished container
 * namespaces, failure then rollback, teardown — and the sync timings for the benchmark.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LinuxNetworkPlane, type DesiredState } from '../../src/drivers/linux/network-plane.js';
import { Sandbox } from '../../src/platform/linux/sandbox.js';
import { hostLinks, ping, skipReason } from './helpers.js';
import { defaultGateway, endpoint, hostRuleset, median, net, runnerFor } from './netplane-helpers.js';

const skip = skipReason(['busybox', 'nft']);
const linkNames = (s: Sandbox) => s.ipJson<Array<{ ifname: string }>>(['link']).map((l) => l.ifname).sort();
const ifindex = (s: Sandbox, dev: string) => s.ipJson<Array<{ ifindex: number }>>(['link', 'show', 'dev', dev])[0].ifindex;

describe('LinuxNetworkPlane reconcile, vanished namespaces, teardown', { skip }, () => {
  it('reconciles a fresh plane against what exists', async () => {
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
      const [a, b, c, v, w, x] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => sandbox()));
      const n1 = net(1);
      const n2 = net(2);
      const n3 = net(3, { mtu: 1400 });
      const epA = endpoint(a, 'a', n1, 2, 'eth0', true);
      const epB = endpoint(b, 'b', n2, 2, 'eth0', true);
      const epC = endpoint(c, 'c', n3, 2, 'eth0', true);
      const first = new LinuxNetworkPlane(runnerFor(host));
      first.reconcile({ networks: [n1, n2], endpoints: [epA, epB] });
      assert.equal(ping(a, '172.21.0.1'), true);
      const veth = epA.hostVeth;
      const vethIndex = ifindex(host, veth);

      // Leftovers of a previous daemon and links that are not ours.
      host.ipBatch([
        'link add br-deadbeef0000 type bridge',
        'link add vethdead001 type veth peer name xpeer1',
        'link set vethdead001 master br-deadbeef0000',
        'link add vethbeef002 type veth peer name xpeer2',
        `link set vethbeef002 master ${n1.bridge}`,
        'link add keepme0 type bridge',
        'link add vethnotours type veth peer name xpeer3',
        'link add br-notours type bridge',
      ]);

      // Daemon restart: a fresh plane; n2 is gone from the desired state, n3 is new.
      const plane = new LinuxNetworkPlane(runnerFor(host));
      plane.reconcile({ networks: [n1, n3], endpoints: [epA, epC] });
      console.log('reconcile timings:', plane.lastTimings());
      const names = linkNames(host);
      for (const gone of ['br-deadbeef0000', 'vethdead001', 'xpeer1', 'vethbeef002', 'xpeer2', n2.bridge, epB.hostVeth]) {
        assert.ok(!names.includes(gone), `${gone} was removed`);
      }
      for (const kept of ['keepme0', 'vethnotours', 'xpeer3', 'br-notours', n1.bridge, n3.bridge, epA.hostVeth, epC.hostVeth]) {
        assert.ok(names.includes(kept), `${kept} is there`);
      }
      assert.equal(ifindex(host, veth), vethIndex, "A's existing veth was kept, not re-created");
      assert.equal(host.ipJson<Array<{ mtu: number }>>(['link', 'show', 'dev', n3.bridge])[0].mtu, 1400);
      assert.equal(b.ipJson<unknown[]>(['link', 'show', 'type', 'veth']).length, 0, "B's endpoint went with its network");
      assert.equal(ping(a, '172.21.0.1'), true, 'A still reaches its gateway');
      assert.equal(ping(c, '172.23.0.1'), true, 'C reaches the re-created network');
      assert.equal(ping(a, '172.23.0.2'), false, 'the re-created ruleset isolates n1 from n3');
      host.ipBatch(['link del keepme0', 'link del vethnotours', 'link del br-notours']);

      // A container whose process (and namespace) vanished: its veth is gone; sync does not throw.
      const epV = endpoint(v, 'v', n1, 9, 'eth0', true);
      const base: DesiredState = { networks: [n1, n3], endpoints: [epA, epC] };
      plane.sync({ ...base, endpoints: [...base.endpoints, epV] });
      assert.equal(ping(v, '172.21.0.2'), true);
      await v.destroy();
      for (let k = 0; k < 50 && linkNames(host).includes(epV.hostVeth); k++) await new Promise((r) => setTimeout(r, 20));
      plane.sync(base);
      // Also when a vanished container's default route would have to move.
      const epX1 = endpoint(x, 'x', n1, 20, 'eth0', true);
      const epX3 = endpoint(x, 'x', n3, 20, 'eth1', false);
      plane.sync({ ...base, endpoints: [...base.endpoints, epX1, epX3] });
      assert.equal(defaultGateway(x), '172.21.0.1');
      await x.destroy();
      for (let k = 0; k < 50 && linkNames(host).includes(epX1.hostVeth); k++) await new Promise((r) => setTimeout(r, 20));
      plane.sync({ ...base, endpoints: [...base.endpoints, { ...epX3, defaultRoute: true }] });
      plane.sync(base);
      const epV1 = endpoint(w, 'w', n1, 10, 'eth0', true);
      const epV3 = endpoint(w, 'w', n3, 10, 'eth1', false);
      plane.sync({ ...base, endpoints: [...base.endpoints, epV1, epV3] });
      assert.equal(defaultGateway(w), '172.21.0.1');

      // A failing sync (connecting a namespace that does not exist) throws; syncing the previous
      // state rolls back (a full reconcile).
      const ghost = { ...endpoint(v, 'ghost', n1, 11, 'eth0', true) };
      assert.throws(() => plane.sync({ ...base, endpoints: [...base.endpoints, ghost] }));
      plane.sync(base);
      assert.ok(!linkNames(host).includes(ghost.hostVeth));
      assert.equal(w.ipJson<unknown[]>(['link', 'show', 'type', 'veth']).length, 0, "the rollback removed W's endpoints");

      // Timings: adding one endpoint (median of 50), creating one network (median of 20).
      const epW = endpoint(w, 'w', n1, 12, 'eth0', true);
      const addEp: number[] = [];
      const steps: Record<string, number[]> = {};
      for (let k = 0; k < 50; k++) {
        plane.sync({ ...base, endpoints: [...base.endpoints, epW] });
        const t = plane.lastTimings();
        addEp.push(t.total);
        for (const [s, ms] of Object.entries(t)) (steps[s] ??= []).push(ms);
        plane.sync(base);
      }
      assert.equal(ping(a, '172.21.0.1'), true);
      const addNet: number[] = [];
      const n5 = net(5);
      for (let k = 0; k < 20; k++) {
        plane.sync({ ...base, networks: [...base.networks, n5] });
        addNet.push(plane.lastTimings().total);
        plane.sync(base);
      }
      const stepMedians = Object.fromEntries(Object.entries(steps).map(([s, xs]) => [s, median(xs)]));
      console.log(`sync add-one-endpoint median ${median(addEp).toFixed(2)} ms (steps ${JSON.stringify(stepMedians)}); network create median ${median(addNet).toFixed(2)} ms`);

      plane.teardown();
      assert.deepEqual(linkNames(host), ['lo']);
      assert.equal(host.exec(['nft', 'list', 'tables']).trim(), '');
      assert.deepEqual(hostLinks(), linksBefore, "nothing appeared in the machine's own namespace");
    } finally {
      await Promise.all(made.map((s) => s.destroy()));
    }
    assert.deepEqual(hostLinks(), linksBefore);
    assert.equal(hostRuleset(), rulesBefore, "the machine's own ruleset is unchanged");
  });
});
