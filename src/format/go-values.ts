// The Go value model that Docker's `--format` templates see.
//
// Docker executes templates against Go values through reflection; the exact
// text it prints (and the exact error messages) depend on the Go *type* of each
// value. JavaScript values carry less type information, so this module fixes a
// mapping and offers small wrappers for the cases where the Go type changes the
// output:
//
//   string            -> Go string
//   number (integer)  -> Go int          number (fractional) -> Go float64
//   bigint            -> Go int64
//   boolean           -> Go bool
//   null              -> nil interface value (prints "<nil>" inside containers)
//   undefined         -> "no value" (Go's invalid reflect.Value)
//   Array             -> []interface {} (tag with goTyped(arr, '[]string') for typed slices)
//   plain object      -> map[string]interface {} (goTyped(obj, 'map[string]string') for typed maps)
//   GoStruct          -> a struct, or a pointer to one when its type name starts with '*'
//   GoTime            -> time.Time
//   GoNil             -> a typed nil (nil map / slice / pointer)
//   GoNumber          -> encoding/json.Number (Docker decodes raw inspect JSON with UseNumber)

/** Go's invalid reflect.Value: a missing map key, or nil data. Prints as "<no value>". */
export const NO_VALUE: unique symbol = Symbol('go.noValue');
export type NoValue = typeof NO_VALUE;

/** Tag used by goTyped() to record the Go type of an array or plain object. */
const GO_TYPE: unique symbol = Symbol('go.type');

/** Parameter types understood by the call machinery (a subset of Go's). */
export type GoParam = 'any' | 'string' | 'int' | 'bool' | 'float64' | '[]string' | 'value';

/** A callable with a declared Go signature, so argument errors match Go's. */
export interface GoFuncSpec {
  params: GoParam[];
  /** Element type of a trailing variadic parameter (Go `...T`). */
  variadic?: GoParam;
  fn: (...args: unknown[]) => unknown;
}
/** A plain JS function is treated as taking fn.length arguments of type interface{}. */
export type GoCallable = ((...args: unknown[]) => unknown) | GoFuncSpec;

export function toFuncSpec(f: GoCallable): GoFuncSpec {
  if (typeof f === 'function') {
    return { params: new Array<GoParam>(f.length).fill('any'), fn: f };
  }
  return f;
}

/** A parsed Go struct tag for encoding/json (`json:"name,omitempty"`). */
export interface JsonTag {
  name: string;
  omitEmpty: boolean;
  skip: boolean;
}

export interface GoField {
  name: string;
  value: unknown;
  json: JsonTag;
}

export interface GoStructOptions {
  /** fmt.Stringer: used by %v/%s printing at any depth (like time.Time or net.IP). */
  string?: () => string;
  /**
   * json.Marshaler: the returned JS value is encoded with json.Marshal semantics
   * (HTML escaping ON, as Docker's formatter.MarshalJSON uses json.Marshal), then
   * embedded verbatim in the surrounding output.
   */
  marshalJSON?: () => unknown;
}

let nextAddress = 0xc000010000;

/**
 * A Go struct value. `typeName` is what Go prints in errors, e.g.
 * '*network.networkContext' (a leading '*' marks a pointer, which templates
 * dereference once when printing). Fields keep declaration order; methods are
 * reachable as `.Name` and may take arguments (`.Label "k"`).
 */
export class GoStruct {
  readonly typeName: string;
  readonly fields: readonly GoField[];
  readonly methods: Readonly<Record<string, GoCallable>>;
  readonly options: GoStructOptions;
  /** Fake heap address, printed when a pointer is nested in a container (Go prints 0xc...). */
  readonly address: number;
  private readonly index: Map<string, number>;

  constructor(
    typeName: string,
    fields: Array<[string, unknown] | [string, unknown, string]>,
    methods: Record<string, GoCallable> = {},
    options: GoStructOptions = {},
  ) {
    this.typeName = typeName;
    this.fields = fields.map(([name, value, tag]) => ({ name, value, json: parseJsonTag(name, tag) }));
    this.methods = methods;
    this.options = options;
    this.address = nextAddress;
    nextAddress += 0x60;
    this.index = new Map(this.fields.map((f, i) => [f.name, i]));
  }

  get isPointer(): boolean {
    return this.typeName.startsWith('*');
  }

  hasField(name: string): boolean {
    return this.index.has(name);
  }

  field(name: string): unknown {
    const i = this.index.get(name);
    return i === undefined ? NO_VALUE : this.fields[i].value;
  }

  method(name: string): GoCallable | undefined {
    return Object.prototype.hasOwnProperty.call(this.methods, name) ? this.methods[name] : undefined;
  }
}

function parseJsonTag(field: string, tag: string | undefined): JsonTag {
  if (tag === undefined) return { name: field, omitEmpty: false, skip: false };
  if (tag === '-') return { name: field, omitEmpty: false, skip: true };
  const [name, ...opts] = tag.split(',');
  return { name: name === '' ? field : name, omitEmpty: opts.includes('omitempty'), skip: false };
}

/** time.Time, stored as nanoseconds since the Unix epoch, always in UTC. */
export class GoTime {
  readonly unixNanos: bigint;
  constructor(unixNanos: bigint) {
    this.unixNanos = unixNanos;
  }
}

/** A typed nil: `new GoNil('map[string]string')`, `new GoNil('[]string')`, `new GoNil('*network.X')`. */
export class GoNil {
  readonly typeName: string;
  constructor(typeName: string) {
    this.typeName = typeName;
  }
  get kind(): 'map' | 'slice' | 'ptr' | 'interface' {
    if (this.typeName.startsWith('map[')) return 'map';
    if (this.typeName.startsWith('[]')) return 'slice';
    if (this.typeName.startsWith('*')) return 'ptr';
    return 'interface';
  }
}

/**
 * A float64 whose value is integral (2.0, 1e6). Plain JS numbers with integral
 * values are Go ints, so typed floats that happen to be whole need this wrapper
 * to print as Go prints floats (%v of 1e6 is "1e+06") and to compare as floats.
 */
export class GoFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** A float64 in the value model: a JS number, wrapped when integral. */
export function goFloat(x: number): number | GoFloat {
  return Number.isInteger(x) ? new GoFloat(x) : x;
}

/** The numeric value of an int or float kind value. */
export function numberOf(v: unknown): number {
  return v instanceof GoFloat ? v.value : Number(v);
}

/** encoding/json.Number: a string kind holding the literal text of a JSON number. */
export class GoNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Record the Go type of an array or plain object (e.g. '[]string', 'map[string]string'). */
export function goTyped<T extends object>(value: T, typeName: string): T {
  Object.defineProperty(value, GO_TYPE, { value: typeName, enumerable: false, configurable: true });
  return value;
}

export function taggedType(value: object): string | undefined {
  return (value as { [GO_TYPE]?: string })[GO_TYPE];
}

export type GoKind =
  | 'invalid'
  | 'nil'
  | 'string'
  | 'int'
  | 'float'
  | 'bool'
  | 'slice'
  | 'map'
  | 'struct'
  | 'ptr'
  | 'time'
  | 'func';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The reflect.Kind-like category of a value; GoNil reports its underlying kind. */
export function kindOf(v: unknown): GoKind {
  if (v === NO_VALUE || v === undefined) return 'invalid';
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'function':
      return 'func';
  }
  if (Array.isArray(v)) return 'slice';
  if (v instanceof GoStruct) return v.isPointer ? 'ptr' : 'struct';
  if (v instanceof GoTime) return 'time';
  if (v instanceof GoNumber) return 'string';
  if (v instanceof GoFloat) return 'float';
  if (v instanceof GoNil) {
    const k = v.kind;
    return k === 'interface' ? 'nil' : k;
  }
  return 'map';
}

/** Go's name for the type of a value, as used in error messages and %T. */
export function typeName(v: unknown): string {
  if (v === NO_VALUE || v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return kindOf(v) === 'int' ? 'int' : 'float64';
    case 'bigint':
      return 'int64';
    case 'boolean':
      return 'bool';
    case 'function':
      return 'func()';
  }
  if (Array.isArray(v)) return taggedType(v) ?? '[]interface {}';
  if (v instanceof GoStruct) return v.typeName;
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof GoNumber) return 'json.Number';
  if (v instanceof GoFloat) return 'float64';
  if (v instanceof GoNil) return v.typeName;
  return taggedType(v as object) ?? 'map[string]interface {}';
}

/** Element type of a container type name ('[]string' -> 'string', 'map[string]int' -> 'int'). */
export function elemTypeName(container: string): string {
  if (container.startsWith('[]')) return container.slice(2);
  if (container.startsWith('map[')) {
    let depth = 0;
    for (let i = 3; i < container.length; i++) {
      if (container[i] === '[') depth++;
      else if (container[i] === ']' && --depth === 0) return container.slice(i + 1);
    }
  }
  return 'interface {}';
}

/** reflect.Zero for the simple element types a typed container may declare. */
export function zeroOf(type: string): unknown {
  switch (type) {
    case 'string':
      return '';
    case 'int':
    case 'int64':
    case 'uint16':
    case 'uint32':
    case 'uint64':
    case 'float64':
      return 0;
    case 'bool':
      return false;
    case 'interface {}':
      return null;
  }
  if (type.startsWith('map[') || type.startsWith('[]') || type.startsWith('*')) return new GoNil(type);
  return null;
}

/** Go's template truth: false, 0, nil, and empty string/slice/map are false; structs are true. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'string':
      return v instanceof GoNumber ? v.text.length > 0 : (v as string).length > 0;
    case 'int':
    case 'float':
      return typeof v === 'bigint' ? v !== 0n : numberOf(v) !== 0;
    case 'bool':
      return v as boolean;
    case 'slice':
      return v instanceof GoNil ? false : (v as unknown[]).length > 0;
    case 'map':
      return v instanceof GoNil ? false : mapKeys(v as Record<string, unknown>).length > 0;
    case 'ptr':
      return !(v instanceof GoNil);
    default:
      return true;
  }
}

/** Map keys in Go's sorted order (fmt and text/template range both sort; keys are strings here). */
export function mapKeys(m: Record<string, unknown>): string[] {
  return Object.keys(m)
    .filter((k) => m[k] !== undefined)
    .sort(compareBytes);
}

/** Byte-wise (UTF-8) string comparison, which is how Go orders strings. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 code unit order equals UTF-8 byte order except across the surrogate
  // range, so compare by code point.
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

// UTF-8 by hand: the browser build targets plain ES2022 (no TextEncoder typings).

/** UTF-8 bytes of a string (Go strings are byte sequences); lone surrogates become U+FFFD. */
export function utf8Bytes(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    let c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Decode UTF-8; each invalid or truncated sequence becomes U+FFFD (as Go ranges over strings). */
export function utf8Decode(b: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n = 0;
    let cp = 0;
    let min = 0;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    } else if (c >= 0xc2 && c < 0xe0) {
      n = 1;
      cp = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c < 0xf0) {
      n = 2;
      cp = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c < 0xf5) {
      n = 3;
      cp = c & 0x07;
      min = 0x10000;
    } else {
      out += '\uFFFD';
      i++;
      continue;
    }
    let ok = i + n < b.length;
    for (let k = 1; ok && k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (cc & 0x3f);
    }
    if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += '\uFFFD';
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += n + 1;
  }
  return out;
}

/** len() of a Go string: its UTF-8 byte count. */
export function byteLength(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** The string content of a string-kind value (string or json.Number). */
export function stringOf(v: unknown): string {
  return v instanceof GoNumber ? v.text : (v as string);
}
