// A clone of the parts of Go's fmt package that templates reach: %v printing of
// every value kind (what `{{.X}}` prints), the verbs with their flags, and the
// print/println spacing rules. printf's format parsing is in go-printf.ts.

import { formatBinaryFloat, formatFloat, formatHexFloat } from './go-float.js';
import { canBackquote, isPrint, quote, quoteRune } from './go-quote.js';
import { formatGoTimeString } from './go-time.js';
import {
  GoNil,
  GoNumber,
  GoStruct,
  GoTime,
  NO_VALUE,
  kindOf,
  mapKeys,
  numberOf,
  stringOf,
  typeName,
  utf8Bytes,
} from './go-values.js';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

export function clearFlags(): Flags {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    wid: 0,
    widPresent: false,
    prec: 0,
    precPresent: false,
  };
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The String() of values that implement fmt.Stringer in our model. */
function stringerOf(v: unknown): (() => string) | undefined {
  if (v instanceof GoTime) return () => formatGoTimeString(v.unixNanos);
  if (v instanceof GoStruct && v.options.string) return v.options.string;
  return undefined;
}

export function isNilValue(v: unknown): boolean {
  return v === NO_VALUE || v === undefined || v === null || (v instanceof GoNil && v.kind === 'interface');
}

export class Printer {
  buf = '';
  f: Flags = clearFlags();
  /** The operand being printed, for %!verb(type=value) reports. */
  private arg: unknown = NO_VALUE;

  // ---- padding ---------------------------------------------------------

  private writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.f.zero ? '0' : ' ').repeat(n);
  }

  /** fmt.pad: pad to the width, counted in runes. */
  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.f.wid - runeCount(s);
    if (!this.f.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  private truncate(s: string): string {
    if (!this.f.precPresent) return s;
    let out = '';
    let n = 0;
    for (const ch of s) {
      if (n++ >= this.f.prec) break;
      out += ch;
    }
    return out;
  }

  // ---- entry points ----------------------------------------------------

  printArg(arg: unknown, verb: string): void {
    this.arg = arg;
    if (isNilValue(arg)) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    if (this.handleMethods(arg, verb)) return;
    this.printValue(arg, verb, 0);
  }

  printDereferenced(s: GoStruct): void {
    this.arg = s;
    if (this.handleMethods(s, 'v')) return;
    this.printStruct(s, 'v', 0);
  }

  private handleMethods(v: unknown, verb: string): boolean {
    if (this.f.sharpV) return false;
    const str = stringerOf(v);
    if (!str || !'vsxXq'.includes(verb)) return false;
    this.fmtString(str(), verb);
    return true;
  }

  badVerb(verb: string, value: unknown = this.arg): void {
    this.buf += '%!' + verb + '(';
    if (isNilValue(value)) {
      this.buf += '<nil>';
    } else {
      this.buf += typeName(value) + '=';
      const saved = this.arg;
      this.printArg(value, 'v');
      this.arg = saved;
    }
    this.buf += ')';
  }

  printValue(v: unknown, verb: string, depth: number): void {
    if (depth > 0) {
      if (this.handleMethods(v, verb)) return;
      this.arg = v;
    }
    if (v === null || v === undefined || v === NO_VALUE) {
      // A nil interface inside a container prints as <nil> whatever the verb.
      this.buf += '<nil>';
      return;
    }
    switch (kindOf(v)) {
      case 'bool':
        if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
        else this.badVerb(verb, v);
        return;
      case 'int':
        this.fmtIntegerVerb(typeof v === 'bigint' ? v : BigInt(v as number), verb, v);
        return;
      case 'float':
        this.fmtFloatVerb(numberOf(v), verb, v);
        return;
      case 'string':
        if (v instanceof GoNumber && !'vsxXq'.includes(verb)) this.badVerb(verb, v);
        else this.fmtString(stringOf(v), verb, v);
        return;
      case 'map': {
        if (v instanceof GoNil) {
          this.buf += 'map[]';
          return;
        }
        const m = v as Record<string, unknown>;
        this.buf += 'map[';
        mapKeys(m).forEach((k, i) => {
          if (i > 0) this.buf += ' ';
          this.printValue(k, verb, depth + 1);
          this.buf += ':';
          this.printValue(m[k], verb, depth + 1);
        });
        this.buf += ']';
        return;
      }
      case 'slice': {
        if (v instanceof GoNil) {
          this.buf += '[]';
          return;
        }
        this.buf += '[';
        (v as unknown[]).forEach((e, i) => {
          if (i > 0) this.buf += ' ';
          this.printValue(e, verb, depth + 1);
        });
        this.buf += ']';
        return;
      }
      case 'struct':
        this.printStruct(v as GoStruct, verb, depth);
        return;
      case 'ptr':
        if (v instanceof GoNil) {
          this.fmtPointer(0, verb, v);
          return;
        }
        // Go prints &{...} for a pointer at top level, but only an address when nested.
        if (depth === 0) {
          this.buf += '&';
          this.printStruct(v as GoStruct, verb, depth + 1);
          return;
        }
        this.fmtPointer((v as GoStruct).address, verb, v);
        return;
      case 'time':
        this.fmtString(formatGoTimeString((v as GoTime).unixNanos), verb, v);
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  private printStruct(s: GoStruct, verb: string, depth: number): void {
    this.buf += '{';
    s.fields.forEach((fld, i) => {
      if (i > 0) this.buf += ' ';
      if (this.f.plusV) this.buf += fld.name + ':';
      this.printValue(fld.value, verb, depth + 1);
    });
    this.buf += '}';
  }

  private fmtPointer(address: number, verb: string, v: unknown): void {
    switch (verb) {
      case 'v':
        if (address === 0) this.pad('<nil>');
        else this.pad('0x' + address.toString(16));
        return;
      case 'p':
        this.pad('0x' + address.toString(16));
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  // ---- strings ---------------------------------------------------------

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  private fmtString(s: string, verb: string, v: unknown = s): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        this.fmtS(s);
        return;
      case 'x':
      case 'X':
        this.fmtSx(s, verb === 'X');
        return;
      case 'q':
        this.fmtQ(s);
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) this.pad('`' + s + '`');
    else this.pad(quote(s, this.f.plus));
  }

  private fmtSx(s: string, upper: boolean): void {
    let bytes = utf8Bytes(s);
    if (this.f.precPresent && this.f.prec < bytes.length) bytes = bytes.slice(0, this.f.prec);
    const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef';
    let out = '';
    bytes.forEach((b, i) => {
      if (this.f.space && i > 0) out += ' ';
      if (this.f.sharp && (this.f.space || i === 0)) out += upper ? '0X' : '0x';
      out += digits[b >> 4] + digits[b & 15];
    });
    this.pad(out);
  }

  // ---- numbers ---------------------------------------------------------

  private fmtIntegerVerb(n: bigint, verb: string, v: unknown): void {
    switch (verb) {
      case 'v':
      case 'd':
        this.fmtInteger(n, 10, verb, false);
        return;
      case 'b':
        this.fmtInteger(n, 2, verb, false);
        return;
      case 'o':
      case 'O':
        this.fmtInteger(n, 8, verb, false);
        return;
      case 'x':
        this.fmtInteger(n, 16, verb, false);
        return;
      case 'X':
        this.fmtInteger(n, 16, verb, true);
        return;
      case 'c':
        this.pad(String.fromCodePoint(validRune(n)));
        return;
      case 'q':
        this.pad(quoteRune(validRune(n), this.f.plus));
        return;
      case 'U': {
        let s = 'U+' + n.toString(16).toUpperCase().padStart(4, '0');
        const r = validRune(n);
        if (this.f.sharp && n <= 0x10ffffn && isPrint(r)) s += " '" + String.fromCodePoint(r) + "'";
        this.pad(s);
        return;
      }
      default:
        this.badVerb(verb, v);
    }
  }

  /** fmt.fmtInteger: precision / zero padding, # prefixes, sign. */
  private fmtInteger(n: bigint, base: number, verb: string, upper: boolean): void {
    const negative = n < 0n;
    const u = negative ? -n : n;
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      if (prec === 0 && u === 0n) {
        const z = this.f.zero;
        this.f.zero = false;
        this.writePadding(this.f.wid);
        this.f.zero = z;
        return;
      }
    } else if (this.f.zero && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--; // leave room for the sign
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
    if (this.f.sharp) {
      if (base === 2) digits = '0b' + digits;
      else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
      else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = '0o' + digits;
    if (negative) digits = '-' + digits;
    else if (this.f.plus) digits = '+' + digits;
    else if (this.f.space) digits = ' ' + digits;
    const z = this.f.zero;
    this.f.zero = false; // zero padding was handled as precision above
    this.pad(digits);
    this.f.zero = z;
  }

  private fmtFloatVerb(x: number, verb: string, v: unknown): void {
    switch (verb) {
      case 'v':
        this.fmtFloat(x, 'g', -1);
        return;
      case 'g':
      case 'G':
        this.fmtFloat(x, verb, -1);
        return;
      case 'x':
      case 'X':
        this.fmtFloat(x, verb, -1);
        return;
      case 'b':
        this.pad(formatBinaryFloat(x));
        return;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
        this.fmtFloat(x, verb, 6);
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  private fmtFloat(x: number, verb: 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'x' | 'X', prec: number): void {
    if (this.f.precPresent) prec = this.f.prec;
    let num = verb === 'x' || verb === 'X' ? formatHexFloat(x, prec, verb === 'X') : formatFloat(x, verb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (this.f.space && num[0] === '+' && !this.f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      // Infinities and NaN are never zero padded.
      const z = this.f.zero;
      this.f.zero = false;
      if (num[1] === 'N' && !this.f.space && !this.f.plus) num = num.slice(1);
      this.pad(num);
      this.f.zero = z;
      return;
    }
    if (this.f.plus || num[0] !== '+') {
      if (this.f.zero && this.f.widPresent && this.f.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.f.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }
}

function validRune(n: bigint): number {
  if (n < 0n || n > 0x10ffffn || (n >= 0xd800n && n <= 0xdfffn)) return 0xfffd;
  return Number(n);
}

/**
 * %v of one value. With `derefTop`, a pointer to a struct prints as the struct
 * itself, as text/template does for `{{.X}}` (it dereferences once before fmt).
 */
export function formatValue(v: unknown, derefTop = false): string {
  const p = new Printer();
  if (derefTop && v instanceof GoStruct && v.isPointer) p.printDereferenced(v);
  else p.printArg(v, 'v');
  return p.buf;
}

function isStringArg(v: unknown): boolean {
  return typeof v === 'string' || v instanceof GoNumber;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = isStringArg(arg);
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.f = clearFlags();
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

/** fmt.Sprintln: spaces between all operands, newline at the end. */
export function sprintln(args: unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.f = clearFlags();
    p.printArg(arg, 'v');
  });
  return p.buf + '\n';
}
