/**
 * The real host as the engine models it: its addresses and routes (so IPAM never picks a subnet
 * the host already uses), resolvers and search domains (for containers' resolv.conf). Read from
 * the sandbox namespace when there is one.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { HostModel } from '../../engine/model.js';
import { parseResolvConf } from '../../dns/files.js';

interface IpAddr {
  ifname: string;
  addr_info?: Array<{ local: string; prefixlen: number; family: string; scope: string }>;
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
}

function ipJson<T>(netnsPath: string | undefined, args: string[]): T {
  const argv = netnsPath ? ['nsenter', `--net=${netnsPath}`, '--', 'ip', '-json', ...args] : ['ip', '-json', ...args];
  return JSON.parse(execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' }) || '[]') as T;
}

export function readHostModel(netnsPath: string | undefined): Partial<HostModel> {
  const ours = /^(docker0|br-[0-9a-f]{12}|veth[0-9a-f]{7})$/;
  const addresses: HostModel['addresses'] = [];
  for (const link of ipJson<IpAddr[]>(netnsPath, ['addr'])) {
    if (link.ifname === 'lo' || ours.test(link.ifname)) continue;
    for (const a of link.addr_info ?? []) if (a.family === 'inet' && a.scope !== 'host') addresses.push({ ifname: link.ifname, cidr: `${a.local}/${a.prefixlen}` });
  }
  const routes: HostModel['routes'] = ipJson<IpRoute[]>(netnsPath, ['route'])
    // Our own bridges' routes (still there after a daemon crash) are not the host's.
    .filter((r) => r.dst !== undefined && !(r.dev && ours.test(r.dev)))
    .map((r) => ({ destination: r.dst === 'default' ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`, ...(r.gateway ? { via: r.gateway } : {}) }));
  let resolv = { nameservers: [] as string[], search: [] as string[] };
  try {
    resolv = parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    /* no resolv.conf: no resolvers */
  }
  return { hostname: hostname(), addresses, routes, nameservers: resolv.nameservers, searchDomains: resolv.search, externalHosts: {} };
}
