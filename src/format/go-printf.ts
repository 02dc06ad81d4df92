// fmt.Sprintf's format-string walk: flags, width and precision (also from
// `*` arguments), explicit argument indexes, and Go's error forms
// (%!d(MISSING), %!d(BADINDEX), %!(EXTRA int=2), %!(NOVERB)).

import { Printer, clearFlags, isNilValue } from './go-print.js';
import { kindOf, typeName } from './go-values.js';

function parseNum(s: string, i: number, end: number): { num: number; ok: boolean; next: number } {
  if (i >= end || s[i] < '0' || s[i] > '9') return { num: 0, ok: false, next: i };
  let num = 0;
  while (i < end && s[i] >= '0' && s[i] <= '9') {
    if (num > 1e6) return { num: 0, ok: false, next: end }; // fmt's tooLarge guard
    num = num * 10 + (s.charCodeAt(i) - 48);
    i++;
  }
  return { num, ok: true, next: i };
}

/** fmt.Sprintf. */
export function sprintf(format: string, a: unknown[]): string {
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;

  const argNumber = (i: number): { i: number; found: boolean } => {
    if (i >= end || format[i] !== '[') return { i, found: false };
    reordered = true;
    // parseArgNumber: "[n]" with n one-based.
    let close = -1;
    for (let j = i + 1; j < end; j++) {
      if (format[j] === ']') {
        close = j;
        break;
      }
    }
    if (close < 0 || close - i < 2) {
      goodArgNum = false;
      return { i: i + 1, found: false };
    }
    const n = parseNum(format, i + 1, close);
    if (!n.ok || n.next !== close) {
      goodArgNum = false;
      return { i: close + 1, found: false };
    }
    const index = n.num - 1;
    if (index >= 0 && index < a.length) {
      argNum = index;
      return { i: close + 1, found: true };
    }
    goodArgNum = false;
    return { i: close + 1, found: true };
  };

  const intFromArg = (): { num: number; ok: boolean } => {
    if (argNum >= a.length) return { num: 0, ok: false };
    const v = a[argNum++];
    if (kindOf(v) !== 'int') return { num: 0, ok: false };
    const num = Number(v);
    if (num > 1e6 || num < -1e6) return { num: 0, ok: false };
    return { num, ok: true };
  };

  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) p.buf += format.slice(lasti, i);
    if (i >= end) break;
    i++; // skip %
    p.f = clearFlags();
    let simple = false;
    flags: for (; i < end; i++) {
      const c = format[i];
      switch (c) {
        case '#':
          p.f.sharp = true;
          break;
        case '0':
          p.f.zero = !p.f.minus; // only pad with zeros on the left
          break;
        case '+':
          p.f.plus = true;
          break;
        case '-':
          p.f.minus = true;
          p.f.zero = false;
          break;
        case ' ':
          p.f.space = true;
          break;
        default:
          if (c >= 'a' && c <= 'z' && argNum < a.length) {
            if (c === 'v') {
              p.f.sharpV = p.f.sharp;
              p.f.sharp = false;
              p.f.plusV = p.f.plus;
              p.f.plus = false;
            }
            p.printArg(a[argNum++], c);
            i++;
            simple = true;
          }
          break flags;
      }
    }
    if (simple) continue;

    let r = argNumber(i);
    i = r.i;
    afterIndex = r.found;

    if (i < end && format[i] === '*') {
      i++;
      const w = intFromArg();
      p.f.wid = w.num;
      p.f.widPresent = w.ok;
      if (!w.ok) p.buf += '%!(BADWIDTH)';
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
      afterIndex = false;
    } else {
      const n = parseNum(format, i, end);
      p.f.wid = n.num;
      p.f.widPresent = n.ok;
      i = n.next;
      if (afterIndex && p.f.widPresent) goodArgNum = false;
    }

    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      r = argNumber(i);
      i = r.i;
      afterIndex = r.found;
      if (i < end && format[i] === '*') {
        i++;
        const pr = intFromArg();
        p.f.prec = pr.num;
        p.f.precPresent = pr.ok;
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.precPresent = false;
        }
        if (!pr.ok) p.buf += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const n = parseNum(format, i, end);
        p.f.prec = n.num;
        p.f.precPresent = true;
        i = n.next;
      }
    }

    if (!afterIndex) {
      r = argNumber(i);
      i = r.i;
      afterIndex = r.found;
    }

    if (i >= end) {
      p.buf += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;

    if (verb === '%') {
      p.buf += '%';
    } else if (!goodArgNum) {
      p.buf += '%!' + verb + '(BADINDEX)';
    } else if (argNum >= a.length) {
      p.buf += '%!' + verb + '(MISSING)';
    } else {
      if (verb === 'v') {
        p.f.sharpV = p.f.sharp;
        p.f.sharp = false;
        p.f.plusV = p.f.plus;
        p.f.plus = false;
      }
      p.printArg(a[argNum++], verb);
    }
  }

  if (!reordered && argNum < a.length) {
    p.f = clearFlags();
    p.buf += '%!(EXTRA ';
    a.slice(argNum).forEach((arg, k) => {
      if (k > 0) p.buf += ', ';
      if (isNilValue(arg)) {
        p.buf += '<nil>';
      } else {
        p.buf += typeName(arg) + '=';
        p.printArg(arg, 'v');
      }
    });
    p.buf += ')';
  }
  return p.buf;
}
