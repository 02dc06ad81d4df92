// The strconv parsing rules that template literals follow: Go string and rune
// escapes (strconv.Unquote/UnquoteChar) and Go integer/float syntax with base
// prefixes and digit separators (ParseInt/ParseUint/ParseFloat with base 0).

import { utf8Bytes, utf8Decode } from './go-values.js';

export class SyntaxErr extends Error {}


function hexVal(c: string): number {
  const v = parseInt(c, 16);
  return Number.isNaN(v) ? -1 : v;
}

/**
 * strconv.UnquoteChar: decode one (possibly escaped) character at s[i].
 * Returns the rune, or a raw byte for \x and octal escapes (isByte).
 */
function unquoteChar(s: string, i: number, quoteCh: string): { value: number; isByte: boolean; next: number } {
  const c = s.codePointAt(i)!;
  if (s[i] === quoteCh && (quoteCh === "'" || quoteCh === '"')) throw new SyntaxErr('invalid syntax');
  if (s[i] !== '\\') return { value: c, isByte: false, next: i + (c > 0xffff ? 2 : 1) };
  const e = s[i + 1];
  if (e === undefined) throw new SyntaxErr('invalid syntax');
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 0x5c };
  if (e in simple) return { value: simple[e], isByte: false, next: i + 2 };
  if (e === "'" || e === '"') {
    if (e !== quoteCh) throw new SyntaxErr('invalid syntax');
    return { value: e.charCodeAt(0), isByte: false, next: i + 2 };
  }
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    let v = 0;
    for (let k = 0; k < n; k++) {
      const d = hexVal(s[i + 2 + k] ?? '');
      if (d < 0) throw new SyntaxErr('invalid syntax');
      v = v * 16 + d;
    }
    if (e === 'x') return { value: v, isByte: true, next: i + 2 + n };
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new SyntaxErr('invalid syntax');
    return { value: v, isByte: false, next: i + 2 + n };
  }
  if (e >= '0' && e <= '7') {
    let v = 0;
    for (let k = 0; k < 3; k++) {
      const ch = s[i + 1 + k];
      if (ch === undefined || ch < '0' || ch > '7') throw new SyntaxErr('invalid syntax');
      v = v * 8 + (ch.charCodeAt(0) - 48);
    }
    if (v > 255) throw new SyntaxErr('invalid syntax');
    return { value: v, isByte: true, next: i + 4 };
  }
  throw new SyntaxErr('invalid syntax');
}

/** strconv.Unquote for "…" and `…` literals. */
export function unquote(quoted: string): string {
  const q = quoted[0];
  if (quoted.length < 2 || quoted[quoted.length - 1] !== q) throw new SyntaxErr('invalid syntax');
  const body = quoted.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new SyntaxErr('invalid syntax');
    return body.replace(/\r/g, ''); // raw strings drop carriage returns
  }
  if (q !== '"') throw new SyntaxErr('invalid syntax');
  if (!body.includes('\\')) {
    if (body.includes('"') || body.includes('\n')) throw new SyntaxErr('invalid syntax');
    return body;
  }
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i] === '\n') throw new SyntaxErr('invalid syntax');
    const r = unquoteChar(body, i, '"');
    if (r.isByte) bytes.push(r.value);
    else bytes.push(...utf8Bytes(String.fromCodePoint(r.value)));
    i = r.next;
  }
  return utf8Decode(Uint8Array.from(bytes));
}

/** A rune literal 'x' (template character constants). */
export function unquoteRune(text: string): number {
  const r = unquoteChar(text, 1, "'");
  if (text.slice(r.next) !== "'") throw new SyntaxErr(`malformed character constant: ${text}`);
  return r.value;
}

/** strconv's underscoreOK: underscores only between digits (a base prefix counts as a digit). */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_INT64 = (1n << 63n) - 1n;

/** strconv.ParseUint(s, 0, 64); undefined on any error. */
export function parseUint(s: string): bigint | undefined {
  if (s === '' || s[0] === '+' || s[0] === '-') return undefined;
  let base = 10;
  let digits = s;
  if (s[0] === '0' && s.length > 1) {
    const p = s[1].toLowerCase();
    if (p === 'x' || p === 'o' || p === 'b') {
      base = p === 'x' ? 16 : p === 'o' ? 8 : 2;
      digits = s.slice(2);
    } else {
      base = 8;
      digits = s.slice(1);
    }
  }
  if (digits.includes('_')) {
    if (!underscoreOK(s)) return undefined;
    digits = digits.replace(/_/g, '');
  }
  if (digits === '') return undefined;
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return undefined;
  let v = 0n;
  const b = BigInt(base);
  for (const c of digits) v = v * b + BigInt(parseInt(c, base));
  return v > MAX_UINT64 ? undefined : v;
}

/** strconv.ParseInt(s, 0, 64); undefined on any error. */
export function parseInt64(s: string): bigint | undefined {
  let neg = false;
  let body = s;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    body = s.slice(1);
  }
  const u = parseUint(body);
  if (u === undefined) return undefined;
  if (!neg && u > MAX_INT64) return undefined;
  if (neg && u > MAX_INT64 + 1n) return undefined;
  return neg ? -u : u;
}

/** strconv.ParseFloat(s, 64) for decimal and hexadecimal forms; undefined on error. */
export function parseFloat64(s: string): number | undefined {
  if (s.includes('_')) {
    if (!underscoreOK(s)) return undefined;
    s = s.replace(/_/g, '');
  }
  const dec = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  if (dec.test(s)) return Number(s);
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (hex && (hex[2] + (hex[3] ?? '')).length > 0) {
    const frac = hex[3] ?? '';
    const mant = parseInt(hex[2] + frac || '0', 16);
    const v = mant * 2 ** (Number(hex[4]) - 4 * frac.length);
    return hex[1] === '-' ? -v : v;
  }
  return undefined;
}
