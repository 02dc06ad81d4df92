// fvbommel/sortorder NaturalLess, which `docker network ls` sorts names with.
// It works on UTF-8 bytes; digit runs compare by numeric value (fewer leading
// zeros first on ties); a digit sorts before any non-digit.

import { utf8Bytes } from './go-values.js';

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function lessBytes(s1: Uint8Array, s2: Uint8Array): boolean {
  let i1 = 0;
  let i2 = 0;
  while (i1 < s1.length && i2 < s2.length) {
    const c1 = s1[i1];
    const c2 = s2[i2];
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1; // digits before other characters
    if (!d1) {
      if (c1 !== c2) return c1 < c2;
      i1++;
      i2++;
      continue;
    }
    // Digit runs: skip leading zeros, then compare lengths, then digits, then zero counts.
    const start1 = i1;
    const start2 = i2;
    while (i1 < s1.length && s1[i1] === 0x30) i1++;
    while (i2 < s2.length && s2[i2] === 0x30) i2++;
    const nz1 = i1;
    const nz2 = i2;
    while (i1 < s1.length && isDigit(s1[i1])) i1++;
    while (i2 < s2.length && isDigit(s2[i2])) i2++;
    const len1 = i1 - nz1;
    const len2 = i2 - nz2;
    if (len1 !== len2) return len1 < len2;
    for (let k = 0; k < len1; k++) {
      if (s1[nz1 + k] !== s2[nz2 + k]) return s1[nz1 + k] < s2[nz2 + k];
    }
    const z1 = nz1 - start1;
    const z2 = nz2 - start2;
    if (z1 !== z2) return z1 < z2;
  }
  // One string is exhausted: the shorter remainder is less.
  return s1.length - i1 < s2.length - i2;
}

/** sortorder.NaturalLess. */
export function naturalLess(a: string, b: string): boolean {
  return lessBytes(utf8Bytes(a), utf8Bytes(b));
}

/** A comparator for Array.prototype.sort built on naturalLess. */
export function naturalCompare(a: string, b: string): number {
  if (naturalLess(a, b)) return -1;
  if (naturalLess(b, a)) return 1;
  return 0;
}
