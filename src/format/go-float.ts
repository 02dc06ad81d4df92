// Go's strconv float formatting ('e', 'f', 'g' with a precision or shortest).
//
// JavaScript's toFixed/toPrecision round differently from Go (JS picks the
// larger candidate on ties, Go rounds the exact binary value half-to-even), so
// fixed precisions are computed from the exact decimal expansion of the double.
// Shortest formatting uses JS's shortest round-trip digits, which are the same
// digits Go's Ryu-based shortest formatting produces.

/** A decimal digit string: value = 0.<digits> × 10^dp (Go's strconv "decimal"). */
interface Decimal {
  digits: string; // no leading zeros; '' means zero
  dp: number;
}

/** Exact decimal expansion of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) {
    e = -1074; // subnormal
  } else {
    mant |= 1n << 52n;
    e = exp - 1075;
  }
  let digits: string;
  let dp: number;
  if (e >= 0) {
    digits = (mant << BigInt(e)).toString();
    dp = digits.length;
  } else {
    // mant / 2^-e == mant * 5^-e / 10^-e
    digits = (mant * 5n ** BigInt(-e)).toString();
    dp = digits.length + e;
  }
  return trimZeros({ digits, dp });
}

function trimZeros(d: Decimal): Decimal {
  let end = d.digits.length;
  while (end > 0 && d.digits[end - 1] === '0') end--;
  return { digits: d.digits.slice(0, end), dp: end === 0 ? 0 : d.dp };
}

/** Shortest digits that round-trip (what Go uses for precision -1). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const s = x.toExponential(); // "d.ddde±X", shortest round-trip digits
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s)!;
  const digits = m[1] + (m[2] ?? '');
  return trimZeros({ digits, dp: Number(m[3]) + 1 });
}

/** Round to `nd` significant digits, half to even on exact ties (strconv decimal.Round). */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= d.digits.length) return d;
  const next = d.digits.charCodeAt(nd) - 48;
  let up: boolean;
  if (next > 5) up = true;
  else if (next < 5) up = false;
  else if (nd + 1 < d.digits.length) up = true; // more non-zero digits follow (digits are trimmed)
  else up = nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1; // exact half: to even
  if (!up) return trimZeros({ digits: d.digits.slice(0, nd), dp: d.dp });
  const arr = d.digits.slice(0, nd).split('');
  let i = nd - 1;
  while (i >= 0 && arr[i] === '9') {
    arr[i] = '0';
    i--;
  }
  if (i < 0) return trimZeros({ digits: '1' + arr.join(''), dp: d.dp + 1 });
  arr[i] = String.fromCharCode(arr[i].charCodeAt(0) + 1);
  return trimZeros({ digits: arr.join(''), dp: d.dp });
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.digits.length ? d.digits[i] : '0';
}

/** %e: d.ddde±dd with `prec` digits after the point. */
function fmtE(d: Decimal, prec: number, upper: boolean): string {
  let s = d.digits.length === 0 ? '0' : d.digits[0];
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(d, i);
  }
  const exp = d.digits.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  return s + (upper ? 'E' : 'e') + sign + (abs < 10 ? '0' : '') + String(abs);
}

/** %f: integer part, then `prec` digits after the point. */
function fmtF(d: Decimal, prec: number): string {
  let s = '';
  if (d.dp > 0) {
    for (let i = 0; i < d.dp; i++) s += digitAt(d, i);
  } else {
    s = '0';
  }
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) s += digitAt(d, d.dp + i);
  }
  return s;
}

/**
 * strconv.FormatFloat(x, fmt, prec, 64) for fmt in e, E, f, F, g, G.
 * prec < 0 means the shortest representation.
 */
export function formatFloat(x: number, fmt: 'e' | 'E' | 'f' | 'F' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(abs);
  } else {
    d = exactDecimal(abs);
    switch (fmt) {
      case 'e':
      case 'E':
        d = roundDecimal(d, prec + 1);
        break;
      case 'f':
      case 'F':
        d = roundDecimal(d, d.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        d = roundDecimal(d, prec);
    }
  }
  let body: string;
  switch (fmt) {
    case 'e':
    case 'E':
      body = fmtE(d, shortest ? Math.max(d.digits.length - 1, 0) : prec, fmt === 'E');
      break;
    case 'f':
    case 'F':
      body = fmtF(d, shortest ? Math.max(d.digits.length - d.dp, 0) : prec);
      break;
    default: {
      const nd = d.digits.length;
      let p = shortest ? nd : prec;
      let eprec = p;
      if (eprec > nd && nd >= d.dp) eprec = nd;
      // Go: "if precision was the shortest possible, use precision 6 for this decision".
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (p > nd) p = nd;
        body = fmtE(d, p - 1, fmt === 'G');
      } else {
        if (p > d.dp) p = nd;
        body = fmtF(d, Math.max(p - d.dp, 0));
      }
    }
  }
  return (neg ? '-' : '') + body;
}

/** strconv 'x' format (%x / %X of a float): 0x1.4p+01; prec < 0 means shortest. */
export function formatHexFloat(x: number, prec: number, upper: boolean): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = 0;
  if (mant !== 0n || bexp !== 0) {
    if (bexp === 0) {
      exp = -1022;
      while (mant < 1n << 52n) {
        mant <<= 1n;
        exp--;
      }
    } else {
      mant |= 1n << 52n;
      exp = bexp - 1023;
    }
  }
  if (prec >= 0 && prec < 13) {
    // Round the 52 fraction bits to 4*prec bits, half to even.
    const shift = BigInt(52 - 4 * prec);
    const half = 1n << (shift - 1n);
    const rem = mant & ((1n << shift) - 1n);
    mant >>= shift;
    if (rem > half || (rem === half && (mant & 1n) === 1n)) mant += 1n;
    mant <<= shift;
    if (mant >= 1n << 53n) {
      mant >>= 1n;
      exp++;
    }
  }
  let frac = (mant & ((1n << 52n) - 1n)).toString(16).padStart(13, '0');
  frac = prec < 0 ? frac.replace(/0+$/, '') : frac.slice(0, prec).padEnd(prec, '0');
  const lead = mant === 0n ? '0' : '1';
  let s = '0x' + lead + (frac ? '.' + frac : '') + 'p' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  if (upper) s = s.toUpperCase();
  return (neg ? '-' : '') + s;
}

/** strconv 'b' format (%b of a float): decimal mantissa and binary exponent, 5629499534213120p-51. */
export function formatBinaryFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  let exp = -1074;
  if (bexp !== 0) {
    mant |= 1n << 52n;
    exp = bexp - 1075;
  }
  const neg = x < 0 || Object.is(x, -0);
  return (neg ? '-' : '') + mant.toString() + 'p' + (exp < 0 ? '-' : '+') + String(Math.abs(exp));
}
