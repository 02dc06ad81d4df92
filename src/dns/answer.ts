/**
 * What the embedded resolver at 127.0.0.11 answers (docker-engine.md §10.3), as a decision that a
 * server turns into a DNS message: A/AAAA from the querier's networks (shuffled, TTL 600), empty
 * NOERROR for a known name without that family, PTR `<first name>.<network>.`, and for names the
 * networks do not know, what the (simulated) upstream says. Pure: no sockets, no Node imports.
 */
import { parseIp } from '../ipam/ip.js';
import type { ContainerRecord } from '../engine/model.js';
import type { NetView } from '../sim/netview.js';

export interface DnsAnswerRecord {
  name: string;
  type: 'A' | 'AAAA' | 'PTR';
  ttl: number;
  data: string;
}

export interface DnsDecision {
  rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';
  answers: DnsAnswerRecord[];
}

export const EMBEDDED_TTL = 600;

/** `3.0.24.172.in-addr.arpa` → `172.24.0.3` (IPv4 only for now). */
export function ptrToAddress(name: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa\.?$/i.exec(name);
  if (!m) return undefined;
  const ip = `${m[4]}.${m[3]}.${m[2]}.${m[1]}`;
  return parseIp(ip) ? ip : undefined;
}

export function answerQuestion(view: NetView, c: ContainerRecord, question: { name: string; type: string }): DnsDecision {
  const name = question.name.replace(/\.$/, '');
  if (question.type === 'PTR') {
    const address = ptrToAddress(name);
    const target = address ? view.reverse(c, address) : undefined;
    if (target) return { rcode: 'NOERROR', answers: [{ name, type: 'PTR', ttl: EMBEDDED_TTL, data: `${target}.` }] };
    return { rcode: 'NXDOMAIN', answers: [] };
  }
  if (question.type !== 'A' && question.type !== 'AAAA') {
    // MX and the like for a known name: NOERROR, no answers; otherwise what upstream would say.
    const known = view.dnsQuery(c, name, 4);
    return { rcode: known.kind === 'answer' || known.kind === 'nodata' ? 'NOERROR' : 'NXDOMAIN', answers: [] };
  }
  const family = question.type === 'A' ? 4 : 6;
  const res = view.dnsQuery(c, name, family);
  switch (res.kind) {
    case 'answer':
      return { rcode: 'NOERROR', answers: res.addresses.map((data) => ({ name, type: question.type as 'A' | 'AAAA', ttl: EMBEDDED_TTL, data })) };
    case 'nodata':
      return { rcode: 'NOERROR', answers: [] };
    case 'nxdomain':
      return { rcode: 'NXDOMAIN', answers: [] };
    default:
      return { rcode: 'SERVFAIL', answers: [] };
  }
}
