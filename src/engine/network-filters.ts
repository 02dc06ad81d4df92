/**
 * Daemon-side `network ls` filters (docker-engine.md §9.1): different keys AND, values of one
 * key OR (labels: AND); `name`/`id` match exactly or as an unanchored regular expression.
 */
import { invalidParameter } from '../core/errors.js';
import type { Engine } from './engine.js';
import type { NetworkRecord } from './model.js';

export type Filters = Record<string, string[]>;

const KEYS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

function regexMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}

export function validateNetworkFilters(filters: Filters): void {
  for (const key of Object.keys(filters)) if (!KEYS.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
  for (const v of filters.type ?? []) if (v !== 'builtin' && v !== 'custom') throw invalidParameter(`invalid filter: 'type'='${v}'`);
  for (const v of filters.dangling ?? []) {
    if (!['true', '1', 'false', '0'].includes(v)) throw invalidParameter(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
  }
}

export function filterNetworks(engine: Engine, networks: NetworkRecord[], filters: Filters): NetworkRecord[] {
  validateNetworkFilters(filters);
  const any = (key: string, pred: (v: string) => boolean) => !filters[key]?.length || filters[key].some(pred);
  return networks.filter(
    (n) =>
      any('driver', (v) => v === n.driver) &&
      any('scope', (v) => v === n.scope) &&
      any('name', (v) => v === n.name || regexMatch(v, n.name)) &&
      any('id', (v) => v === n.id || regexMatch(v, n.id)) &&
      // Unlike other keys, several label filters must all match (Docker's filters.MatchKVList).
      (filters.label ?? []).every((v) => {
        const eq = v.indexOf('=');
        return eq < 0 ? v in n.labels : n.labels[v.slice(0, eq)] === v.slice(eq + 1);
      }) &&
      any('type', (v) => (v === 'builtin') === n.predefined) &&
      any('dangling', (v) => {
        const wantDangling = v === 'true' || v === '1';
        const dangling = !n.predefined && engine.endpointsOn(n.id).length === 0;
        return wantDangling === dangling;
      }),
  );
}
