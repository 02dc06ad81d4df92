/**
 * What exists in the (sandbox) host namespace, read with one `ip -json -details addr show`:
 * which links are ours (bridges `docker0` / `br-<12hex>` or a desired bridge name; veth host ends
 * `veth<7hex>` enslaved to one of our bridges) and their addresses, MTU and master.
 */
import type { CommandRunner } from './ip-batch.js';

export interface ObservedLink {
  name: string;
  kind: string;
  mtu: number;
  master?: string;
  up: boolean;
  /** Addresses with prefix, global scope only. */
  addresses: string[];
}

interface IpJsonLink {
  ifname: string;
  mtu: number;
  master?: string;
  flags?: string[];
  linkinfo?: { info_kind?: string; info_slave_kind?: string };
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope?: string }>;
}

export const OUR_BRIDGE = /^(docker0|br-[0-9a-f]{12})$/;
export const OUR_VETH = /^veth[0-9a-f]{7}$/;

export function readLinks(runner: CommandRunner): Map<string, ObservedLink> {
  const text = runner.run(['ip', '-json', '-details', 'addr', 'show']);
  const out = new Map<string, ObservedLink>();
  for (const l of JSON.parse(text || '[]') as IpJsonLink[]) {
    out.set(l.ifname, {
      name: l.ifname,
      kind: l.linkinfo?.info_kind ?? '',
      mtu: l.mtu,
      master: l.master,
      up: (l.flags ?? []).includes('UP'),
      addresses: (l.addr_info ?? []).filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`),
    });
  }
  return out;
}

/** Bridges that are ours: the name pattern, or a bridge name the desired state uses. */
export function ownedBridges(links: Map<string, ObservedLink>, desiredBridges: Set<string>): ObservedLink[] {
  return [...links.values()].filter((l) => l.kind === 'bridge' && (OUR_BRIDGE.test(l.name) || desiredBridges.has(l.name)));
}

/** Veth host ends that are ours: the name pattern and a master among our bridges (or a desired veth name). */
export function ownedVeths(links: Map<string, ObservedLink>, bridges: Set<string>, desiredVeths: Set<string>): ObservedLink[] {
  return [...links.values()].filter(
    (l) => l.kind === 'veth' && OUR_VETH.test(l.name) && ((l.master !== undefined && bridges.has(l.master)) || desiredVeths.has(l.name)),
  );
}

/** Normalizes a CIDR for comparison (IPv6 text forms differ: `fd00:0::1` vs `fd00::1`). */
export function normCidr(cidr: string): string {
  const [addr, len] = cidr.split('/');
  if (!addr.includes(':')) return cidr;
  return `${expand6(addr)}/${len}`;
}

function expand6(addr: string): string {
  const [head, tail] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail !== undefined ? new Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((x) => parseInt(x, 16).toString(16)).join(':');
}
