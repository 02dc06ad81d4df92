/**
 * Resolving user references to networks and containers, with Docker's precedence and error
 * texts (docker-engine.md §7.2): full ID, then exact name, then unique ID prefix.
 */
import { EngineError, invalidParameter, notFound } from '../core/errors.js';
import type { ContainerRecord, NetworkRecord } from './model.js';

export function findNetworkIn(networks: Iterable<NetworkRecord>, byId: Map<string, NetworkRecord>, byName: Map<string, NetworkRecord>, ref: string): NetworkRecord {
  const exactId = byId.get(ref);
  if (exactId) return exactId;
  const named = byName.get(ref);
  if (named) return named;
  if (ref !== '') {
    const matches: NetworkRecord[] = [];
    for (const n of networks) if (n.id.startsWith(ref)) matches.push(n);
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw invalidParameter(`network ${ref} is ambiguous (${matches.length} matches found based on ID prefix)`);
  }
  throw notFound(`network ${ref} not found`);
}

export function findContainerIn(containers: Iterable<ContainerRecord>, byId: Map<string, ContainerRecord>, byName: Map<string, ContainerRecord>, ref: string): ContainerRecord {
  const exactId = byId.get(ref);
  if (exactId) return exactId;
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  const named = byName.get(name);
  if (named) return named;
  if (ref !== '' && /^[0-9a-f]+$/.test(ref)) {
    const matches: ContainerRecord[] = [];
    for (const c of containers) if (c.id.startsWith(ref)) matches.push(c);
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw invalidParameter(`multiple IDs found with provided prefix: ${ref}`);
  }
  throw new EngineError('not-found', `No such container: ${ref}`);
}
