/**
 * Per-network DNS tables of the embedded resolver (docker-engine.md §10.2): every DNS name of an
 * endpoint maps to its addresses on that network; only the first name owns the PTR record.
 * Names are stored lower-cased. Tables change when endpoints join and leave.
 */
import type { ContainerRecord, EndpointRecord, NetworkRecord } from '../engine/model.js';

export interface DnsEntry {
  containerId: string;
  endpointId: string;
  ipv4?: string;
  ipv6?: string;
}

export interface PtrEntry {
  name: string;
  networkName: string;
}

/** Docker's DNSNames order: name, aliases, short ID, hostname; first occurrence kept. */
export function buildDnsNames(container: Pick<ContainerRecord, 'id' | 'name' | 'hostname'>, aliases: string[]): string[] {
  const out: string[] = [];
  for (const n of [container.name, ...aliases, container.id.slice(0, 12), container.hostname]) {
    if (n && !out.includes(n)) out.push(n);
  }
  return out;
}

export class DnsTable {
  /** networkId → lower-cased name → entries (insertion order; answers are shuffled). */
  private readonly names = new Map<string, Map<string, DnsEntry[]>>();
  /** networkId → address → PTR target. */
  private readonly ptr = new Map<string, Map<string, PtrEntry>>();

  register(network: NetworkRecord, container: ContainerRecord, ep: EndpointRecord): void {
    let table = this.names.get(network.id);
    if (!table) this.names.set(network.id, (table = new Map()));
    const entry: DnsEntry = { containerId: container.id, endpointId: ep.id, ipv4: ep.ipv4, ipv6: ep.ipv6 };
    const seen = new Set<string>();
    for (const name of ep.dnsNames) {
      const key = name.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const list = table.get(key);
      if (list) list.push(entry);
      else table.set(key, [entry]);
    }
    if (ep.dnsNames.length > 0) {
      let ptrs = this.ptr.get(network.id);
      if (!ptrs) this.ptr.set(network.id, (ptrs = new Map()));
      const target = { name: ep.dnsNames[0].toLowerCase(), networkName: network.name };
      if (ep.ipv4) ptrs.set(ep.ipv4, target);
      if (ep.ipv6) ptrs.set(ep.ipv6, target);
    }
  }

  unregister(networkId: string, ep: EndpointRecord): void {
    const table = this.names.get(networkId);
    if (table) {
      for (const name of ep.dnsNames) {
        const key = name.toLowerCase();
        const list = table.get(key);
        if (!list) continue;
        const kept = list.filter((e) => e.endpointId !== ep.id);
        if (kept.length) table.set(key, kept);
        else table.delete(key);
      }
    }
    const ptrs = this.ptr.get(networkId);
    if (ptrs) {
      if (ep.ipv4) ptrs.delete(ep.ipv4);
      if (ep.ipv6) ptrs.delete(ep.ipv6);
    }
  }

  dropNetwork(networkId: string): void {
    this.names.delete(networkId);
    this.ptr.delete(networkId);
  }

  lookup(networkId: string, name: string): DnsEntry[] | undefined {
    return this.names.get(networkId)?.get(name.toLowerCase());
  }

  reverse(networkId: string, address: string): PtrEntry | undefined {
    return this.ptr.get(networkId)?.get(address);
  }
}
