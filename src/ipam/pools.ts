/**
 * Default address pools and dynamic subnet selection (docker-engine.md §3).
 *
 * Two selection strategies exist because Docker changed its allocator in Engine 27:
 *  - 'lowest-free' (27+, default profile): stateless, first candidate that overlaps nothing.
 *  - 'rotating' (24–26, legacy profile): a start index that only ever moves forward, so
 *    create/delete cycles climb through the pools even while lower subnets are free.
 *
 * IPv4 subnets are handled as [start, end] number spans (uint32 fits exactly in a double), which
 * keeps selection cheap even when `allocated` holds thousands of explicit subnets.
 */

import { forbidden, invalidParameter, notFound } from '../core/errors.js';
import { formatCidr, formatIpv4Number, parseCidr, parseIp, parseIpv4Number, type Cidr } from './ip.js';
import { sha256 } from './sha256.js';

export interface PoolSpec {
  base: string;
  size: number;
}

/** moby libnetwork/ipamutils localScopeDefaultNetworks: 15 × /16 then 16 × /20 = 31 subnets. */
export const DEFAULT_POOLS: PoolSpec[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** Persisted by the engine; only the legacy 'rotating' mode reads or writes it. */
export interface SubnetSelectorState {
  rotatingIndex: number;
}

export type SelectionMode = 'lowest-free' | 'rotating';

export const ERR_POOLS_EXHAUSTED = 'all predefined address pools have been fully subnetted';
export const ERR_POOLS_EXHAUSTED_LEGACY =
  'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network';
/** Engine 24–26: an IPv6 network without an explicit subnet fails with this (no default v6 pool). */
export const ERR_NO_V6_POOL_LEGACY =
  'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network';
export const ERR_POOL_OVERLAP = 'Pool overlaps with other one on this address space';

// ---------------------------------------------------------------------------------------------
// IPv4 spans

interface Span {
  start: number;
  end: number; // inclusive
}

/**
 * Parse cache: the engine passes the same subnet strings on every call, so memoising turns the
 * per-call cost into a Map lookup per entry. Bounded by a crude reset to stay small.
 */
const spanCache = new Map<string, Span | null>();

/** "a.b.c.d/n" or a bare "a.b.c.d" (host prefix) → masked span; null for anything else (v6 too). */
function v4Span(s: string): Span | null {
  const hit = spanCache.get(s);
  if (hit !== undefined) return hit;
  let span: Span | null = null;
  const slash = s.indexOf('/');
  const ip = parseIpv4Number(slash < 0 ? s : s.slice(0, slash));
  const bitsStr = slash < 0 ? '32' : s.slice(slash + 1);
  if (ip !== null && /^(0|[1-9][0-9]?)$/.test(bitsStr) && Number(bitsStr) <= 32) {
    const size = 2 ** (32 - Number(bitsStr));
    const start = Math.floor(ip / size) * size;
    span = { start, end: start + size - 1 };
  }
  if (spanCache.size > 50_000) spanCache.clear();
  spanCache.set(s, span);
  return span;
}

/** Sorted, disjoint, merged spans. */
function mergeSpans(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end + 1) {
      if (s.end > last.end) last.end = s.end;
    } else {
      out.push({ start: s.start, end: s.end });
    }
  }
  return out;
}

function busySpans(...lists: string[][]): Span[] {
  const spans: Span[] = [];
  for (const list of lists) {
    for (const s of list) {
      const sp = v4Span(s);
      if (sp) spans.push(sp); // IPv6 and unparsable entries cannot collide with a v4 candidate
    }
  }
  return mergeSpans(spans);
}

/** Index of the first span whose end is ≥ x. */
function lowerBound(spans: Span[], x: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid].end < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function overlapsAny(spans: Span[], c: Span): boolean {
  const i = lowerBound(spans, c.start);
  return i < spans.length && spans[i].start <= c.end;
}

/**
 * First aligned block of 2^(32-size) addresses inside `pool` that touches no busy span. Jumps
 * over each busy span instead of enumerating candidates, so a /8 split into /24s stays cheap.
 */
function firstFreeIn(pool: Span, size: number, busy: Span[]): number | null {
  const step = 2 ** (32 - size);
  let cand = pool.start;
  let i = lowerBound(busy, cand);
  while (cand + step - 1 <= pool.end) {
    while (i < busy.length && busy[i].end < cand) i++;
    if (i === busy.length || busy[i].start > cand + step - 1) return cand;
    cand = Math.ceil((busy[i].end + 1) / step) * step;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Pool preparation

interface PreparedPool {
  span: Span;
  prefix: number;
  size: number;
}

function preparePool(p: PoolSpec): PreparedPool | null {
  const c = parseCidr(p.base);
  if (!c) throw invalidParameter(`invalid default address pool base ${p.base}`);
  if (c.family !== 4) return null; // IPv6 pools take no part in IPv4 selection
  if (!Number.isInteger(p.size) || p.size < c.prefix || p.size > 32) {
    throw invalidParameter(`default address pool ${p.base} cannot be split into /${p.size} subnets`);
  }
  const start = Number(c.network);
  return { span: { start, end: start + 2 ** (32 - c.prefix) - 1 }, prefix: c.prefix, size: p.size };
}

/**
 * Engine 27+ ordering (moby newAddrSpace): sort by address then prefix length, and drop pools
 * overlapping an earlier one so a sub-pool is never subnetted separately.
 */
function sortedPools(pools: PoolSpec[]): PreparedPool[] {
  const prepared = pools.map(preparePool).filter((p): p is PreparedPool => p !== null);
  prepared.sort((a, b) => a.span.start - b.span.start || a.prefix - b.prefix);
  const out: PreparedPool[] = [];
  for (const p of prepared) {
    const last = out[out.length - 1];
    if (last && p.span.start <= last.span.end) continue;
    out.push(p);
  }
  return out;
}

/**
 * Engine 24–26 candidate list: every pool split in configuration order, no sorting. IPv6 pools
 * keep their slots as `null` because moby's start index counts them too.
 */
const rotatingCache = new Map<string, Array<{ span: Span; size: number } | null>>();

function rotatingCandidates(pools: PoolSpec[]): Array<{ span: Span; size: number } | null> {
  const key = JSON.stringify(pools);
  const hit = rotatingCache.get(key);
  if (hit) return hit;
  const out: Array<{ span: Span; size: number } | null> = [];
  for (const p of pools) {
    const pp = preparePool(p);
    if (!pp) {
      out.push(null);
      continue;
    }
    const step = 2 ** (32 - pp.size);
    for (let s = pp.span.start; s <= pp.span.end; s += step) {
      out.push({ span: { start: s, end: s + step - 1 }, size: pp.size });
    }
  }
  if (rotatingCache.size > 16) rotatingCache.clear();
  rotatingCache.set(key, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Public selection API

/**
 * Pick a dynamic IPv4 subnet (§3.3 / §3.4).
 *
 * `allocated`: every subnet any network holds (dynamic or explicit; IPv6 entries are ignored).
 * `reserved`: host prefixes to avoid (§3.2: nameserver host routes, on-link route destinations),
 * as CIDRs or bare addresses.
 */
export function selectIpv4Subnet(args: {
  allocated: string[];
  reserved: string[];
  mode: SelectionMode;
  state: SubnetSelectorState;
  pools?: PoolSpec[];
}): string {
  const pools = args.pools ?? DEFAULT_POOLS;
  if (args.mode === 'rotating') return selectRotating(pools, args.allocated, args.reserved, args.state);

  const busy = busySpans(args.allocated, args.reserved);
  for (const p of sortedPools(pools)) {
    const start = firstFreeIn(p.span, p.size, busy);
    if (start !== null) return `${formatIpv4Number(start)}/${p.size}`;
  }
  throw invalidParameter(ERR_POOLS_EXHAUSTED);
}

/**
 * moby v26 allocatePredefinedPool + network.requestPoolHelper. Quirk kept on purpose: after a
 * pick at rotated position i the index becomes `index + i + 1`, reset to 0 (not wrapped modulo)
 * when it runs past the end — what updatePredefinedStartIndex does.
 */
function selectRotating(
  pools: PoolSpec[],
  allocated: string[],
  reserved: string[],
  state: SubnetSelectorState,
): string {
  const cands = rotatingCandidates(pools);
  const len = cands.length;
  const busy = busySpans(allocated);
  const hostReserved = busySpans(reserved);
  // Candidates that hit a reserved prefix stay "leased" for the rest of this request so the
  // allocator moves past them; moby releases those leases when the request finishes.
  const leased: Span[] = [];
  for (;;) {
    const stored = state.rotatingIndex;
    const start = stored >= 0 && stored < len ? stored : 0;
    let found = -1;
    for (let i = 0; i < len; i++) {
      const c = cands[(start + i) % len];
      if (!c) continue;
      if (overlapsAny(busy, c.span) || leased.some((l) => l.start <= c.span.end && c.span.start <= l.end)) continue;
      found = i;
      break;
    }
    if (found < 0) throw notFound(ERR_POOLS_EXHAUSTED_LEGACY);
    const next = stored + found + 1;
    state.rotatingIndex = next < 0 || next >= len ? 0 : next;
    const pick = cands[(start + found) % len]!;
    if (overlapsAny(hostReserved, pick.span)) {
      leased.push(pick.span);
      continue;
    }
    return `${formatIpv4Number(pick.span.start)}/${pick.size}`;
  }
}

/**
 * Overlap check for an explicit --subnet (§4.3). Callers creating a network with --ip-range skip
 * this: moby does not overlap-check the parent of a sub-pool (moby#46756); the bridge driver's
 * conflict check catches real clashes instead.
 */
export function checkExplicitSubnet(subnet: string, allocated: string[], mode: SelectionMode): void {
  const c = parseCidr(subnet);
  if (!c) throw invalidParameter(`invalid subnet ${subnet}: invalid CIDR block notation`);
  const msg = mode === 'lowest-free' ? `invalid pool request: ${ERR_POOL_OVERLAP}` : ERR_POOL_OVERLAP;
  if (c.family === 4) {
    const span = v4Span(formatCidr(c, true))!;
    for (const a of allocated) {
      const s = v4Span(a);
      if (s && s.start <= span.end && span.start <= s.end) throw forbidden(msg);
    }
    return;
  }
  const bigSpans = v6Spans(allocated);
  const end = c.network + (1n << BigInt(128 - c.prefix)) - 1n;
  if (bigSpans.some((s) => s.start <= end && c.network <= s.end)) throw forbidden(msg);
}

// ---------------------------------------------------------------------------------------------
// IPv6: host-derived ULA pool (Engine 27+)

/** Go's []byte(string): UTF-8 bytes (no TextEncoder — not in the browser-safe type set). */
function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

/**
 * moby deriveULABaseNetwork: the low 40 bits of the first 8 bytes of SHA-256(hostID), i.e.
 * digest bytes 3..7, placed after `fd` → a /48 split into /64s.
 */
export function deriveUlaBase(hostId: string): string {
  const d = sha256(utf8(hostId));
  let gid = 0n;
  for (let i = 3; i < 8; i++) gid = (gid << 8n) | BigInt(d[i]);
  const v = (0xfdn << 120n) | (gid << 80n);
  return formatCidr({ family: 6, addr: v, network: v, prefix: 48 });
}

interface BigSpan {
  start: bigint;
  end: bigint;
}

/** Sorted, merged IPv6 spans of the IPv6 entries in `list` (CIDRs or bare addresses). */
function v6Spans(list: string[]): BigSpan[] {
  const spans: BigSpan[] = [];
  for (const s of list) {
    const c: Cidr | null = s.includes('/') ? parseCidr(s) : hostPrefix(s);
    if (!c || c.family !== 6) continue;
    spans.push({ start: c.network, end: c.network + (1n << BigInt(128 - c.prefix)) - 1n });
  }
  spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: BigSpan[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end + 1n) {
      if (s.end > last.end) last.end = s.end;
    } else {
      out.push({ ...s });
    }
  }
  return out;
}

function hostPrefix(s: string): Cidr | null {
  const ip = parseIp(s);
  if (!ip) return null;
  const prefix = ip.family === 4 ? 32 : 128;
  return { family: ip.family, addr: ip.value, network: ip.value, prefix };
}

/**
 * First /64 of the ULA /48 overlapping no allocated (or reserved) IPv6 prefix — lowest-free, as
 * Engine 27+ does for every pool.
 */
export function selectIpv6Subnet(allocated: string[], ulaBase: string, reserved: string[] = []): string {
  const base = parseCidr(ulaBase);
  if (!base || base.family !== 6 || base.prefix > 64) {
    throw invalidParameter(`invalid IPv6 base pool ${ulaBase}`);
  }
  const busy = v6Spans([...allocated, ...reserved]);
  const step = 1n << 64n;
  const last = base.network + (1n << BigInt(128 - base.prefix)) - 1n;
  let cand = base.network;
  let i = 0;
  while (cand + step - 1n <= last) {
    while (i < busy.length && busy[i].end < cand) i++;
    if (i === busy.length || busy[i].start > cand + step - 1n) {
      return formatCidr({ family: 6, addr: cand, network: cand, prefix: 64 });
    }
    cand = ((busy[i].end >> 64n) + 1n) << 64n;
  }
  throw invalidParameter(ERR_POOLS_EXHAUSTED);
}
