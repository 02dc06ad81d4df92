/** Shared pieces of the network-plane integration tests. */
import { execFileSync } from 'node:child_process';
import type { DesiredEndpoint, DesiredNetwork } from '../../src/drivers/linux/network-plane.js';
import type { Sandbox } from '../../src/platform/linux/sandbox.js';
import { hasBinary } from './helpers.js';

export const hostRuleset = () => (hasBinary('nft') ? execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' }) : '');

/** The plane's runner: every command inside the sandbox that plays the host. */
export const runnerFor = (host: Sandbox) => ({ run: (argv: string[], input?: string) => host.exec(argv, input) });

export function net(n: number, over: Partial<DesiredNetwork> = {}): DesiredNetwork {
  const id = `${n}`.repeat(64).slice(0, 64);
  return {
    id,
    bridge: `br-${id.slice(0, 12)}`,
    gateways: [`172.${20 + n}.0.1/16`],
    subnets4: [`172.${20 + n}.0.0/16`],
    subnets6: [],
    mtu: 1500,
    internal: false,
    masquerade: true,
    icc: true,
    ...over,
  };
}

let vethSeq = 0;
export function endpoint(c: Sandbox, cid: string, network: DesiredNetwork, host: number, ifname: string, defaultRoute: boolean): DesiredEndpoint {
  const prefix = network.subnets4[0].replace(/\.0\.0\/16$/, '');
  const v6 = network.subnets6[0]?.replace(/::\/64$/, '');
  const seq = ++vethSeq;
  return {
    key: `${cid}/${network.id}`,
    containerId: cid,
    networkId: network.id,
    netnsPath: c.netnsPath,
    hostVeth: `veth${seq.toString(16).padStart(7, '0')}`,
    ifname,
    mac: `02:42:ac:${(20 + Number(network.id[0])).toString(16)}:00:${host.toString(16).padStart(2, '0')}`,
    addresses: [`${prefix}.0.${host}/16`, ...(v6 ? [`${v6}::${host.toString(16)}/64`] : [])],
    gateway4: network.internal ? undefined : `${prefix}.0.1`,
    gateway6: v6 && !network.internal ? `${v6}::1` : undefined,
    defaultRoute,
    advertise: { count: 3, intervalMs: 1000 },
  };
}

export function defaultGateway(c: Sandbox, family: 4 | 6 = 4): string | undefined {
  const routes = c.ipJson<Array<{ dst: string; gateway?: string }>>([`-${family}`, 'route']);
  return routes.find((r) => r.dst === 'default')?.gateway;
}

export function ping6(from: Sandbox, to: string): boolean {
  try {
    from.exec(['busybox', 'ping6', '-c', '1', '-W', '1', to]);
    return true;
  } catch {
    return false;
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
