// Go encoding/json for the template `json` function, and a decoder that keeps
// number literals (json.Decoder.UseNumber, which Docker's raw inspect fallback uses).

import { formatFloat } from './go-float.js';
import { formatRfc3339Nano } from './go-time.js';
import { GoFloat, GoNil, GoNumber, GoStruct, GoTime, NO_VALUE, isTrue, kindOf, mapKeys } from './go-values.js';

export class JsonUnsupportedError extends Error {}

const HEX = '0123456789abcdef';

/** encodeState.string: Go's escaping (\b and \f short forms since Go 1.22; U+2028/9 always escaped). */
export function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c && !(escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26))) {
        out += ch;
        continue;
      }
      switch (c) {
        case 0x5c:
          out += '\\\\';
          break;
        case 0x22:
          out += '\\"';
          break;
        case 0x08:
          out += '\\b';
          break;
        case 0x0c:
          out += '\\f';
          break;
        case 0x0a:
          out += '\\n';
          break;
        case 0x0d:
          out += '\\r';
          break;
        case 0x09:
          out += '\\t';
          break;
        default:
          out += '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
      }
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd'; // invalid UTF-8 in Go terms
    else if (c === 0x2028 || c === 0x2029) out += '\\u202' + HEX[c & 0xf];
    else out += ch;
  }
  return out + '"';
}

/** floatEncoder: 'f' unless the magnitude needs an exponent, then e-09 -> e-9. */
function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new JsonUnsupportedError(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  const useE = abs !== 0 && (abs < 1e-6 || abs >= 1e21);
  let s = formatFloat(f, useE ? 'e' : 'f', -1);
  if (useE) s = s.replace(/e([+-])0(\d)$/, 'e$1$2');
  return s;
}

function isEmptyValue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return true;
    case 'struct':
    case 'time':
      return false;
    case 'ptr':
      return v instanceof GoNil;
    default:
      return !isTrue(v);
  }
}

/** json.Marshal of a value in our Go model (throws JsonUnsupportedError like Go errors). */
export function encodeJson(v: unknown, escapeHTML: boolean): string {
  if (v === NO_VALUE || v === undefined || v === null || v instanceof GoNil) return 'null';
  switch (typeof v) {
    case 'string':
      return jsonString(v, escapeHTML);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      return kindOf(v) === 'int' ? BigInt(v).toString() : jsonFloat(v);
    case 'function':
      throw new JsonUnsupportedError('json: unsupported type: func()');
  }
  if (v instanceof GoNumber) return v.text;
  if (v instanceof GoFloat) return jsonFloat(v.value);
  if (v instanceof GoTime) return '"' + formatRfc3339Nano(v.unixNanos) + '"';
  if (Array.isArray(v)) return '[' + v.map((e) => encodeJson(e, escapeHTML)).join(',') + ']';
  if (v instanceof GoStruct) {
    // A Marshaler's output is produced by json.Marshal inside MarshalJSON (HTML escaping on).
    if (v.options.marshalJSON) return encodeJson(v.options.marshalJSON(), true);
    const parts: string[] = [];
    for (const f of v.fields) {
      if (f.json.skip || (f.json.omitEmpty && isEmptyValue(f.value))) continue;
      parts.push(jsonString(f.json.name, escapeHTML) + ':' + encodeJson(f.value, escapeHTML));
    }
    return '{' + parts.join(',') + '}';
  }
  const m = v as Record<string, unknown>;
  // Go sorts map keys.
  return '{' + mapKeys(m).map((k) => jsonString(k, escapeHTML) + ':' + encodeJson(m[k], escapeHTML)).join(',') + '}';
}

// ---- decoding with UseNumber ----------------------------------------------

/**
 * Decode JSON text the way `json.Decoder` with `UseNumber()` into `interface{}`
 * does: objects become maps, arrays slices, and numbers GoNumber (json.Number),
 * which print exactly as written. This is the "raw view" Docker falls back to.
 */
export function parseJsonUseNumber(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`invalid JSON at offset ${i}: ${what}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected string key');
        const k = str();
        ws();
        if (text[i++] !== ':') fail('expected colon');
        Object.defineProperty(obj, k, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] === '}') return obj;
        fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] === ']') return arr;
        fail('expected , or ]');
      }
    }
    if (c === '"') return str();
    const lit = /^(?:true|false|null)/.exec(text.slice(i, i + 5));
    if (lit) {
      i += lit[0].length;
      return lit[0] === 'null' ? null : lit[0] === 'true';
    }
    const num = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      return new GoNumber(num[0]);
    }
    return fail('unexpected character');
  };
  const str = (): string => {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
    if (!m) fail('bad string');
    i += m![0].length;
    return JSON.parse(m![0]) as string;
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing data');
  return v;
}
