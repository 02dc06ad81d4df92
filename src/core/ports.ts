/**
 * Injected sources of time and randomness, so IDs, MACs, DNS shuffles and ping timings are
 * deterministic in tests and golden files. No Node imports: this runs in the browser too.
 */
export interface Clock {
  /** Current time as nanoseconds since the Unix epoch (BigInt keeps Go's precision). */
  nowNanos(): bigint;
}

export interface Random {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
}

/** xorshift128+ style generator seeded from a number; good enough for IDs and MACs. */
export class SeededRandom implements Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  constructor(seed: number) {
    // splitmix32 to spread the seed over four words
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }
  nextUint32(): number {
    // xoshiro128**
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Random from the platform's crypto (present in Node 20 and browsers as globalThis.crypto). */
export class CryptoRandom implements Random {
  private buf = new Uint32Array(256);
  private pos = 256;
  nextUint32(): number {
    if (this.pos >= this.buf.length) {
      (globalThis as unknown as { crypto: { getRandomValues(a: Uint32Array): void } }).crypto.getRandomValues(this.buf);
      this.pos = 0;
    }
    return this.buf[this.pos++];
  }
}

export const systemClock: Clock = {
  nowNanos: () => BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000)),
};

/** A clock that starts at a fixed instant and advances by a fixed step on every read. */
export class SteppingClock implements Clock {
  constructor(
    private current: bigint,
    private readonly stepNanos: bigint = 1_000_000_000n,
  ) {}
  nowNanos(): bigint {
    const now = this.current;
    this.current += this.stepNanos;
    return now;
  }
}

export function randomInt(random: Random, bound: number): number {
  return Math.floor((random.nextUint32() / 4294967296) * bound);
}

export function shuffle<T>(random: Random, items: T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
