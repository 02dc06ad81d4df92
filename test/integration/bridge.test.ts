/**
 * The Linux bridge commands for real, inside a sandbox: two container namespaces on one bridge
 * ping each other by address; removing an endpoint's veth cuts it off; nothing leaks out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBridgeCommands, createEndpointContainerCommands, createEndpointHostCommands, deleteEndpointCommands, type EndpointSpec } from '../../src/drivers/linux/ip-commands.js';
import { Sandbox } from '../../src/platform/linux/sandbox.js';
import { hostLinks, ping, skipReason } from './helpers.js';

const skip = skipReason(['busybox']);

describe('linux bridge data plane inside a sandbox', { skip }, () => {
  it('connects two containers on one bridge, and disconnects one', async () => {
    const before = hostLinks();
    const host = await Sandbox.create();
    const c1 = await Sandbox.create();
    const c2 = await Sandbox.create();
    try {
      host.ipBatch(createBridgeCommands({ name: 'br-ct2test0000', gateways: ['172.30.0.1/16'], mtu: 1500 }));
      const endpoint = (c: Sandbox, n: number): EndpointSpec => ({
        hostVeth: `vethct2${n}`,
        tempName: `ctmp2${n}`,
        bridge: 'br-ct2test0000',
        containerNetns: c.netnsPath,
        ifname: 'eth0',
        mac: `02:42:ac:1e:00:0${n + 1}`,
        addresses: [`172.30.0.${n + 1}/16`],
        mtu: 1500,
        defaultGateway: '172.30.0.1',
      });
      for (const [c, n] of [[c1, 1], [c2, 2]] as const) {
        host.ipBatch(createEndpointHostCommands(endpoint(c, n)));
        c.ipBatch(createEndpointContainerCommands(endpoint(c, n)));
      }
      const eth0 = c1.ipJson<Array<{ ifname: string; address: string }>>(['link', 'show', 'dev', 'eth0'])[0];
      assert.equal(eth0.address, '02:42:ac:1e:00:02');
      const routes = c1.ipJson<Array<{ dst: string; gateway?: string }>>(['route']);
      assert.equal(routes.find((r) => r.dst === 'default')?.gateway, '172.30.0.1');
      assert.equal(ping(c1, '172.30.0.3'), true, 'c1 reaches c2 across the bridge');
      assert.equal(ping(c1, '172.30.0.1'), true, 'c1 reaches its gateway (the sandbox host)');
      host.ipBatch(deleteEndpointCommands('vethct22'));
      assert.equal(c2.ipJson<unknown[]>(['link', 'show', 'type', 'veth']).length, 0, "c2's eth0 went with its host side");
      assert.equal(ping(c1, '172.30.0.3'), false, 'c2 is cut off');
      assert.deepEqual(hostLinks(), before, "nothing appeared in the machine's own namespace");
    } finally {
      await Promise.all([c1.destroy(), c2.destroy(), host.destroy()]);
    }
    assert.deepEqual(hostLinks(), before);
  });
});
