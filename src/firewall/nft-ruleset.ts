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

export const TABLE = 'crosstalk';

const q = (name: string) => `"${name}"`;

/**
 * The whole ruleset. Starts by (re)creating and deleting our tables so that `nft -f` replaces
 * them in one transaction, whatever was there before.
 */
export function renderRuleset(networks: FirewallNetwork[]): string {
  const lines: string[] = [];
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
  // Isolation: a packet from one bridge network to another is dropped (DOCKER-ISOLATION-STAGE-1/2).
  for (const from of networks) {
    const others = networks.filter((n) => n.bridge !== from.bridge).map((n) => `${q(n.bridge)} : drop`);
    if (others.length) lines.push(`    iifname ${q(from.bridge)} oifname vmap { ${others.join(', ')} }`);
  }
  lines.push('  }');
  const masq = networks.filter((n) => n.masquerade && !n.internal);
  if (masq.length) {
    lines.push('  chain postrouting {', '    type nat hook postrouting priority srcnat; policy accept;');
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
