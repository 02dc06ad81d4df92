/**
 * Docker's packet-filtering decisions for bridge networks (docker-engine.md §13) as one nftables
 * ruleset in crosstalk's own tables, replaced atomically in one `nft -f` transaction. Pure text:
 * golden-tested here, applied inside the sandbox by the Linux data plane. Other tables are never
 * touched.
 */

export interface FirewallNetwork {
  bridge: string;
  /** IPv4 subnets of the network. */
  subnets: string[];
  /** IPv6 subnets of the network (optional). */
  subnets6?: string[];
  internal: boolean;
  masquerade: boolean;
}

/**
 * One published port as the kernel sees it (userland proxy off): connections to `hostIp:hostPort`
 * are DNATed to `containerIp:containerPort`. The family is the container address's; `hostIp` is
 * '' (or `0.0.0.0` / `::`) for every local address of the host, else one address of that family.
 */
export interface FirewallPort {
  proto: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

export const TABLE = 'crosstalk';

const isV6 = (ip: string) => ip.includes(':');
const anyHost = (ip: string) => ip === '' || ip === '0.0.0.0' || ip === '::';
const isLoopback = (ip: string) => ip === '::1' || ip.startsWith('127.');

/** Deterministic order of ports (and drop of exact duplicates) for golden-stable text. */
export function sortPorts(ports: FirewallPort[]): FirewallPort[] {
  const key = (p: FirewallPort) => [isV6(p.containerIp) ? 6 : 4, p.proto, String(p.hostPort).padStart(5, '0'), p.hostIp, p.containerIp, String(p.containerPort).padStart(5, '0')].join(' ');
  const byKey = new Map(ports.map((p) => [key(p), p]));
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

/**
 * The DNAT rule of one port in the prerouting (`output` false) or output hook, or undefined when
 * that hook has none: a loopback binding is reachable from the host only (no prerouting rule, as
 * Docker 28 drops such packets arriving on other interfaces), and IPv6 loopback cannot be DNATed
 * to another interface at all (there is no `route_localnet` for IPv6).
 */
function dnatRule(p: FirewallPort, output: boolean): string | undefined {
  const v6 = isV6(p.containerIp);
  const fam = v6 ? 'ip6' : 'ip';
  let match: string;
  if (anyHost(p.hostIp)) {
    // Loopback destinations from outside are martians; from the host itself they are DNATed
    // (IPv4 only, needs route_localnet=1).
    const lo = v6 ? 'ip6 daddr != ::1 ' : output ? 'meta nfproto ipv4 ' : 'ip daddr != 127.0.0.0/8 ';
    match = `${lo}fib daddr type local`;
  } else {
    if (isV6(p.hostIp) !== v6) return undefined;
    if (isLoopback(p.hostIp) && (!output || v6)) return undefined;
    match = `${fam} daddr ${p.hostIp}`;
  }
  const to = v6 ? `[${p.containerIp}]:${p.containerPort}` : `${p.containerIp}:${p.containerPort}`;
  return `${match} ${p.proto} dport ${p.hostPort} dnat ${fam} to ${to}`;
}

const q = (name: string) => `"${name}"`;

/**
 * The whole ruleset. Starts by (re)creating and deleting our tables so that `nft -f` replaces
 * them in one transaction, whatever was there before.
 */
export function renderRuleset(networks: FirewallNetwork[], ports: FirewallPort[] = []): string {
  const lines: string[] = [];
  ports = sortPorts(ports);
  const external = networks.filter((n) => !n.internal);
  lines.push(`table inet ${TABLE}`, `delete table inet ${TABLE}`);
  lines.push(`table inet ${TABLE} {`);
  lines.push('  chain forward {', '    type filter hook forward priority filter; policy accept;');
  // Internal networks: nothing leaves or enters their subnet through the host.
  for (const n of networks.filter((x) => x.internal)) {
    for (const s of n.subnets) {
      lines.push(`    iifname ${q(n.bridge)} ip daddr != ${s} drop`);
      lines.push(`    oifname ${q(n.bridge)} ip saddr != ${s} drop`);
    }
    for (const s of n.subnets6 ?? []) {
      lines.push(`    iifname ${q(n.bridge)} ip6 daddr != ${s} drop`);
      lines.push(`    oifname ${q(n.bridge)} ip6 saddr != ${s} drop`);
    }
  }
  // Published ports: DNATed connections (ours are the only DNAT in this namespace) cross networks,
  // as Docker's published ports do (docker-proxy there); internal networks stay closed (above).
  if (ports.length) lines.push('    ct status dnat accept');
  // Isolation: a packet from one bridge network to another is dropped (DOCKER-ISOLATION-STAGE-1/2).
  for (const from of networks) {
    const others = networks.filter((n) => n.bridge !== from.bridge).map((n) => `${q(n.bridge)} : drop`);
    if (others.length) lines.push(`    iifname ${q(from.bridge)} oifname vmap { ${others.join(', ')} }`);
  }
  lines.push('  }');
  if (ports.length) {
    // `dstnat` is -100; older nft (1.0.6) only accepts the name in prerouting.
    for (const [hook, output] of [['prerouting', false], ['output', true]] as const) {
      lines.push(`  chain ${hook} {`, `    type nat hook ${hook} priority ${output ? '-100' : 'dstnat'}; policy accept;`);
      for (const p of ports) {
        const rule = dnatRule(p, output);
        if (rule) lines.push(`    ${rule}`);
      }
      lines.push('  }');
    }
  }
  const masq = networks.filter((n) => n.masquerade && !n.internal);
  if (masq.length || (ports.length && external.length)) {
    lines.push('  chain postrouting {', '    type nat hook postrouting priority srcnat; policy accept;');
    if (ports.length && external.length) {
      // Hairpin: a container reaching a published port (its own or a neighbour's) through a host
      // address is DNATed back onto its own bridge; the reply must come back through the host.
      for (const n of external) {
        for (const s of n.subnets) lines.push(`    ct status dnat ip saddr ${s} oifname ${q(n.bridge)} masquerade`);
        for (const s of n.subnets6 ?? []) lines.push(`    ct status dnat ip6 saddr ${s} oifname ${q(n.bridge)} masquerade`);
      }
      // The host's own 127.0.0.1:<port> DNATed onto a bridge: the container cannot answer 127/8.
      lines.push(`    ip saddr 127.0.0.0/8 oifname { ${external.map((n) => q(n.bridge)).join(', ')} } masquerade`);
    }
    for (const n of masq) {
      for (const s of n.subnets) lines.push(`    ip saddr ${s} oifname != ${q(n.bridge)} masquerade`);
      for (const s of n.subnets6 ?? []) lines.push(`    ip6 saddr ${s} oifname != ${q(n.bridge)} masquerade`);
    }
    lines.push('  }');
  }
  lines.push('}');
  // ICC off is not here: same-bridge traffic never reaches the inet forward hook (that would need
  // br_netfilter, a machine-wide change). The data plane marks such networks' ports `isolated`
  // on the bridge instead (ip-commands.ts), which blocks port-to-port traffic but not the gateway.
  return `${lines.join('\n')}\n`;
}

/** Removes crosstalk's tables (and only those). */
export function renderTeardown(): string {
  return `table inet ${TABLE}\ndelete table inet ${TABLE}\n`;
}
