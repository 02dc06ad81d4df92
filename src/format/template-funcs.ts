// Template functions: Go's builtins (funcs.go) and Docker's additions
// (docker/cli templates/templates.go), each with its Go signature so that
// argument checking and error texts come out as Go reports them.

import { sprint, sprintln } from './go-print.js';
import { sprintf } from './go-printf.js';
import { encodeJson } from './go-json.js';
import {
  GoFuncSpec,
  GoNil,
  GoStruct,
  NO_VALUE,
  byteLength,
  compareBytes,
  elemTypeName,
  goTyped,
  isTrue,
  kindOf,
  mapKeys,
  numberOf,
  stringOf,
  taggedType,
  typeName,
  utf8Bytes,
  utf8Decode,
  zeroOf,
} from './go-values.js';

/** A function as the executor sees it; `builtin` marks Go's own (and/or short-circuit). */
export interface TemplateFunc extends GoFuncSpec {
  builtin?: boolean;
}

const v1 = (fn: (a: unknown) => unknown): TemplateFunc => ({ params: ['value'], fn, builtin: true });
const v2 = (fn: (a: unknown, b: unknown) => unknown): TemplateFunc => ({ params: ['value', 'value'], fn, builtin: true });

/** indirectInterface: a nil interface value becomes the invalid value. */
function indirectInterface(v: unknown): unknown {
  return v === null || v === undefined ? NO_VALUE : v;
}

/** indirect() for the value model: pointers to structs become the struct; nil pointers stay nil. */
function indirect(v: unknown): { v: unknown; isNil: boolean } {
  if (v === null) return { v, isNil: true };
  if (v instanceof GoNil && (v.kind === 'ptr' || v.kind === 'interface')) return { v, isNil: true };
  return { v, isNil: false };
}

/** The type name after indirect(): a pointer to a struct names the struct. */
function derefTypeName(v: unknown): string {
  const t = typeName(v);
  return v instanceof GoStruct && v.isPointer ? t.slice(1) : t;
}

function indexArg(index: unknown, cap: number): number {
  if (index === NO_VALUE) throw new Error('cannot index slice/array with nil');
  if (kindOf(index) !== 'int') throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  const x = Number(index);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function zeroTypeError(): never {
  // What reflect panics with when len/index meet the invalid value; Go reports the panic text.
  throw new Error('reflect: call of reflect.Value.Type on zero Value');
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  item = indirectInterface(item);
  if (item === NO_VALUE) throw new Error('index of untyped nil');
  for (let idx of indexes) {
    idx = indirectInterface(idx);
    const ind = indirect(item);
    if (ind.isNil) throw new Error('index of nil pointer');
    item = ind.v;
    const kind = kindOf(item);
    if (kind === 'slice' || kind === 'string') {
      if (item instanceof GoNil) {
        indexArg(idx, 0);
        throw new Error('reflect: slice index out of range');
      }
      if (kind === 'string') {
        const bytes = utf8Bytes(stringOf(item));
        const x = indexArg(idx, bytes.length);
        if (x === bytes.length) throw new Error('reflect: string index out of range');
        item = bytes[x]; // a byte (uint8), printed as a number
      } else {
        const arr = item as unknown[];
        const x = indexArg(idx, arr.length);
        if (x === arr.length) throw new Error('reflect: slice index out of range');
        item = arr[x];
      }
    } else if (kind === 'map') {
      if (idx === NO_VALUE) throw new Error('value is nil; should be of type string');
      if (typeof idx !== 'string') throw new Error(`value has type ${typeName(idx)}; should be string`);
      const elem = elemTypeName(typeName(item));
      if (item instanceof GoNil) {
        item = zeroOf(elem);
      } else {
        const m = item as Record<string, unknown>;
        const has = Object.prototype.hasOwnProperty.call(m, idx) && m[idx] !== undefined;
        item = has ? m[idx] : zeroOf(elem);
      }
    } else {
      throw new Error(`can't index item of type ${derefTypeName(item)}`);
    }
  }
  return item;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  item = indirectInterface(item);
  if (item === NO_VALUE) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const kind = kindOf(item);
  let len: number;
  let bytes: Uint8Array | undefined;
  if (kind === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    bytes = utf8Bytes(stringOf(item));
    len = bytes.length;
  } else if (kind === 'slice') {
    len = item instanceof GoNil ? 0 : (item as unknown[]).length;
  } else {
    throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(indirectInterface(x), len);
  });
  if (idx[0] > idx[1]) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (bytes) return utf8Decode(bytes.slice(idx[0], idx[1]));
  if (item instanceof GoNil) return item;
  const out = (item as unknown[]).slice(idx[0], idx[1]);
  const t = taggedType(item as object);
  return t ? goTyped(out, t) : out;
}

function length(item: unknown): number {
  if (item === NO_VALUE || item === undefined) zeroTypeError();
  const ind = indirect(item);
  if (ind.isNil) throw new Error('len of nil pointer');
  item = ind.v;
  switch (kindOf(item)) {
    case 'string':
      return byteLength(stringOf(item));
    case 'slice':
      return item instanceof GoNil ? 0 : (item as unknown[]).length;
    case 'map':
      return item instanceof GoNil ? 0 : mapKeys(item as Record<string, unknown>).length;
  }
  throw new Error(`len of type ${derefTypeName(item)}`);
}

// ---- comparisons (eq, ne, lt, le, gt, ge) ----------------------------------

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'float' || k === 'string' ? k : 'invalid';
}

function isComparable(v: unknown): boolean {
  const k = kindOf(v);
  if (k === 'slice' || k === 'map' || k === 'func') return false;
  if (v instanceof GoStruct && !v.isPointer) return v.fields.every((f) => isComparable(f.value));
  return true;
}

function basicEqual(k: BasicKind, a: unknown, b: unknown): boolean {
  switch (k) {
    case 'string':
      return stringOf(a) === stringOf(b);
    case 'int':
      return BigInt(a as number) === BigInt(b as number);
    case 'float':
      return numberOf(a) === numberOf(b);
    default:
      return a === b;
  }
}

function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  arg1 = indirectInterface(arg1);
  if (arg2.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (let arg of arg2) {
    arg = indirectInterface(arg);
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (arg1 !== NO_VALUE && arg !== NO_VALUE) throw new Error('incompatible types for comparison');
    } else if (k1 !== 'invalid') {
      truth = basicEqual(k1, arg1, arg);
    } else {
      const nil1 = arg1 === NO_VALUE || arg1 instanceof GoNil;
      const nil2 = arg === NO_VALUE || arg instanceof GoNil;
      if (kindOf(arg1) !== kindOf(arg) && arg1 !== NO_VALUE && arg !== NO_VALUE) {
        throw new Error(
          `non-comparable types ${sprint([arg1])}: ${typeName(arg1)}, ${typeName(arg)}: ${sprint([arg])}`,
        );
      }
      if (nil1 || nil2) {
        truth = nil1 === nil2;
      } else {
        if (!isComparable(arg)) throw new Error(`non-comparable type ${sprint([arg])}: ${typeName(arg)}`);
        truth = arg1 === arg;
      }
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: unknown, arg2: unknown): boolean {
  arg1 = indirectInterface(arg1);
  const k1 = basicKind(arg1);
  if (k1 === 'invalid') throw new Error('invalid type for comparison');
  arg2 = indirectInterface(arg2);
  const k2 = basicKind(arg2);
  if (k2 === 'invalid') throw new Error('invalid type for comparison');
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  switch (k1) {
    case 'bool':
      throw new Error('invalid type for comparison');
    case 'string':
      return compareBytes(stringOf(arg1), stringOf(arg2)) < 0;
    case 'int':
      return BigInt(arg1 as number) < BigInt(arg2 as number);
    default:
      return numberOf(arg1) < numberOf(arg2);
  }
}

const le = (a: unknown, b: unknown): boolean => lt(a, b) || eq(a, b);

// ---- escapers (html, js, urlquery) ----------------------------------------

/** evalArgs: a single string argument is used as is, anything else goes through fmt.Sprint. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) =>
    c === '\0' ? '\uFFFD' : ({ '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!,
  );
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (c < 0x20) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}

function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Go's text/template builtins. `and`/`or` are evaluated lazily by the executor. */
export const BUILTINS: Record<string, TemplateFunc> = {
  and: { params: ['value'], variadic: 'value', fn: () => NO_VALUE, builtin: true },
  or: { params: ['value'], variadic: 'value', fn: () => NO_VALUE, builtin: true },
  not: v1((a) => !isTrue(indirectInterface(a))),
  len: v1(length),
  index: { params: ['value'], variadic: 'value', fn: (...a) => index(a[0], ...a.slice(1)), builtin: true },
  slice: { params: ['value'], variadic: 'value', fn: (...a) => slice(a[0], ...a.slice(1)), builtin: true },
  print: { params: [], variadic: 'any', fn: (...a) => sprint(a), builtin: true },
  printf: { params: ['string'], variadic: 'any', fn: (f, ...a) => sprintf(f as string, a), builtin: true },
  println: { params: [], variadic: 'any', fn: (...a) => sprintln(a), builtin: true },
  eq: { params: ['value'], variadic: 'value', fn: (a, ...b) => eq(a, ...b), builtin: true },
  ne: v2((a, b) => !eq(a, b)),
  lt: v2(lt),
  le: v2(le),
  gt: v2((a, b) => !le(a, b)),
  ge: v2((a, b) => !lt(a, b)),
  html: { params: [], variadic: 'any', fn: (...a) => htmlEscape(evalArgs(a)), builtin: true },
  js: { params: [], variadic: 'any', fn: (...a) => jsEscape(evalArgs(a)), builtin: true },
  urlquery: { params: [], variadic: 'any', fn: (...a) => queryEscape(evalArgs(a)), builtin: true },
};

// ---- Docker's functions -----------------------------------------------------

/** Per-rune simple case mapping, as Go's unicode.ToUpper/ToLower (no 'ß' -> 'SS'). */
function mapRunes(s: string, f: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    const m = f(ch);
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;
const SPACE = /^\s$/u;

/** strings.Title's word-boundary rule. */
function isSeparator(ch: string): boolean {
  const r = ch.codePointAt(0)!;
  if (r <= 0x7f) return !/[0-9a-zA-Z_]/.test(ch);
  if (LETTER_OR_DIGIT.test(ch)) return false;
  return SPACE.test(ch);
}

function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? mapRunes(ch, (c) => c.toUpperCase()) : ch;
    prev = ch;
  }
  return out;
}

/** strings.Split. */
function split(s: string, sep: string): string[] {
  const parts = sep === '' ? [...s] : s.split(sep);
  return goTyped(parts, '[]string');
}

/** truncate: byte length below n keeps the string, else its first n bytes. */
function truncate(s: string, n: number): string {
  const b = utf8Bytes(s);
  return b.length < n ? s : utf8Decode(b.slice(0, Math.max(n, 0)));
}

export const DOCKER_FUNCS: Record<string, TemplateFunc> = {
  json: {
    params: ['any'],
    fn: (v) => {
      // Docker ignores the encoder's error and returns whatever was buffered: nothing.
      try {
        return encodeJson(v, false);
      } catch {
        return '';
      }
    },
  },
  split: { params: ['string', 'string'], fn: (s, sep) => split(s as string, sep as string) },
  join: { params: ['[]string', 'string'], fn: (a, sep) => (a instanceof GoNil ? '' : (a as string[]).join(sep as string)) },
  title: { params: ['string'], fn: (s) => title(s as string) },
  lower: { params: ['string'], fn: (s) => mapRunes(s as string, (c) => c.toLowerCase()) },
  upper: { params: ['string'], fn: (s) => mapRunes(s as string, (c) => c.toUpperCase()) },
  pad: {
    params: ['string', 'int', 'int'],
    fn: (s, p, q) => (s === '' ? s : ' '.repeat(Math.max(Number(p), 0)) + s + ' '.repeat(Math.max(Number(q), 0))),
  },
  truncate: { params: ['string', 'int'], fn: (s, n) => truncate(s as string, Number(n)) },
};

/** templates.HeaderFunctions: the header row keeps column names intact (pad is not replaced). */
export const HEADER_FUNCS: Record<string, TemplateFunc> = {
  json: { params: ['string'], fn: (v) => v },
  split: { params: ['string', 'string'], fn: (v) => v },
  join: { params: ['string', 'string'], fn: (v) => v },
  title: { params: ['string'], fn: (v) => v },
  lower: { params: ['string'], fn: (v) => v },
  upper: { params: ['string'], fn: (v) => v },
  truncate: { params: ['string', 'int'], fn: (v) => v },
};

