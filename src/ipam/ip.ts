/**
 * IP address and prefix primitives, parsed and printed the way Go's net/netip does it, so that
 * every address or subnet we echo back (inspect JSON, error texts) is byte-identical to Docker's.
 *
 * Addresses are held as bigint so IPv4 and IPv6 share one code path; hot paths that only ever
 * see IPv4 (the address allocator) use the number-based helpers at the bottom instead.
 */

export type Family = 4 | 6;

export interface ParsedIp {
  family: Family;
  value: bigint;
}

export interface Cidr {
  family: Family;
  /** Address as written (may have host bits set). */
  addr: bigint;
  /** Address with host bits cleared. */
  network: bigint;
  prefix: number;
}

export const bitLength = (family: Family): number => (family === 4 ? 32 : 128);

const LOW32 = 0xffffffffn;

/** True for ::ffff:a.b.c.d, which Go reports as Is6() but prints in dotted form. */
export function isV4Mapped(ip: ParsedIp): boolean {
  return ip.family === 6 && ip.value >> 32n === 0xffffn;
}

/** ::ffff:a.b.c.d → a.b.c.d (Go's Addr.Unmap); other addresses unchanged. */
export function unmap(ip: ParsedIp): ParsedIp {
  return isV4Mapped(ip) ? { family: 4, value: ip.value & LOW32 } : ip;
}

/**
 * Strict address parser (Go netip.ParseAddr): dotted-quad IPv4 without leading zeros, IPv6 with
 * at most one `::` and an optional trailing dotted IPv4. Zones (`fe80::1%eth0`) are rejected —
 * Go accepts them in ParseAddr, but no address crosstalk handles can carry a zone.
 */
export function parseIp(s: string): ParsedIp | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e /* . */) {
      const v = parseIpv4Number(s);
      return v === null ? null : { family: 4, value: BigInt(v) };
    }
    if (c === 0x3a /* : */) {
      const v = parseIpv6(s);
      return v === null ? null : { family: 6, value: v };
    }
    if (c === 0x25 /* % */) return null;
  }
  return null;
}

/** Dotted quad → uint32 as a number, or null (Go parseIPv4 rules). */
export function parseIpv4Number(s: string): number | null {
  return parseV4Fields(s, 0, s.length);
}

function parseV4Fields(s: string, from: number, to: number): number | null {
  let val = 0;
  let digits = 0;
  let fields = 0;
  let acc = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && val === 0) return null; // leading zero
      val = val * 10 + (c - 0x30);
      digits++;
      if (val > 255) return null;
    } else if (c === 0x2e) {
      if (i === from || i === to - 1 || s.charCodeAt(i - 1) === 0x2e) return null;
      if (fields === 3) return null;
      acc = acc * 256 + val;
      fields++;
      val = 0;
      digits = 0;
    } else {
      return null;
    }
  }
  if (fields < 3) return null;
  return acc * 256 + val;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Port of Go's netip parseIPv6 (without zones); returns the 128-bit value or null. */
function parseIpv6(s: string): bigint | null {
  const groups: number[] = []; // 16-bit groups, in order, before ellipsis expansion
  let ellipsis = -1; // index in `groups` where the :: sits
  let p = 0;
  const n = s.length;
  if (n >= 2 && s.charCodeAt(0) === 0x3a && s.charCodeAt(1) === 0x3a) {
    ellipsis = 0;
    p = 2;
    if (p === n) return 0n;
  }
  while (groups.length < 8) {
    let off = 0;
    let acc = 0;
    while (p + off < n) {
      const h = hexVal(s.charCodeAt(p + off));
      if (h < 0) break;
      acc = acc * 16 + h;
      if (off > 3) return null; // more than 4 hex digits
      if (acc > 0xffff) return null;
      off++;
    }
    if (off === 0) return null;
    if (p + off < n && s.charCodeAt(p + off) === 0x2e) {
      // Trailing embedded IPv4: only where it fills the last 32 bits.
      if (ellipsis < 0 && groups.length !== 6) return null;
      if (groups.length + 2 > 8) return null;
      const v4 = parseV4Fields(s, p, n);
      if (v4 === null) return null;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      p = n;
      break;
    }
    groups.push(acc);
    p += off;
    if (p === n) break;
    if (s.charCodeAt(p) !== 0x3a) return null;
    if (p + 1 === n) return null; // trailing single colon
    p++;
    if (s.charCodeAt(p) === 0x3a) {
      if (ellipsis >= 0) return null; // second ::
      ellipsis = groups.length;
      p++;
      if (p === n) break;
    }
  }
  if (p !== n) return null;
  if (groups.length < 8) {
    if (ellipsis < 0) return null;
    groups.splice(ellipsis, 0, ...new Array<number>(8 - groups.length).fill(0));
  } else if (ellipsis >= 0) {
    return null; // :: must stand for at least one zero group
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

/** uint32 number → dotted quad. */
export function formatIpv4Number(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Go's Addr.String(): dotted IPv4; IPv6 RFC 5952 (longest zero run ≥ 2, first on ties). */
export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) return formatIpv4Number(Number(ip.value));
  if (ip.value >> 32n === 0xffffn) return '::ffff:' + formatIpv4Number(Number(ip.value & LOW32));
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  let zs = -1;
  let ze = -1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i >= 2 && j - i > ze - zs) {
      zs = i;
      ze = j;
    }
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === zs) {
      out += '::';
      i = ze;
      if (i >= 8) break;
    } else if (i > 0) {
      out += ':';
    }
    out += g[i].toString(16);
  }
  return out;
}

export function maskOf(family: Family, prefix: number): bigint {
  const bits = BigInt(bitLength(family));
  const host = bits - BigInt(prefix);
  return ((1n << bits) - 1n) ^ ((1n << host) - 1n);
}

/**
 * Strict prefix parser (Go netip.ParsePrefix): address as parseIp, then `/` and a decimal bit
 * count without sign or leading zeros, at most 32 / 128.
 */
export function parseCidr(s: string): Cidr | null {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return null;
  const ip = parseIp(s.slice(0, slash));
  if (!ip) return null;
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bits)) return null;
  const prefix = Number(bits);
  if (prefix > bitLength(ip.family)) return null;
  return { family: ip.family, addr: ip.value, network: ip.value & maskOf(ip.family, prefix), prefix };
}

/** Build a Cidr from parts (the address is masked into `network`). */
export function makeCidr(family: Family, addr: bigint, prefix: number): Cidr {
  return { family, addr, network: addr & maskOf(family, prefix), prefix };
}

/** Go's Prefix.String() (address as written) or, with `masked`, Prefix.Masked().String(). */
export function formatCidr(c: Cidr, masked = false): string {
  return `${formatIp({ family: c.family, value: masked ? c.network : c.addr })}/${c.prefix}`;
}

/** Caller guarantees `ip` has the prefix's family. */
export function cidrContains(c: Cidr, ip: bigint): boolean {
  const host = BigInt(bitLength(c.family) - c.prefix);
  return ip >> host === c.network >> host;
}

/** Family-checked containment (an IPv4 address is never inside an IPv6 prefix, even ::ffff:0:0/96). */
export function cidrContainsIp(c: Cidr, ip: ParsedIp): boolean {
  return ip.family === c.family && cidrContains(c, ip.value);
}

/** Go's Prefix.Overlaps: false across families. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const host = BigInt(bitLength(a.family) - Math.min(a.prefix, b.prefix));
  return a.network >> host === b.network >> host;
}

export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(bitLength(c.family) - c.prefix);
}

export function cidrLast(c: Cidr): bigint {
  return c.network + cidrSize(c) - 1n;
}
