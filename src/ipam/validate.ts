/**
 * IPAM configuration checks, on both sides of the API (docker-engine.md §4.1, §4.2):
 *  - ipamConfigFromFlags: the docker CLI's createIPAMConfig, which runs before any request and
 *    matches ranges/gateways/aux addresses to subnets by containment (Go net.ParseCIDR rules).
 *  - validateIpamConfig: the daemon's ValidateIPAM, which collects every problem into one
 *    400 message (Go net/netip rules, stricter).
 * The two use different parsers on purpose: the CLI happily sends `10.1.0.5/24` or a prefix
 * length with leading zeros, and the daemon is the one that rejects them.
 */

import { EngineError } from '../core/errors.js';
import {
  bitLength,
  cidrContains,
  cidrOverlaps,
  formatCidr,
  parseCidr,
  parseIp,
  unmap,
  type Cidr,
  type Family,
  type ParsedIp,
} from './ip.js';

export interface IpamConfigEntry {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Daemon side

const familyName = (f: Family) => (f === 4 ? 'IPv4' : 'IPv6');

/**
 * moby api/types/network ValidateIPAM (28.x, internal/multierror formatting): every problem
 * becomes a `* ` line under `invalid network config:`. IPv6 entries are skipped entirely when
 * IPv6 is off — after the subnet itself parsed, so a garbage subnet is always reported.
 */
export function validateIpamConfig(entries: IpamConfigEntry[], enableIPv6: boolean): void {
  const errs: string[] = [];
  for (const cfg of entries) {
    const subnetStr = cfg.Subnet ?? '';
    const subnet = parseCidr(subnetStr);
    if (!subnet) {
      errs.push(`invalid subnet ${subnetStr}: invalid CIDR block notation`);
      continue;
    }
    if (!enableIPv6 && subnet.family === 6) continue;
    if (subnet.addr !== subnet.network) {
      errs.push(`invalid subnet ${formatCidr(subnet)}: it should be ${formatCidr(subnet, true)}`);
    }
    errs.push(...ipRangeErrors(cfg.IPRange ?? '', subnet));
    const gwErr = addressError(cfg.Gateway ?? '', subnet);
    if (gwErr) errs.push(`invalid gateway ${cfg.Gateway}: ${gwErr}`);
    for (const [name, aux] of Object.entries(cfg.AuxiliaryAddresses ?? {})) {
      const e = addressError(aux, subnet);
      if (e) errs.push(`invalid auxiliary address ${name}: ${e}`);
    }
  }
  if (errs.length > 0) {
    const lines = errs.map((e) => e.replaceAll('\n', '\n\t'));
    throw new EngineError('invalid-parameter', `invalid network config:\n* ${lines.join('\n* ')}`);
  }
}

function ipRangeErrors(r: string, subnet: Cidr): string[] {
  if (r === '') return [];
  const range = parseCidr(r);
  if (!range) return [`invalid ip-range ${r}: invalid CIDR block notation`];
  if (range.family !== subnet.family) {
    return [`invalid ip-range ${r}: parent subnet is an ${familyName(subnet.family)} block`];
  }
  const errs: string[] = [];
  if (range.prefix < subnet.prefix) {
    errs.push(`invalid ip-range ${r}: CIDR block is bigger than its parent subnet ${formatCidr(subnet)}`);
  }
  if (range.addr !== range.network) {
    errs.push(`invalid ip-range ${formatCidr(range)}: it should be ${formatCidr(range, true)}`);
  }
  if (!cidrOverlaps(subnet, range)) {
    errs.push(`invalid ip-range ${r}: parent subnet ${formatCidr(subnet)} doesn't contain ip-range`);
  }
  return errs;
}

/** validateAddress: the reason text, or null when fine (or empty). */
function addressError(a: string, subnet: Cidr): string | null {
  if (a === '') return null;
  const ip = parseIp(a) ?? zonedV6(a);
  if (!ip) return 'invalid address';
  if (ip.family !== subnet.family) return `parent subnet is an ${familyName(subnet.family)} block`;
  // A zoned address parses in Go but is never contained in a prefix.
  if (a.includes('%') || !cidrContains(subnet, ip.value)) {
    return `parent subnet ${formatCidr(subnet)} doesn't contain this address`;
  }
  return null;
}

/** Go's ParseAddr accepts an IPv6 zone ("fe80::1%eth0"); parseIp does not. */
function zonedV6(a: string): ParsedIp | null {
  const i = a.indexOf('%');
  if (i < 0 || i === a.length - 1) return null;
  const ip = parseIp(a.slice(0, i));
  return ip && ip.family === 6 ? ip : null;
}

// ---------------------------------------------------------------------------------------------
// CLI side

/**
 * Go net.ParseCIDR: first `/`, address as ParseAddr without zone, then decimal digits (leading
 * zeros allowed) up to the address length. Returns the address as written and its network.
 */
function goNetParseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIp(s.slice(0, slash));
  const mask = s.slice(slash + 1);
  if (!ip || !/^[0-9]+$/.test(mask)) return null;
  const prefix = Number(mask);
  if (prefix > bitLength(ip.family)) return null;
  const host = BigInt(bitLength(ip.family) - prefix);
  return { family: ip.family, addr: ip.value, network: (ip.value >> host) << host, prefix };
}

/**
 * docker/cli subnetMatches: does `data` (an address, or a CIDR whose address is used) fall in
 * `subnet`? Mirrors net.IPNet.Contains, where an IPv4-mapped address counts as IPv4.
 */
function subnetMatches(subnet: string, data: string): boolean {
  const s = goNetParseCidr(subnet);
  if (!s) throw new Error(`invalid subnet: invalid CIDR address: ${subnet}`);
  let ip: ParsedIp | null;
  if (data.includes('/')) {
    const d = goNetParseCidr(data);
    if (!d) throw new Error(`invalid CIDR address: ${data}`);
    ip = { family: d.family, value: d.addr };
  } else {
    ip = parseIp(data);
  }
  if (!ip) return false;
  ip = unmap(ip);
  return ip.family === s.family && cidrContains(s, ip.value);
}

/**
 * docker CLI 28.2 createIPAMConfig (flags kept as strings, nothing parsed up front), checks in the
 * CLI's order; throws a plain Error whose message is what the CLI prints.
 *
 * Order of the result: one entry per --subnet, in the order the subnets were given (Docker builds
 * it from a Go map, so its order is random; ours is deterministic). Aux addresses are matched in
 * flag order, a repeated name keeping its last value (MapOpts semantics). Empty fields are omitted.
 */
export function ipamConfigFromFlags(flags: {
  subnets: string[];
  ipRanges: string[];
  gateways: string[];
  auxAddresses: Array<[string, string]>;
}): IpamConfigEntry[] {
  const { subnets, ipRanges, gateways } = flags;
  if (subnets.length < ipRanges.length || subnets.length < gateways.length) {
    throw new Error('every ip-range or gateway must have a corresponding subnet');
  }
  const data = new Map<string, { range: string; gateway: string; aux: Record<string, string> }>();
  for (const s of subnets) {
    for (const k of data.keys()) {
      const ok1 = subnetMatches(s, k);
      const ok2 = subnetMatches(k, s);
      if (ok1 || ok2) throw new Error('multiple overlapping subnet configuration is not supported');
    }
    data.set(s, { range: '', gateway: '', aux: {} });
  }

  for (const r of ipRanges) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, r)) continue;
      const d = data.get(s)!;
      if (d.range !== '') {
        throw new Error(`cannot configure multiple ranges (${r}, ${d.range}) on the same subnet (${s})`);
      }
      d.range = r;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for range ${r}`);
  }

  for (const g of gateways) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, g)) continue;
      const d = data.get(s)!;
      if (d.gateway !== '') {
        throw new Error(`cannot configure multiple gateways (${g}, ${d.gateway}) for the same subnet (${s})`);
      }
      d.gateway = g;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for gateway ${g}`);
  }

  const aux = new Map<string, string>();
  for (const [k, v] of flags.auxAddresses) aux.set(k, v);
  for (const [key, aa] of aux) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, aa)) continue;
      data.get(s)!.aux[key] = aa;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for aux-address ${aa}`);
  }

  const out: IpamConfigEntry[] = [];
  for (const [s, d] of data) {
    const e: IpamConfigEntry = { Subnet: s };
    if (d.range) e.IPRange = d.range;
    if (d.gateway) e.Gateway = d.gateway;
    if (Object.keys(d.aux).length > 0) e.AuxiliaryAddresses = d.aux;
    out.push(e);
  }
  return out;
}
