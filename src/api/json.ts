/**
 * Request bodies the way the daemon's Go decoder reads them: syntax errors and type mismatches
 * become 400 `invalid JSON: …` with encoding/json's wording; `null` means absent; field names
 * match exactly, else case-insensitively (as Go does); unknown fields are ignored.
 */
import { invalidParameter } from '../core/errors.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Parses a request body; '' (no body) gives undefined. */
export function parseBody(text: string): Json | undefined {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw invalidParameter(describeSyntaxError(text));
  }
}

/** Go's quoteChar for syntax errors. */
function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const j = JSON.stringify(c);
  return `'${j.slice(1, -1)}'`;
}

/**
 * Scans like encoding/json's Decoder to name the first error: `invalid character 'x' looking
 * for beginning of value`, `unexpected EOF`, or content after the first value.
 */
export function describeSyntaxError(text: string): string {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  class Stop extends Error {}
  const fail = (msg: string): never => {
    throw new Stop(msg);
  };
  const bad = (context: string): never => (i >= text.length ? fail('unexpected EOF') : fail(`invalid character ${quoteChar(text[i])} ${context}`));
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= text.length) fail('unexpected EOF');
      if (text[i] !== word[k]) fail(`invalid character ${quoteChar(text[i])} in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
  };
  const str = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail('unexpected EOF');
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') fail(`invalid character ${quoteChar(c)} in string literal`);
      if (c === '\\') {
        i++;
        if (i >= text.length) fail('unexpected EOF');
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (i + k >= text.length) {
              i += k;
              fail('unexpected EOF');
            }
            if (!/[0-9a-fA-F]/.test(text[i + k])) {
              i += k;
              fail(`invalid character ${quoteChar(text[i])} in \\u hexadecimal character escape`);
            }
          }
          i += 5;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) fail(`invalid character ${quoteChar(e)} in string escape code`);
      }
      i++;
    }
  };
  const num = () => {
    if (text[i] === '-') i++;
    if (i >= text.length) fail('unexpected EOF');
    if (text[i] === '0') i++;
    else if (/[1-9]/.test(text[i])) while (/[0-9]/.test(text[i] ?? '')) i++;
    else bad('in numeric literal');
    if (text[i] === '.') {
      i++;
      if (!/[0-9]/.test(text[i] ?? '')) bad('after decimal point in numeric literal');
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!/[0-9]/.test(text[i] ?? '')) bad('in exponent of numeric literal');
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') bad('looking for beginning of object key string');
        str();
        ws();
        if (text[i] !== ':') bad('after object key');
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        bad('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        bad('after array element');
      }
    }
    if (c === '"') return str();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && /[0-9]/.test(c))) return num();
    bad('looking for beginning of value');
  };
  try {
    value();
    ws();
    if (i < text.length) return 'unexpected content after JSON';
    return 'invalid JSON: unexpected EOF';
  } catch (e) {
    if (e instanceof Stop) return `invalid JSON: ${e.message}`;
    throw e;
  }
}

function kindName(v: Json): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return `number`;
  if (typeof v === 'string') return 'string';
  return 'object';
}

/**
 * Typed field access for one request struct (`CreateRequest`, `EndpointSettings`, …).
 * Errors name the field path as encoding/json does: `Go struct field CreateRequest.IPAM.Config of type …`.
 */
export class Fields {
  constructor(
    private readonly data: JsonObject,
    private readonly struct: string,
    private readonly prefix = '',
  ) {}

  /** Decodes the whole body as this struct: absent or null → an empty object. */
  static of(body: Json | undefined, struct: string, goType: string): Fields {
    if (body === undefined || body === null) return new Fields({}, struct);
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw invalidParameter(`invalid JSON: json: cannot unmarshal ${kindName(body)} into Go value of type ${goType}`);
    }
    return new Fields(body, struct);
  }

  /** Go matches the exact name first, then case-insensitively. */
  raw(key: string): Json | undefined {
    if (Object.prototype.hasOwnProperty.call(this.data, key)) return this.data[key];
    const lower = key.toLowerCase();
    for (const k of Object.keys(this.data)) if (k.toLowerCase() === lower) return this.data[k];
    return undefined;
  }

  has(key: string): boolean {
    const v = this.raw(key);
    return v !== undefined && v !== null;
  }

  private path(key: string): string {
    return `${this.struct}.${this.prefix}${key}`;
  }

  typeError(key: string, v: Json, goType: string): never {
    const kind = typeof v === 'number' && goType.startsWith('int') ? `number ${v}` : kindName(v);
    throw invalidParameter(`invalid JSON: json: cannot unmarshal ${kind} into Go struct field ${this.path(key)} of type ${goType}`);
  }

  str(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.typeError(key, v, 'string');
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.typeError(key, v, 'bool');
    return v;
  }

  int(key: string, goType = 'int'): number | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.typeError(key, v, goType);
    return v;
  }

  strList(key: string, goType = '[]string'): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.typeError(key, v, goType);
    return v.map((e) => {
      if (typeof e !== 'string') this.typeError(key, e, 'string');
      return e;
    });
  }

  /** strslice.StrSlice: a string or a list of strings (Cmd, Entrypoint). */
  strSlice(key: string): string[] | undefined {
    const v = this.raw(key);
    if (typeof v === 'string') return [v];
    return this.strList(key, 'strslice.StrSlice');
  }

  strMap(key: string, goType = 'map[string]string'): Record<string, string> | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.typeError(key, v, goType);
    const out: Record<string, string> = {};
    for (const [k, e] of Object.entries(v)) {
      if (e === null) {
        out[k] = '';
        continue;
      }
      if (typeof e !== 'string') this.typeError(key, e, 'string');
      out[k] = e;
    }
    return out;
  }

  /** A nested struct; null or absent → undefined. */
  obj(key: string, goType: string): Fields | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.typeError(key, v, goType);
    return new Fields(v, this.struct, `${this.prefix}${key}.`);
  }

  /** A list of structs. */
  objList(key: string, goType: string): Fields[] | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.typeError(key, v, goType);
    return v.map((e) => {
      if (e === null) return new Fields({}, this.struct, `${this.prefix}${key}.`);
      if (typeof e !== 'object' || Array.isArray(e)) this.typeError(key, e, goType.replace(/^\[\]/, ''));
      return new Fields(e, this.struct, `${this.prefix}${key}.`);
    });
  }

  /** A map of structs (EndpointsConfig, PortBindings values are lists…). */
  objMap(key: string, goType: string): Record<string, Fields | undefined> | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.typeError(key, v, goType);
    const out: Record<string, Fields | undefined> = {};
    for (const [k, e] of Object.entries(v)) {
      if (e === null) {
        out[k] = undefined;
        continue;
      }
      if (typeof e !== 'object' || Array.isArray(e)) this.typeError(key, e, goType.replace(/^map\[string\]\*?/, ''));
      out[k] = new Fields(e, this.struct, `${this.prefix}${key}.`);
    }
    return out;
  }

  /** The raw value of a map field (for shapes the helpers above do not cover). */
  rawMap(key: string, goType: string): Record<string, Json> | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.typeError(key, v, goType);
    return v;
  }
}
