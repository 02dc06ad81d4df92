/**
 * The nftables ruleset for real, inside a sandbox that forwards between its bridges: different
 * bridge networks are isolated, ICC off blocks same-bridge traffic, internal networks reach
 * nothing outside their subnet — and the machine's own ruleset is never touched.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createBridgeCommands, createEndpointContainerCommands, createEndpointHostCommands } from '../../src/drivers/linux/ip-commands.js';
import { renderRuleset, renderTeardown, type FirewallNetwork } from '../../src/firewall/nft-ruleset.js';
import { Sandbox } from '../../src/platform/linux/sandbox.js';
import { hasBinary, ping, skipReason } from './helpers.js';

const skip = skipReason(['busybox', 'nft']);
const hostRuleset = () => (hasBinary('nft') ? execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' }) : '');

describe('nftables isolation inside a sandbox', { skip }, () => {
  it('isolates bridges, enforces ICC off and internal networks', async () => {
    const rulesBefore = hostRuleset();
    const host = await Sandbox.create();
    const made: Sandbox[] = [];
    try {
      // The sandbox host routes between its bridges, as a Docker host does (only its own namespace).
      host.exec(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
      const nets: Array<FirewallNetwork & { gw: string; prefix: string; icc?: boolean }> = [
        { bridge: 'br-ctfwa000000', subnets: ['172.30.0.0/16'], internal: false, masquerade: true, gw: '172.30.0.1', prefix: '172.30.0.' },
        { bridge: 'br-ctfwb000000', subnets: ['172.31.0.0/16'], internal: false, masquerade: true, icc: false, gw: '172.31.0.1', prefix: '172.31.0.' },
        { bridge: 'br-ctfwi000000', subnets: ['172.29.0.0/16'], internal: true, masquerade: false, gw: '172.29.0.1', prefix: '172.29.0.' },
      ];
      for (const n of nets) host.ipBatch(createBridgeCommands({ name: n.bridge, gateways: [`${n.gw}/16`], mtu: 1500 }));
      let k = 0;
      const attach = async (net: (typeof nets)[number], last: number) => {
        const c = await Sandbox.create();
        made.push(c);
        k++;
        const ep = {
          hostVeth: `vethctfw${k}`,
          tempName: `ctmpfw${k}`,
          bridge: net.bridge,
          containerNetns: c.netnsPath,
          ifname: 'eth0',
          mac: `02:42:ac:1f:00:${String(k).padStart(2, '0')}`,
          addresses: [`${net.prefix}${last}/16`],
          mtu: 1500,
          defaultGateway: net.internal ? undefined : net.gw,
          isolated: net.icc === false,
        };
        host.ipBatch(createEndpointHostCommands(ep));
        c.ipBatch(createEndpointContainerCommands(ep));
        return c;
      };
      const a1 = await attach(nets[0], 2);
      const b1 = await attach(nets[1], 2);
      await attach(nets[1], 3); // b2 at 172.31.0.3
      const i1 = await attach(nets[2], 2);
      await attach(nets[2], 3); // i2 at 172.29.0.3
      // Without rules the host forwards everything.
      assert.equal(ping(a1, '172.31.0.2'), true, 'routed across bridges before the ruleset');
      host.exec(['nft', '-f', '-'], renderRuleset(nets));
      assert.equal(ping(a1, '172.31.0.2'), false, 'bridge networks are isolated');
      assert.equal(ping(a1, '172.30.0.1'), true, 'a container still reaches its gateway');
      assert.equal(ping(b1, '172.31.0.3'), false, 'ICC off (isolated bridge ports) drops same-bridge traffic');
      assert.equal(ping(b1, '172.31.0.1'), true, 'ICC off still lets a container reach its gateway');
      assert.equal(ping(i1, '172.29.0.3'), true, 'an internal network still works inside');
      assert.equal(ping(i1, '172.30.0.2'), false, 'an internal network has no way out');
      // Replacing the ruleset is one transaction and idempotent; teardown removes only our tables.
      host.exec(['nft', '-f', '-'], renderRuleset(nets));
      assert.equal(host.exec(['nft', 'list', 'tables']).trim(), 'table inet crosstalk');
      host.exec(['nft', '-f', '-'], renderTeardown());
      assert.equal(host.exec(['nft', 'list', 'tables']).trim(), '');
      assert.equal(ping(a1, '172.31.0.2'), true, 'without our tables the host forwards again');
    } finally {
      await Promise.all([...made.map((c) => c.destroy()), host.destroy()]);
    }
    assert.equal(hostRuleset(), rulesBefore, "the machine's own ruleset is unchanged");
  });
});
