/**
 * Host ports of published bindings: a single port as given, an ephemeral one from 32768 up, a
 * range `lo-hi` the first free port in it. Docker's port allocator picks at start, from what the
 * running containers hold then; so does startContainer (repickHostPorts).
 */
import { invalidParameter } from '../core/errors.js';
import type { Engine } from './engine.js';
import type { ContainerRecord, PortBinding } from './model.js';

const EPHEMERAL_START = 32768;

/** A port for `spec` that `taken` does not hold (added to it); throws Docker's text for a bad spec. */
export function pickHostPort(spec: string, taken: Set<number>): number {
  let port: number;
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (spec === '' || spec === '0') {
    port = EPHEMERAL_START;
    while (taken.has(port)) port++;
  } else if (range) {
    const [lo, hi] = [Number(range[1]), Number(range[2])];
    if (lo < 1 || hi > 65535 || lo > hi) throw invalidParameter(`Invalid hostPort: ${spec}`);
    port = lo;
    while (port <= hi && taken.has(port)) port++;
    if (port > hi) port = lo; // all taken: the start fails on lo with Docker's "already allocated"
  } else if (/^\d+$/.test(spec) && Number(spec) <= 65535) port = Number(spec);
  else throw invalidParameter(`Invalid hostPort: ${spec}`);
  taken.add(port);
  return port;
}

/** Whether a request's HostPort is picked by the allocator (ephemeral or a range) rather than fixed. */
export function isPickedSpec(spec: string): boolean {
  return spec === '' || spec === '0' || /^\d+-\d+$/.test(spec);
}

/** Host ports the running containers hold, per protocol (other than `except`). */
function heldPorts(engine: Engine, protocol: PortBinding['protocol'], except: ContainerRecord): Set<number> {
  const taken = new Set<number>();
  for (const c of engine.containers.values()) {
    if (c === except || c.status !== 'running') continue;
    for (const b of c.portBindings) if (b.protocol === protocol) taken.add(b.hostPort);
  }
  return taken;
}

/** At start: bindings without a fixed host port get one that is free now. */
export function repickHostPorts(engine: Engine, container: ContainerRecord): void {
  const taken = { tcp: heldPorts(engine, 'tcp', container), udp: heldPorts(engine, 'udp', container) };
  for (const b of container.portBindings) {
    if (b.hostPortSpec === undefined) continue;
    b.hostPort = pickHostPort(b.hostPortSpec, taken[b.protocol]);
  }
}
