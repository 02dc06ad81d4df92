// Helpers for the executor: Go type names of parameters, time.Time's
// methods, and how JS results and containers map onto Go's static types.

import { formatGoLayout, formatGoTimeString } from './go-time.js';
import { GoFuncSpec, GoNil, GoParam, GoTime, elemTypeName, kindOf, taggedType } from './go-values.js';

export const PARAM_TYPE: Record<GoParam, string> = {
  any: 'interface {}',
  string: 'string',
  int: 'int',
  bool: 'bool',
  float64: 'float64',
  '[]string': '[]string',
  value: 'reflect.Value',
};

const ZERO_TIME_NANOS = -62135596800n * 1_000_000_000n;

/** time.Time's methods reachable from templates (`{{.Created.Format "2006-01-02"}}`). */
export const TIME_METHODS: Record<string, (t: GoTime) => GoFuncSpec> = {
  String: (t) => ({ params: [], fn: () => formatGoTimeString(t.unixNanos) }),
  Format: (t) => ({ params: ['string'], fn: (layout) => formatGoLayout(t.unixNanos, layout as string) }),
  Unix: (t) => ({ params: [], fn: () => floorDiv(t.unixNanos, 1_000_000_000n) }),
  UnixMilli: (t) => ({ params: [], fn: () => floorDiv(t.unixNanos, 1_000_000n) }),
  UnixNano: (t) => ({ params: [], fn: () => t.unixNanos }),
  UTC: (t) => ({ params: [], fn: () => t }),
  Local: (t) => ({ params: [], fn: () => t }),
  IsZero: (t) => ({ params: [], fn: () => t.unixNanos === ZERO_TIME_NANOS }),
  Year: (t) => ({ params: [], fn: () => Number(formatGoLayout(t.unixNanos, '2006')) }),
  YearDay: (t) => ({ params: [], fn: () => Number(formatGoLayout(t.unixNanos, '002')) }),
  Day: (t) => ({ params: [], fn: () => Number(formatGoLayout(t.unixNanos, '2')) }),
  Hour: (t) => ({ params: [], fn: () => Number(formatGoLayout(t.unixNanos, '15')) }),
  Minute: (t) => ({ params: [], fn: () => Number(formatGoLayout(t.unixNanos, '4')) }),
  Second: (t) => ({ params: [], fn: () => Number(formatGoLayout(t.unixNanos, '5')) }),
  Nanosecond: (t) => ({ params: [], fn: () => Number(((t.unixNanos % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n) }),
};

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

/** A JS integer result becomes a Go int; huge values stay bigint (int64). */
export function normalizeResult(v: unknown): unknown {
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(v);
  }
  return v;
}

/** Whether a slice or map's elements are interface{} (untagged JS containers are). */
export function holdsInterfaces(container: unknown): boolean {
  if (container === null || typeof container !== 'object' || container instanceof GoNil) return false;
  if (!Array.isArray(container) && kindOf(container) !== 'map') return false;
  const t = taggedType(container);
  return t === undefined || elemTypeName(t) === 'interface {}';
}

