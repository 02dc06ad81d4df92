/**
 * `GET /events`: an in-memory bus fed by every transaction (watch.ts) and by routes for the
 * actions a state diff cannot see (kill, stop, rename, exec_*, attach, resize). Keeps the last
 * EVENTS_KEPT messages for `since` replays, as Docker keeps a ring buffer.
 */
import { invalidParameter } from '../core/errors.js';
import { parseUntil } from '../format/go-time.js';
import { sortedObject } from '../engine/inspect.js';
import type { Filters } from './filters.js';
import { labelMatches, validateFilterKeys } from './filters.js';

export const EVENTS_KEPT = 1024;

export interface EventMessage {
  Type: 'container' | 'network' | 'image' | 'volume' | 'daemon';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  /** Deprecated fields Docker still fills for container events. */
  status?: string;
  id?: string;
  from?: string;
  timeNano: bigint;
}

/** Go's events.Message field order; timeNano does not fit a double, so the JSON is built here. */
export function eventJson(ev: EventMessage): string {
  const parts: string[] = [];
  if (ev.status !== undefined) parts.push(`"status":${JSON.stringify(ev.status)}`);
  if (ev.id !== undefined) parts.push(`"id":${JSON.stringify(ev.id)}`);
  if (ev.from !== undefined) parts.push(`"from":${JSON.stringify(ev.from)}`);
  parts.push(`"Type":${JSON.stringify(ev.Type)}`, `"Action":${JSON.stringify(ev.Action)}`);
  parts.push(`"Actor":${JSON.stringify({ ID: ev.Actor.ID, Attributes: sortedObject(ev.Actor.Attributes) })}`);
  parts.push(`"scope":"local"`, `"time":${ev.timeNano / 1_000_000_000n}`, `"timeNano":${ev.timeNano}`);
  return `{${parts.join(',')}}\n`;
}

export class EventBus {
  private readonly kept: EventMessage[] = [];
  private readonly listeners = new Set<(ev: EventMessage) => void>();

  publish(ev: EventMessage): void {
    this.kept.push(ev);
    if (this.kept.length > EVENTS_KEPT) this.kept.splice(0, this.kept.length - EVENTS_KEPT);
    for (const l of [...this.listeners]) l(ev);
  }

  subscribe(fn: (ev: EventMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Kept events in [since, until]. */
  history(since: bigint, until: bigint | undefined): EventMessage[] {
    return this.kept.filter((e) => e.timeNano >= since && (until === undefined || e.timeNano <= until));
  }
}

const EVENT_FILTERS = ['config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume'];

/** daemon/events/filter.go `Include`. */
export function eventFilter(filters: Filters): (ev: EventMessage) => boolean {
  validateFilterKeys(filters, EVENT_FILTERS);
  const exact = (key: string, v: string) => !filters[key]?.length || filters[key].includes(v);
  const fuzzy = (key: string, v: string) => !filters[key]?.length || filters[key].some((f) => v !== '' && (v === f || v.startsWith(f)));
  const byName = (type: string, ev: EventMessage) => {
    if (!filters[type]?.length) return true;
    return fuzzy(type, ev.Actor.ID) || fuzzy(type, ev.Actor.Attributes.name ?? '');
  };
  const fuzzyEvents = ['health_status', 'exec_create', 'exec_start'].some((k) => filters.event?.includes(k));
  return (ev) =>
    (fuzzyEvents ? fuzzy('event', ev.Action) : exact('event', ev.Action)) &&
    exact('type', ev.Type) &&
    exact('scope', 'local') &&
    byName('container', ev) &&
    byName('network', ev) &&
    (byName('image', ev) || (filters.image ?? []).includes(ev.Actor.Attributes.image ?? '')) &&
    byName('volume', ev) &&
    byName('plugin', ev) &&
    (filters.label ?? []).every((l) => labelMatches(ev.Actor.Attributes, l));
}

/** `since`/`until` query values: Unix seconds[.nanos], RFC 3339, or a Go duration before now. */
export function parseEventTime(value: string, now: bigint): bigint | undefined {
  if (value === '') return undefined;
  try {
    return parseUntil(value, now);
  } catch (err) {
    throw invalidParameter((err as Error).message);
  }
}
