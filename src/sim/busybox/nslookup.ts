/**
 * busybox 1.36 `nslookup` (networking/nslookup.c, the FEATURE_NSLOOKUP_BIG resolver): it reads
 * /etc/resolv.conf itself (no /etc/hosts), sends an A and an AAAA query (a PTR query for an
 * address) to the first nameserver, and prints each reply as it comes:
 *
 *   Server:\t\t127.0.0.11
 *   Address:\t127.0.0.11:53
 *   (blank)
 *   Non-authoritative answer:        ← Docker's resolver never sets AA
 *   Name:\talpine2
 *   Address: 172.24.0.3
 *   (blank)
 *   Non-authoritative answer:        ← the AAAA reply: NOERROR, no records
 *   (blank)
 *
 * NXDOMAIN / SERVFAIL replies print `** server can't find NAME: NXDOMAIN` (exit 1). With a
 * `search` line and a dot-less name, busybox queries only NAME.DOMAIN for each search domain
 * (never the bare name) — a real busybox quirk reproduced here. No reply at all:
 * `;; connection timed out; no servers could be reached` (exit 1).
 */
import { parseIp } from '../../ipam/ip.js';
import { parseResolvConf, resolvConf } from '../../dns/files.js';
import type { LookupResult } from '../netview.js';
import { BUSYBOX_BANNER, strerror, type CmdContext } from '../context.js';
import { sockaddr } from '../resolve.js';

const USAGE = `${BUSYBOX_BANNER}\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n`;

const QTYPES = ['SOA', 'NS', 'A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'PTR', 'ANY'];

/** Resolvers of the simulated outside world that answer whoever can reach them. */
const PUBLIC_RESOLVERS = new Set(['8.8.8.8', '8.8.4.4', '1.1.1.1', '1.0.0.1', '9.9.9.9', '2001:4860:4860::8888', '2001:4860:4860::8844']);

interface Query {
  name: string;
  type: string;
}

type Reply = LookupResult | { kind: 'ptr'; name: string } | { kind: 'none' };

export function nslookup(ctx: CmdContext, argv: string[]): number {
  const types: string[] = [];
  let i = 1;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    const [opt, val = ''] = argv[i].slice(1).split('=');
    if (opt === 'type' || opt === 'querytype') {
      const t = QTYPES.find((q) => q.toLowerCase() === val.toLowerCase());
      if (!t) {
        ctx.err(`nslookup: invalid query type "${val}"\n`);
        return 1;
      }
      if (!types.includes(t)) types.push(t);
    } else if (!['port', 'retry', 'debug', 't', 'timeout'].includes(opt)) {
      ctx.err(USAGE);
      return 1;
    }
  }
  const args = argv.slice(i);
  if (args.length < 1 || args.length > 2) {
    ctx.err(USAGE);
    return 1;
  }
  const view = ctx.view;
  if (!view) return 0;
  const [name, explicitServer] = args;

  let servers: string[];
  let search: string[] = [];
  if (explicitServer) servers = [explicitServer];
  else {
    const rc = parseResolvConf(resolvConf(view.engine, ctx.c));
    servers = rc.nameservers.length ? rc.nameservers : ['127.0.0.1'];
    search = rc.search.filter((s) => s !== '.');
    if (rc.search.length === 0 && ctx.c.hostname.includes('.')) search = [ctx.c.hostname.slice(ctx.c.hostname.indexOf('.') + 1)];
  }

  const queries: Query[] = [];
  const withSearch = (type: string) => {
    if (type === 'PTR' || search.length === 0 || name.includes('.')) queries.push({ name, type });
    else for (const d of search) queries.push({ name: `${name}.${d}`, type });
  };
  const ptr = makePtr(name);
  if (types.length === 0) {
    if (ptr) queries.push({ name: ptr, type: 'PTR' });
    else {
      withSearch('A');
      withSearch('AAAA');
    }
  } else for (const t of QTYPES) if (types.includes(t)) withSearch(t);

  let exitCode = 0;
  for (let s = 0; s < servers.length; s++) {
    const server = servers[s];
    const kind = serverKind(ctx, server);
    if (kind === 'unreachable') {
      ctx.err(`nslookup: can't connect to remote host (${server}): ${strerror(ctx.c, 'ENETUNREACH')}\n`);
      return 1;
    }
    if (kind === 'refused') {
      ctx.err('nslookup: read: Connection refused\nnslookup: read: Connection refused\n');
    }
    const replies = queries.map((q) => (kind === 'embedded' || kind === 'upstream' ? answer(ctx, kind, q) : ({ kind: 'none' } as Reply)));
    const answered = replies.filter((r) => r.kind !== 'none' && r.kind !== 'timeout');
    if (answered.length === 0) {
      if (s === servers.length - 1) {
        ctx.out(';; connection timed out; no servers could be reached\n\n');
        return 1;
      }
      continue;
    }
    ctx.out(`Server:\t\t${server}\nAddress:\t${sockaddr(server, 53)}\n\n`);
    let unanswered = '';
    queries.forEach((q, qi) => {
      const r = replies[qi];
      switch (r.kind) {
        case 'answer':
          ctx.out('Non-authoritative answer:\n');
          for (const a of r.addresses) ctx.out(`Name:\t${q.name}\nAddress: ${a}\n`);
          ctx.out('\n');
          break;
        case 'ptr':
          ctx.out(`Non-authoritative answer:\n${q.name}\tname = ${r.name}\n\n`);
          break;
        case 'nodata':
          ctx.out('Non-authoritative answer:\n\n');
          break;
        case 'nxdomain':
        case 'servfail':
          ctx.out(`** server can't find ${q.name}: ${r.kind === 'nxdomain' ? 'NXDOMAIN' : 'SERVFAIL'}\n\n`);
          exitCode = 1;
          break;
        default:
          unanswered += `*** Can't find ${q.name}: No answer\n`;
      }
    });
    if (unanswered) ctx.out(`${unanswered}\n`);
    return exitCode;
  }
  return exitCode;
}

/** `1.2.3.4` → `4.3.2.1.in-addr.arpa`; IPv6 → nibbles under ip6.arpa; names → undefined. */
export function makePtr(addr: string): string | undefined {
  const ip = parseIp(addr);
  if (!ip) return undefined;
  if (ip.family === 4) return `${addr.split('.').reverse().join('.')}.in-addr.arpa`;
  const hex = ip.value.toString(16).padStart(32, '0');
  return `${hex.split('').reverse().join('.')}.ip6.arpa`;
}

function ptrToAddress(ptr: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(ptr);
  if (m) return `${m[4]}.${m[3]}.${m[2]}.${m[1]}`;
  return undefined;
}

function serverKind(ctx: CmdContext, server: string): 'embedded' | 'upstream' | 'refused' | 'unreachable' | 'silent' {
  const view = ctx.view!;
  if (!parseIp(server)) return 'silent';
  if (server === '127.0.0.11') return view.hasEmbeddedDns(ctx.c) ? 'embedded' : 'refused';
  if (server.startsWith('127.') || server === '::1') return 'refused';
  const reach = view.reach(ctx.c, server, 'udp', 53);
  if (reach.outcome === 'net-unreachable') return 'unreachable';
  if (view.engine.host.nameservers.includes(server) || PUBLIC_RESOLVERS.has(server)) {
    return view.externalAccess(ctx.c) ? 'upstream' : 'silent';
  }
  return 'silent';
}

function answer(ctx: CmdContext, kind: 'embedded' | 'upstream', q: Query): Reply {
  const view = ctx.view!;
  if (q.type === 'PTR') {
    const addr = ptrToAddress(q.name);
    if (kind === 'embedded' && addr) {
      const name = view.reverse(ctx.c, addr);
      if (name) return { kind: 'ptr', name };
      if (!view.externalAccess(ctx.c)) return { kind: 'servfail', reason: 'no external access to forward the PTR query' };
    }
    const ext = Object.entries(view.engine.host.externalHosts).find(([, a]) => a === addr);
    return ext ? { kind: 'ptr', name: ext[0] } : { kind: 'nxdomain', reason: 'unknown address' };
  }
  if (q.type !== 'A' && q.type !== 'AAAA') {
    // Other types: Docker forwards them; the simulated upstream has no such records.
    if (kind === 'embedded' && !view.externalAccess(ctx.c)) return { kind: 'servfail', reason: 'no external access' };
    return { kind: 'nodata', source: 'upstream', reason: 'no records of that type' };
  }
  const family = q.type === 'A' ? 4 : 6;
  return kind === 'embedded' ? view.dnsQuery(ctx.c, q.name, family) : view.upstreamQuery(q.name, family);
}
