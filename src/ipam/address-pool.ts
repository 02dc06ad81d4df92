/**
 * Per-subnet address allocator (docker-engine.md §5), lowest-free like moby's default IPAM.
 *
 * Storage is a sparse chunked bitmap: Map<chunk index, Uint32Array> where each chunk covers 4096
 * consecutive addresses (128 data words + 1 word counting the set bits). One design serves both
 * families: a /8 touches only the chunks actually used, and an IPv6 /64 costs nothing until an
 * address in it is taken. Empty chunks are dropped again on release.
 *
 * Positions are offsets from the parent subnet's network address, kept as (chunk, bit) pairs of
 * numbers so that a /64 (2^52 chunks) never needs bigint arithmetic in the scan loop. Offsets at or
 * beyond 2^64 (only reachable in IPv6 subnets wider than /64) live in a small side set: moby's own
 * bitmaps never extended past 64 bits, and lowest-free allocation can never get that far.
 *
 * Error kinds follow moby's ipamapi well-known errors: ErrNoAvailableIPs is Unavailable,
 * ErrIPAlreadyAllocated is Forbidden, ErrIPOutOfRange is InvalidParameter.
 */

import { EngineError, forbidden, invalidParameter } from '../core/errors.js';
import {
  formatIp,
  formatIpv4Number,
  parseCidr,
  parseIp,
  parseIpv4Number,
  unmap,
  type Cidr,
  type Family,
} from './ip.js';

export const ERR_NO_AVAILABLE_IPS = 'no available addresses on this pool';
export const ERR_IP_ALREADY_ALLOCATED = 'Address already in use';
export const ERR_IP_OUT_OF_RANGE = 'requested address is out of range';

const CHUNK = 4096; // addresses per chunk
const WORDS = 128; // 32-bit words per chunk
const COUNT = WORDS; // index of the per-chunk population counter
const BITMAP_LIMIT = 1n << 64n;

/** Offsets in the bitmap region, as (chunk, bit). */
interface Pos {
  c: number;
  b: number;
}

const before = (a: Pos, b: Pos) => a.c < b.c || (a.c === b.c && a.b < b.b);

export class AddressPool {
  /** Parent subnet (masked). */
  readonly cidr: Cidr;
  readonly family: Family;
  /** Sub-range containers are allocated from (--ip-range), masked; undefined = whole subnet. */
  readonly ipRange?: Cidr;

  private readonly base: bigint;
  private readonly base4: number; // network address as a number (IPv4 only)
  private readonly chunks = new Map<number, Uint32Array>();
  private readonly far = new Set<bigint>(); // offsets ≥ 2^64 (huge IPv6 subnets)
  private readonly rangeStart: Pos;
  private readonly rangeEnd: Pos; // inclusive
  private readonly rangeSize: number; // Infinity when it exceeds 2^53
  private rangeUsed = 0; // set bits inside the range, creation reservations included
  private hint: Pos; // every position in [rangeStart, hint) is taken
  private readonly autoReserved: Pos[] = []; // network/broadcast/anycast
  private userCount = 0;

  /**
   * `subnet` may carry host bits (they are masked, as moby's RequestPool does). An `ipRange`
   * wider than the subnet falls back to the whole subnet — moby keeps that pre-v24 behaviour for
   * old networks; new ones are rejected earlier by validateIpamConfig.
   */
  constructor(subnet: string, opts: { ipRange?: string } = {}) {
    const c = parseCidr(subnet);
    if (!c) throw invalidParameter(`invalid subnet ${subnet}: invalid CIDR block notation`);
    this.cidr = { ...c, addr: c.network };
    this.family = c.family;
    this.base = c.network;
    this.base4 = c.family === 4 ? Number(c.network) : 0;
    const hostBits = (c.family === 4 ? 32 : 128) - c.prefix;
    const size = 1n << BigInt(hostBits);

    let rStart = 0n;
    let rEnd = size - 1n;
    if (opts.ipRange) {
      const r = parseCidr(opts.ipRange);
      if (!r) throw invalidParameter(`invalid ip-range ${opts.ipRange}: invalid CIDR block notation`);
      if (r.family !== c.family) throw invalidParameter('pool and subpool are of incompatible address families');
      if (r.prefix >= c.prefix) {
        if ((r.network >> BigInt(hostBits)) !== (c.network >> BigInt(hostBits))) {
          throw invalidParameter(`invalid ip-range ${opts.ipRange}: parent subnet ${subnet} doesn't contain ip-range`);
        }
        this.ipRange = { ...r, addr: r.network };
        rStart = r.network - c.network;
        rEnd = rStart + (1n << BigInt((c.family === 4 ? 32 : 128) - r.prefix)) - 1n;
      }
    }
    if (rEnd >= BITMAP_LIMIT) rEnd = BITMAP_LIMIT - 1n;
    this.rangeStart = toPos(rStart);
    this.rangeEnd = toPos(rEnd);
    const rs = rEnd - rStart + 1n;
    this.rangeSize = rs > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(rs);
    this.hint = { ...this.rangeStart };

    // moby newPoolData: IPv4 network + broadcast unless /31 or /32 (RFC 3021); IPv6 the
    // subnet-router anycast address (the first one) only.
    if (c.family === 6 || hostBits > 1) this.autoReserve(0n);
    if (c.family === 4 && hostBits > 1) this.autoReserve(size - 1n);
  }

  /** Addresses currently handed out by allocate()/reserve() (creation-time reservations excluded). */
  get allocatedCount(): number {
    return this.userCount;
  }

  /** Lowest free address inside the ip-range (or the subnet). */
  allocate(): string {
    if (this.rangeUsed >= this.rangeSize) throw new EngineError('unavailable', ERR_NO_AVAILABLE_IPS);
    const p = this.findFree(this.hint);
    if (!p || before(this.rangeEnd, p)) throw new EngineError('unavailable', ERR_NO_AVAILABLE_IPS);
    this.setBit(p);
    this.userCount++;
    this.hint = p.b + 1 === CHUNK ? { c: p.c + 1, b: 0 } : { c: p.c, b: p.b + 1 };
    return this.format(p);
  }

  /**
   * Take a specific address (--ip, --gateway, aux addresses). Like moby, any address of the parent
   * subnet is accepted, also outside the ip-range: the range only limits automatic picks.
   */
  reserve(ip: string): void {
    const off = this.offsetOf(ip);
    if (off === null) throw invalidParameter(ERR_IP_OUT_OF_RANGE);
    if (typeof off === 'bigint' && off >= BITMAP_LIMIT) {
      if (this.far.has(off)) throw forbidden(ERR_IP_ALREADY_ALLOCATED);
      this.far.add(off);
    } else if (!this.setBit(toPos(off))) {
      throw forbidden(ERR_IP_ALREADY_ALLOCATED);
    }
    this.userCount++;
  }

  /**
   * Give an address back. Releasing a free address is a no-op, and so is releasing a creation-time
   * reservation (network, broadcast, anycast): no endpoint can hold one, so a request to free it
   * is a caller bug that must not make the address allocatable.
   */
  release(ip: string): void {
    const off = this.offsetOf(ip);
    if (off === null) throw invalidParameter(ERR_IP_OUT_OF_RANGE);
    if (typeof off === 'bigint' && off >= BITMAP_LIMIT) {
      if (this.far.delete(off)) this.userCount--;
      return;
    }
    const p = toPos(off);
    if (this.autoReserved.some((r) => r.c === p.c && r.b === p.b)) return;
    if (!this.clearBit(p)) return;
    this.userCount--;
    if (this.inRange(p) && before(p, this.hint)) this.hint = p;
  }

  /** True when the address is taken, including network/broadcast/anycast reservations. */
  isAllocated(ip: string): boolean {
    const off = this.offsetOf(ip);
    if (off === null) return false;
    if (typeof off === 'bigint' && off >= BITMAP_LIMIT) return this.far.has(off);
    const p = toPos(off);
    const chunk = this.chunks.get(p.c);
    return chunk !== undefined && (chunk[p.b >>> 5] & (1 << (p.b & 31))) !== 0;
  }

  /** Inside the parent subnet. */
  contains(ip: string): boolean {
    return this.offsetOf(ip) !== null;
  }

  // ---------------------------------------------------------------------------------------------

  private autoReserve(off: bigint): void {
    const p = toPos(off);
    this.autoReserved.push(p);
    this.setBit(p);
  }

  /**
   * Offset from the network address — a number for IPv4 (exact, and no bigint on the hot path), a
   * bigint for IPv6 — or null when `ip` is unparsable, of the other family or outside the subnet.
   * ::ffff:a.b.c.d counts as IPv4 (moby unmaps preferred addresses).
   */
  private offsetOf(ip: string): number | bigint | null {
    if (this.family === 4) {
      let n = parseIpv4Number(ip);
      if (n === null) {
        const parsed = parseIp(ip);
        if (!parsed) return null;
        const u = unmap(parsed);
        if (u.family !== 4) return null;
        n = Number(u.value);
      }
      const off = n - this.base4;
      return off >= 0 && off < 2 ** (32 - this.cidr.prefix) ? off : null;
    }
    const parsed = parseIp(ip);
    if (!parsed || parsed.family !== 6) return null;
    const off = parsed.value - this.base;
    return off >= 0n && off >> BigInt(128 - this.cidr.prefix) === 0n ? off : null;
  }

  private format(p: Pos): string {
    if (this.family === 4) return formatIpv4Number(this.base4 + p.c * CHUNK + p.b);
    return formatIp({ family: 6, value: this.base + BigInt(p.c) * BigInt(CHUNK) + BigInt(p.b) });
  }

  private inRange(p: Pos): boolean {
    return !before(p, this.rangeStart) && !before(this.rangeEnd, p);
  }

  /** Returns false when the bit was already set. */
  private setBit(p: Pos): boolean {
    let chunk = this.chunks.get(p.c);
    if (!chunk) {
      chunk = new Uint32Array(WORDS + 1);
      this.chunks.set(p.c, chunk);
    }
    const w = p.b >>> 5;
    const m = 1 << (p.b & 31);
    if (chunk[w] & m) return false;
    chunk[w] |= m;
    chunk[COUNT]++;
    if (this.inRange(p)) this.rangeUsed++;
    return true;
  }

  /** Returns false when the bit was already clear. */
  private clearBit(p: Pos): boolean {
    const chunk = this.chunks.get(p.c);
    if (!chunk) return false;
    const w = p.b >>> 5;
    const m = 1 << (p.b & 31);
    if (!(chunk[w] & m)) return false;
    chunk[w] &= ~m;
    if (--chunk[COUNT] === 0) this.chunks.delete(p.c);
    if (this.inRange(p)) this.rangeUsed--;
    return true;
  }

  /**
   * First clear position at or after `from`. Missing chunks are entirely free; full chunks and
   * full words are skipped whole, so a sequential fill is amortised O(1) per address.
   */
  private findFree(from: Pos): Pos | null {
    let c = from.c;
    let b = from.b;
    while (c <= this.rangeEnd.c) {
      const chunk = this.chunks.get(c);
      if (!chunk) return { c, b };
      if (chunk[COUNT] < CHUNK) {
        let w = b >>> 5;
        // Treat bits below `b` in the first word as taken.
        let word = chunk[w] | ((1 << (b & 31)) - 1);
        for (;;) {
          if ((word | 0) !== -1) {
            const free = ~word & (word + 1); // lowest clear bit
            return { c, b: w * 32 + (31 - Math.clz32(free)) };
          }
          if (++w === WORDS) break;
          word = chunk[w];
        }
      }
      c++;
      b = 0;
    }
    return null;
  }
}

function toPos(off: number | bigint): Pos {
  if (typeof off === 'number') return { c: Math.floor(off / CHUNK), b: off % CHUNK };
  return { c: Number(off >> 12n), b: Number(off & 4095n) };
}
