/**
 * A network's address pools: one AddressPool per subnet, gateway and aux reservations done at
 * creation in moby's order (libnetwork network.ipamAllocateVersion), and the inspect view of the
 * IPAM config (daemon/network.go buildIPAMResources).
 */

import { EngineError, invalidParameter } from '../core/errors.js';
import { AddressPool, ERR_IP_OUT_OF_RANGE, ERR_NO_AVAILABLE_IPS } from './address-pool.js';
import { formatCidr, formatIp, parseCidr, parseIp, unmap, type Family } from './ip.js';
import type { IpamConfigEntry } from './validate.js';

export interface NetworkIpamSpec {
  /** IPAM.Config as accepted by validateIpamConfig (entries of both families, any order). */
  userConfig: IpamConfigEntry[];
  enableIPv4: boolean;
  enableIPv6: boolean;
  /** Subnet picked by selectIpv4Subnet / selectIpv6Subnet when a family has no user entry. */
  dynamicV4?: string;
  dynamicV6?: string;
  /** Skip the *automatic* gateway (isolated gateway mode); a user --gateway is still reserved. */
  noGateway?: boolean;
  /** Used only to word the endpoint-level exhaustion error exactly like Docker. */
  networkName?: string;
  networkId?: string;
}

export interface AddressAssignment {
  address: string;
  prefixLen: number;
  gateway?: string;
}

interface PoolInfo {
  pool: AddressPool;
  gateway?: string;
}

export class NetworkIpam {
  private readonly user: Record<Family, IpamConfigEntry[]> = { 4: [], 6: [] };
  private readonly pools: Record<Family, PoolInfo[]> = { 4: [], 6: [] };
  private readonly name?: string;
  private readonly id?: string;

  constructor(spec: NetworkIpamSpec) {
    this.name = spec.networkName;
    this.id = spec.networkId;
    for (const e of spec.userConfig) {
      const c = parseCidr(e.Subnet ?? '');
      if (!c) throw invalidParameter(`invalid subnet ${e.Subnet ?? ''}: invalid CIDR block notation`);
      this.user[c.family].push(e);
    }
    const wanted: Array<[Family, boolean, string | undefined]> = [
      [4, spec.enableIPv4, spec.dynamicV4],
      [6, spec.enableIPv6, spec.dynamicV6],
    ];
    for (const [family, enabled, dynamic] of wanted) {
      if (!enabled) continue;
      const entries = this.user[family].length > 0 ? this.user[family] : dynamic ? [{ Subnet: dynamic }] : [];
      if (entries.length === 0) {
        throw new EngineError('internal', `no IPv${family} subnet given for an IPv${family}-enabled network`);
      }
      for (const e of entries) this.pools[family].push(this.buildPool(e, spec.noGateway === true));
    }
  }

  /** Gateway of the first pool of that family (what the bridge gets and containers route via). */
  gateway(family: Family): string | undefined {
    return this.pools[family][0]?.gateway;
  }

  /** Masked subnets of the family's pools, in configuration order. */
  subnets(family: Family): string[] {
    return this.pools[family].map((p) => formatCidr(p.pool.cidr, true));
  }

  /** The user gave IPAM config for this family (gates --ip / --ip6, §5). */
  hasUserSubnet(family: Family): boolean {
    return this.user[family].length > 0;
  }

  /**
   * Inspect's IPAM.Config, in buildIPAMResources order: user IPv4 entries, user IPv6 entries, then
   * the allocated pool of each family that had no user entry ({Subnet, Gateway}). So IPv4 comes
   * first except when IPv4 is dynamic and IPv6 user-configured. User entries are echoed verbatim,
   * even for a disabled family — Docker stores and shows them regardless.
   */
  inspectConfig(): IpamConfigEntry[] {
    const out: IpamConfigEntry[] = [];
    for (const f of [4, 6] as const) for (const e of this.user[f]) out.push(verbatim(e));
    for (const f of [4, 6] as const) {
      if (this.user[f].length > 0) continue;
      for (const p of this.pools[f]) {
        const e: IpamConfigEntry = { Subnet: formatCidr(p.pool.cidr, true) };
        if (p.gateway) e.Gateway = p.gateway;
        out.push(e);
      }
    }
    return out;
  }

  /**
   * Address for an endpoint. With `preferred` (--ip / --ip6): reserved in the pool whose subnet
   * contains it. Without: lowest free address of the first pool that has one.
   */
  allocate(family: Family, preferred?: string): AddressAssignment {
    const pools = this.pools[family];
    if (pools.length === 0) throw invalidParameter(`network has no IPv${family} address pool`);
    if (preferred !== undefined) {
      const p = pools.find((x) => x.pool.contains(preferred));
      if (!p) throw invalidParameter(ERR_IP_OUT_OF_RANGE);
      p.pool.reserve(preferred);
      return this.assignment(p, canonical(preferred));
    }
    for (const p of pools) {
      try {
        return this.assignment(p, p.pool.allocate());
      } catch (err) {
        if (!(err instanceof EngineError && err.message === ERR_NO_AVAILABLE_IPS)) throw err;
      }
    }
    if (this.name !== undefined && this.id !== undefined) {
      // libnetwork endpoint.assignAddressVersion: a plain fmt.Errorf, hence 'internal'.
      throw new EngineError(
        'internal',
        `no available IPv${family} addresses on this network's address pools: ${this.name} (${this.id})`,
      );
    }
    throw new EngineError('unavailable', ERR_NO_AVAILABLE_IPS);
  }

  /** Return an endpoint address to its pool; an address of no pool is 'requested address is out of range'. */
  release(address: string): void {
    const p = this.poolFor(address);
    if (!p) throw invalidParameter(ERR_IP_OUT_OF_RANGE);
    p.pool.release(address);
  }

  isAllocated(address: string): boolean {
    return this.poolFor(address)?.pool.isAllocated(address) ?? false;
  }

  // ---------------------------------------------------------------------------------------------

  /** The pool whose subnet holds `address` (an IPv4-mapped IPv6 form counts as IPv4). */
  private poolFor(address: string): PoolInfo | undefined {
    // Cheap family guess first: this runs on every release, and contains() does the real parse.
    const guess: Family = address.includes(':') ? 6 : 4;
    return (
      this.pools[guess].find((x) => x.pool.contains(address)) ??
      (guess === 6 ? this.pools[4].find((x) => x.pool.contains(address)) : undefined)
    );
  }

  private assignment(p: PoolInfo, address: string): AddressAssignment {
    const a: AddressAssignment = { address, prefixLen: p.pool.cidr.prefix };
    if (p.gateway) a.gateway = p.gateway;
    return a;
  }

  /** Gateway first (user's, else lowest free), then aux addresses — moby's order and error texts. */
  private buildPool(e: IpamConfigEntry, noGateway: boolean): PoolInfo {
    const pool = new AddressPool(e.Subnet!, e.IPRange ? { ipRange: e.IPRange } : {});
    const info: PoolInfo = { pool };
    const gw = e.Gateway ?? '';
    if (gw !== '' || !noGateway) {
      try {
        if (gw !== '') {
          pool.reserve(gw);
          info.gateway = canonical(gw);
        } else {
          info.gateway = pool.allocate();
        }
      } catch (err) {
        throw new EngineError('internal', `failed to allocate gateway (${gw}): ${(err as Error).message}`);
      }
    }
    for (const [k, v] of Object.entries(e.AuxiliaryAddresses ?? {})) {
      const ip = parseIp(v);
      if (!ip) {
        throw invalidParameter(`non parsable secondary ip address (${k}:${v}) passed for network ${this.name ?? ''}`);
      }
      if (!pool.contains(v)) {
        throw new EngineError(
          'forbidden',
          `auxiliary address: (${k}:${v}) must belong to the master pool: ${formatCidr(pool.cidr, true)}`,
        );
      }
      try {
        pool.reserve(v);
      } catch (err) {
        throw new EngineError('internal', `failed to allocate secondary ip address (${k}:${v}): ${(err as Error).message}`);
      }
    }
    return info;
  }
}

/** Go's String() of the parsed address, e.g. "2001:DB8::0001" → "2001:db8::1". */
function canonical(ip: string): string {
  const p = parseIp(ip);
  return p ? formatIp(unmap(p)) : ip;
}

/**
 * Copy with keys in Go struct order, empty values omitted (json omitempty) and aux names sorted
 * (Go marshals map keys in sorted order).
 */
function verbatim(e: IpamConfigEntry): IpamConfigEntry {
  const out: IpamConfigEntry = {};
  if (e.Subnet) out.Subnet = e.Subnet;
  if (e.IPRange) out.IPRange = e.IPRange;
  if (e.Gateway) out.Gateway = e.Gateway;
  if (e.AuxiliaryAddresses && Object.keys(e.AuxiliaryAddresses).length > 0) {
    const aux: Record<string, string> = {};
    for (const k of Object.keys(e.AuxiliaryAddresses).sort()) aux[k] = e.AuxiliaryAddresses[k];
    out.AuxiliaryAddresses = aux;
  }
  return out;
}
