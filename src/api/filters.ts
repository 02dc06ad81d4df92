/**
 * Query strings and `filters` the way the daemon reads them (compose.md §12.4): `+` is a space,
 * booleans follow httputils.BoolValue (`False`, `0`, `no`, `none`, `` are false), and filters
 * come as `{"key":{"value":true}}` or the older `{"key":["value"]}`.
 */
import { invalidParameter } from '../core/errors.js';
import { describeSyntaxError, type Json } from './json.js';

export class Query {
  private readonly values = new Map<string, string[]>();

  constructor(search: string) {
    const s = search.startsWith('?') ? search.slice(1) : search;
    for (const part of s.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const k = decode(eq < 0 ? part : part.slice(0, eq));
      const v = eq < 0 ? '' : decode(part.slice(eq + 1));
      const list = this.values.get(k);
      if (list) list.push(v);
      else this.values.set(k, [v]);
    }
  }

  /** First value, '' when absent (Go's Form.Get). */
  get(key: string): string {
    return this.values.get(key)?.[0] ?? '';
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  all(key: string): string[] {
    return this.values.get(key) ?? [];
  }

  /** httputils.BoolValue. */
  bool(key: string): boolean {
    const s = this.get(key).trim().toLowerCase();
    return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
  }

  /** httputils.BoolValueOrDefault: the default when the key is absent. */
  boolOr(key: string, def: boolean): boolean {
    return this.has(key) ? this.bool(key) : def;
  }

  /** strconv.Atoi of a present value; undefined when absent or empty. */
  int(key: string): number | undefined {
    const v = this.get(key);
    if (v === '') return undefined;
    if (!/^[+-]?\d+$/.test(v)) throw invalidParameter(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
    return Number.parseInt(v, 10);
  }
}

function decode(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    // Go's ParseQuery rejects bad escapes; keep the raw text rather than failing the request.
    return plus;
  }
}

export type Filters = Record<string, string[]>;

/** filters.FromJSON: the map form first, then the legacy list form; `''` is no filters. */
export function parseFilters(text: string): Filters {
  if (text === '') return {};
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    throw invalidParameter(describeSyntaxError(text).replace(/^invalid JSON: /, ''));
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidParameter(`json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed === 'boolean' ? 'bool' : typeof parsed} into Go value of type map[string]map[string]bool`);
  }
  const out: Filters = {};
  for (const [key, v] of Object.entries(parsed)) {
    if (v === null) continue;
    if (Array.isArray(v)) {
      out[key] = v.map((e) => {
        if (typeof e !== 'string') throw invalidParameter(`json: cannot unmarshal array into Go value of type map[string]bool`);
        return e;
      });
    } else if (typeof v === 'object') {
      out[key] = Object.keys(v);
    } else {
      throw invalidParameter(`json: cannot unmarshal ${typeof v === 'boolean' ? 'bool' : typeof v} into Go value of type map[string]bool`);
    }
  }
  return out;
}

/** filters.Validate: every key must be one the endpoint knows. */
export function validateFilterKeys(filters: Filters, accepted: string[]): void {
  for (const key of Object.keys(filters)) if (!accepted.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
}

/** filters.Match: exact, or the value as an unanchored regular expression. */
export function matchesPattern(pattern: string, source: string): boolean {
  if (pattern === source) return true;
  try {
    return new RegExp(pattern).test(source);
  } catch {
    return false;
  }
}

/** filters.MatchKVList: `key` present, or `key=value` exact. */
export function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return Object.prototype.hasOwnProperty.call(labels, filter);
  const k = filter.slice(0, eq);
  return Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === filter.slice(eq + 1);
}
