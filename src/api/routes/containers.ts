/**
 * Container endpoints: create, list, inspect, start/stop/restart/kill, remove, rename, wait,
 * logs, resize — the engine and simulated runtime the CLI uses, with Docker's wire shapes.
 */
import { EngineError, invalidParameter, notFound, notModified } from '../../core/errors.js';
import { bindingsProgrammed, createContainer, removeContainer, verifyContainerSettings } from '../../engine/containers.js';
import type { Engine } from '../../engine/engine.js';
import { containerJson, sortedObject } from '../../engine/inspect.js';
import type { ContainerRecord } from '../../engine/model.js';
import { findImage, normalizeImageRef } from '../../engine/images.js';
import { isLocal } from './images.js';
import { humanDuration, parseUntil } from '../../format/go-time.js';
import { startAndRun, stopExitCode } from '../../sim/runtime.js';
import type { ApiResponse, PlainResponse, StreamingResponse } from '../contract.js';
import { exitContainer, imageId, type Tx, type WaitCondition } from '../core.js';
import { emptyResponse, jsonBody, jsonResponse } from '../errors.js';
import { labelMatches, matchesPattern, parseFilters, validateFilterKeys, type Filters } from '../filters.js';
import type { Route, RouteContext } from '../router.js';
import { Channel } from '../stream.js';
import { assignHostPorts, createRequest } from './container-request.js';
import { update } from './container-update.js';
import type { ContainerSummary } from '../types.js';
import { versionAtLeast, versionLess } from '../version.js';
import { logs } from './logs.js';
import { realKill, realRemove, realStart, resetRestartCount, startReal, stopReal } from './real-lifecycle.js';

// ------------------------------------------------------------------ create

function create(ctx: RouteContext): PlainResponse {
  const { req, warnings, ports } = createRequest(ctx);
  verifyContainerSettings(req);
  // The real data plane has only the images with a root filesystem; the docker CLI then pulls.
  if (!isLocal(ctx, findImage(req.image))) throw notFound(`No such image: ${normalizeImageRef(req.image)}`);
  const id = ctx.core.write((tx) => createContainer(tx.engine, { ...req, portBindings: assignHostPorts(tx.engine, ports) }).id);
  return jsonResponse(201, { Id: id, Warnings: warnings });
}

// ------------------------------------------------------------------ list and inspect

export function statusText(c: ContainerRecord, now: bigint): string {
  if (c.status === 'running') return `Up ${humanDuration(now - BigInt(c.startedAt))}`;
  if (c.status === 'exited') return `Exited (${c.exitCode}) ${humanDuration(now - BigInt(c.finishedAt))} ago`;
  return 'Created';
}

function summaryPorts(engine: Engine, c: ContainerRecord): ContainerSummary['Ports'] {
  if (c.status !== 'running') return [];
  const out: ContainerSummary['Ports'] = [];
  const published = new Set<string>();
  for (const b of bindingsProgrammed(engine, c) ? c.portBindings : []) {
    published.add(`${b.containerPort}/${b.protocol}`);
    const ips = b.hostIp === '' || b.hostIp === '0.0.0.0' ? ['0.0.0.0', '::'] : [b.hostIp];
    for (const ip of ips) out.push({ IP: ip, PrivatePort: b.containerPort, PublicPort: b.hostPort, Type: b.protocol });
  }
  for (const e of c.exposedPorts) {
    if (published.has(e)) continue;
    const [port, proto] = e.split('/');
    out.push({ PrivatePort: Number(port), Type: proto });
  }
  return out;
}

/** Container inspect with the API's view: canonical image ID, exec IDs, per-version Aliases. */
export function inspectJson(ctx: RouteContext, engine: Engine, c: ContainerRecord, execIds: string[]): Record<string, unknown> {
  const json = containerJson(engine, c);
  json.Image = imageId(c.image);
  json.ExecIDs = execIds.length ? execIds : null;
  if (versionLess(ctx.version, '1.45')) {
    // API < 1.45 re-adds the short ID and hostname on user-defined networks (docker-engine.md §10.2).
    const networks = (json.NetworkSettings as { Networks: Record<string, { Aliases: string[] | null }> }).Networks;
    for (const [name, ep] of Object.entries(networks)) {
      const net = engine.networksByName.get(name);
      if (!net || net.predefined) continue;
      ep.Aliases = [...new Set([...(ep.Aliases ?? []), c.id.slice(0, 12), c.hostname])];
    }
  }
  return json;
}

function summary(engine: Engine, c: ContainerRecord, now: bigint, linkNames: string[]): ContainerSummary {
  const json = containerJson(engine, c);
  const settings = json.NetworkSettings as { Networks: Record<string, unknown> };
  return {
    Id: c.id,
    Names: [`/${c.name}`, ...linkNames],
    Image: c.image,
    ImageID: imageId(c.image),
    Command: listCommand([...c.entrypoint, ...c.cmd]),
    Created: Number(BigInt(c.created) / 1_000_000_000n),
    Ports: summaryPorts(engine, c),
    Labels: sortedObject(c.labels),
    State: c.status,
    Status: statusText(c, now),
    HostConfig: { NetworkMode: c.networkMode },
    NetworkSettings: { Networks: settings.Networks },
    Mounts: [],
  };
}

const LIST_FILTERS = ['ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network', 'publish', 'since', 'status', 'volume'];
const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

function portFilter(values: string[] | undefined, ports: Array<{ port: number; proto: string }>): boolean {
  if (!values?.length) return true;
  return values.some((v) => {
    const [p, proto] = v.split('/');
    const [lo, hi] = p.split('-').map(Number);
    return ports.some((x) => x.port >= lo && x.port <= (hi || lo) && (!proto || x.proto === proto));
  });
}

function listFilter(engine: Engine, filters: Filters): (c: ContainerRecord) => boolean {
  validateFilterKeys(filters, LIST_FILTERS);
  for (const v of filters.status ?? []) if (!STATES.includes(v)) throw invalidParameter(`invalid filter 'status=${v}'`);
  const exited = (filters.exited ?? []).map((v) => {
    if (!/^-?\d+$/.test(v)) throw invalidParameter(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
    return Number(v);
  });
  const created = (ref: string) => BigInt(engine.findContainer(ref).created);
  const before = filters.before?.length ? created(filters.before[0]) : undefined;
  const since = filters.since?.length ? created(filters.since[0]) : undefined;
  const any = (key: string, pred: (v: string) => boolean) => !filters[key]?.length || filters[key].some(pred);
  return (c) =>
    any('id', (v) => matchesPattern(v, c.id)) &&
    any('name', (v) => matchesPattern(v, `/${c.name}`)) &&
    any('status', (v) => v === c.status) &&
    (exited.length === 0 || (c.status === 'exited' && exited.includes(c.exitCode))) &&
    any('ancestor', (v) => imageId(v) === imageId(c.image) || v === c.image) &&
    any('network', (v) => c.networks.some((n) => n.networkId === v || engine.networks.get(n.networkId)?.name === v)) &&
    (filters.label ?? []).every((v) => labelMatches(c.labels, v)) &&
    any('is-task', (v) => v === 'false' || v === '0') &&
    any('health', (v) => v === 'none') &&
    (before === undefined || BigInt(c.created) < before) &&
    (since === undefined || BigInt(c.created) > since) &&
    portFilter(filters.publish, c.status === 'running' ? c.portBindings.map((b) => ({ port: b.hostPort, proto: b.protocol })) : []) &&
    portFilter(
      filters.expose,
      c.exposedPorts.map((e) => ({ port: Number(e.split('/')[0]), proto: e.split('/')[1] })),
    );
}

function list(ctx: RouteContext): PlainResponse {
  const filters = parseFilters(ctx.query.get('filters'));
  const limit = ctx.query.int('limit') ?? -1;
  const all = ctx.query.bool('all') || (filters.status?.length ?? 0) > 0;
  const body = ctx.core.read((engine) => {
    const include = listFilter(engine, filters);
    const now = ctx.core.now();
    let rows = engine.listContainers().filter((c) => (all || limit > 0 || c.status === 'running') && include(c));
    rows.sort((a, b) => (BigInt(b.created) > BigInt(a.created) ? 1 : BigInt(b.created) < BigInt(a.created) ? -1 : 0));
    if (limit > 0) rows = rows.slice(0, limit);
    const linkNames = new Map<string, string[]>();
    for (const c of engine.listContainers()) {
      for (const l of c.links) {
        const target = engine.containersByName.get(l.target) ?? engine.containers.get(l.target);
        if (target) linkNames.set(target.id, [...(linkNames.get(target.id) ?? []), `/${c.name}/${l.alias}`]);
      }
    }
    return rows.map((c) => summary(engine, c, now, linkNames.get(c.id) ?? []));
  });
  return jsonResponse(200, body);
}

function inspect(ctx: RouteContext): PlainResponse {
  const body = ctx.core.read((engine) => {
    const c = engine.findContainer(ctx.params.id);
    return inspectJson(ctx, engine, c, execIdsOf(ctx, c.id));
  });
  return jsonResponse(200, body);
}

function execIdsOf(ctx: RouteContext, containerId: string): string[] {
  return [...ctx.core.execs.values()].filter((e) => e.containerId === containerId && e.running).map((e) => e.id);
}

// ------------------------------------------------------------------ lifecycle

/** Output of a container's main process goes to attached clients (TTY: one stream). */
export function containerIo(tx: Tx, c: ContainerRecord) {
  return {
    stdout: (s: string) => tx.output(c.id, 1, s),
    stderr: (s: string) => tx.output(c.id, c.tty ? 1 : 2, s),
  };
}

function start(ctx: RouteContext): PlainResponse | Promise<PlainResponse> {
  if (ctx.req.body.trim().length > 7) {
    throw invalidParameter('starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24');
  }
  if (ctx.core.real) return realStart(ctx).catch((err: unknown) => removeAfterFailedStart(ctx, err));
  try {
    ctx.core.write((tx) => {
      const c = tx.engine.findContainer(ctx.params.id);
      if (c.status === 'running') throw notModified('container already started');
      // A start by hand begins a new restart count (moby's containerStart resets the restart manager).
      c.restartCount = 0;
      ctx.core.restarts?.cancel(c.id);
      startAndRun(tx.engine, c.id, containerIo(tx, c));
    });
  } catch (err) {
    return removeAfterFailedStart(ctx, err);
  }
  return emptyResponse(204);
}

/**
 * A `--rm` container whose start failed is removed (daemon/start.go), then the error is reported.
 * That includes a start that failed on a missing network (a not-found error): the docker CLI waits
 * for the removal, and would wait forever.
 */
function removeAfterFailedStart(ctx: RouteContext, err: unknown): never {
  if (err instanceof EngineError && err.kind !== 'not-modified') {
    try {
      ctx.core.write((tx) => {
        const c = tx.engine.findContainer(ctx.params.id);
        if (c.autoRemove && c.status !== 'running') removeContainer(tx.engine, c.id, { force: true });
      });
    } catch {
      /* the start error is what the client needs to see */
    }
  }
  throw err;
}

const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15,
  STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
};

/** signal.ParseSignal: a number, or a name with or without `SIG`. */
export function parseSignal(s: string): number {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n >= 1 && n <= 64) return n;
  } else {
    const n = SIGNALS[s.toUpperCase().replace(/^SIG/, '')];
    if (n) return n;
  }
  throw invalidParameter(`Invalid signal: ${s}`);
}

/**
 * What a signal does to the simulated main process: KILL ends it (137); TERM, INT, QUIT and HUP
 * end servers that handle them (exit 0) but not a shell or `sleep` as PID 1, which ignore them;
 * other signals change nothing.
 */
function signalExit(c: ContainerRecord, sig: number): number | undefined {
  if (sig === 9) return 137;
  // A shell as PID 1 ignores them; under docker-init (--init) the shell gets the signal and dies of it.
  if ([1, 2, 3, 15].includes(sig)) return stopExitCode(c) === 0 ? 0 : c.init ? 128 + sig : undefined;
  return undefined;
}

/** `docker stop`: SIGTERM (or the given signal), SIGKILL after the timeout if it is ignored. */
function stopInTx(ctx: RouteContext, tx: Tx, c: ContainerRecord, signal: string, stopEventAfter = true): void {
  const sig = signal ? parseSignal(signal) : 15;
  c.manuallyStopped = true;
  tx.eventBefore(ctx.core.containerEvent(c, 'kill', { signal: String(sig) }));
  let code = signalExit(c, sig);
  if (code === undefined) {
    tx.eventBefore(ctx.core.containerEvent(c, 'kill', { signal: '9' }));
    code = 137;
  }
  if (stopEventAfter) tx.eventAfter(ctx.core.containerEvent(c, 'stop', {}));
  exitContainer(tx.engine, c, code);
}

/** `t` (or its default: the container's StopTimeout, 10 s). */
function stopTimeout(ctx: RouteContext): number {
  const t = ctx.query.int('t');
  return t === undefined || t < 0 ? 10 : t;
}

/** `docker stop` of a container waiting to be restarted by its policy: the restart is called off. */
function cancelPendingRestart(ctx: RouteContext): boolean {
  const c = ctx.core.read((engine) => engine.findContainer(ctx.params.id));
  if (c.status === 'running' || !ctx.core.restarts?.pending(c.id)) return false;
  ctx.core.restarts.cancel(c.id);
  ctx.core.write((tx) => {
    const now = tx.engine.containers.get(c.id);
    if (now) now.manuallyStopped = true;
  });
  return true;
}

function stop(ctx: RouteContext): PlainResponse | Promise<PlainResponse> {
  const timeout = stopTimeout(ctx);
  const signal = versionAtLeast(ctx.version, '1.42') ? ctx.query.get('signal') : '';
  if (cancelPendingRestart(ctx)) return emptyResponse(204);
  if (ctx.core.real) return stopReal(ctx, ctx.params.id, signal ? parseSignal(signal) : 15, timeout, true).then(() => emptyResponse(204));
  ctx.core.write((tx) => {
    const c = tx.engine.findContainer(ctx.params.id);
    if (c.status !== 'running') throw notModified('container already stopped');
    stopInTx(ctx, tx, c, signal);
  });
  return emptyResponse(204);
}

async function restartReal(ctx: RouteContext, signal: string, timeout: number): Promise<PlainResponse> {
  const c = ctx.core.read((engine) => engine.findContainer(ctx.params.id));
  const autoRemove = c.autoRemove;
  if (c.status === 'running') {
    // A restart never removes an --rm container in between.
    ctx.core.write((tx) => (tx.engine.containers.get(c.id)!.autoRemove = false));
    try {
      await stopReal(ctx, c.id, signal ? parseSignal(signal) : 15, timeout, true);
    } finally {
      ctx.core.write((tx) => {
        const now = tx.engine.containers.get(c.id);
        if (now) now.autoRemove = autoRemove;
      });
    }
  }
  ctx.core.restarts?.cancel(c.id);
  await startReal(ctx.core, c.id);
  resetRestartCount(ctx, c.id);
  ctx.core.events.publish(ctx.core.containerEvent(c, 'restart', {}));
  return emptyResponse(204);
}

function restart(ctx: RouteContext): PlainResponse | Promise<PlainResponse> {
  const timeout = stopTimeout(ctx);
  const signal = versionAtLeast(ctx.version, '1.42') ? ctx.query.get('signal') : '';
  if (ctx.core.real) return restartReal(ctx, signal, timeout);
  ctx.core.write((tx) => {
    const c = tx.engine.findContainer(ctx.params.id);
    const autoRemove = c.autoRemove;
    if (c.status === 'running') {
      // A restart never removes an --rm container in between.
      c.autoRemove = false;
      try {
        stopInTx(ctx, tx, c, signal, false);
      } finally {
        c.autoRemove = autoRemove;
      }
      tx.checkpoint([ctx.core.containerEvent(c, 'stop', {})]);
    }
    c.restartCount = 0;
    ctx.core.restarts?.cancel(c.id);
    startAndRun(tx.engine, c.id, containerIo(tx, c));
    tx.eventAfter(ctx.core.containerEvent(c, 'restart', {}));
  });
  return emptyResponse(204);
}

function kill(ctx: RouteContext): PlainResponse | Promise<PlainResponse> {
  const name = ctx.params.id;
  const sig = parseSignal(ctx.query.get('signal') || 'KILL');
  // moby counts a container in restart backoff as running: a kill calls the restart off.
  if (cancelPendingRestart(ctx)) return emptyResponse(204);
  if (ctx.core.real) return realKill(ctx, name, sig);
  ctx.core.write((tx) => {
    const c = tx.engine.findContainer(name);
    if (c.status !== 'running') throw new EngineError('conflict', `cannot kill container: ${name}: container ${c.id} is not running`);
    tx.eventBefore(ctx.core.containerEvent(c, 'kill', { signal: String(sig) }));
    c.manuallyStopped = true; // moby's killWithSignal: no restart policy applies to what a kill ends
    const code = signalExit(c, sig);
    if (code !== undefined) exitContainer(tx.engine, c, code);
  });
  return emptyResponse(204);
}

function remove(ctx: RouteContext): PlainResponse | Promise<PlainResponse> {
  if (ctx.query.bool('link')) throw new EngineError('not-implemented', 'crosstalk does not implement removing legacy links (link=1)');
  const force = ctx.query.bool('force');
  if (ctx.core.real) return realRemove(ctx, force);
  ctx.core.write((tx) => {
    const c = tx.engine.findContainer(ctx.params.id);
    if (c.status === 'running' && force) tx.eventBefore(ctx.core.containerEvent(c, 'kill', { signal: '9' }));
    removeContainer(tx.engine, ctx.params.id, { force });
  });
  return emptyResponse(204);
}

function rename(ctx: RouteContext): PlainResponse {
  const newName = ctx.query.get('name');
  ctx.core.write((tx) => {
    const c = tx.engine.findContainer(ctx.params.id);
    const oldName = c.name;
    renameContainer(tx.engine, c, newName);
    tx.eventAfter(ctx.core.containerEvent(c, 'rename', { oldName: `/${oldName}` }));
  });
  return emptyResponse(204);
}

/** daemon/rename.go: new name checks, index update, DNS names of running endpoints follow. */
function renameContainer(engine: Engine, c: ContainerRecord, raw: string): void {
  if (raw === '') throw invalidParameter('Neither old nor new names may be empty');
  const name = raw.replace(/^\//, '');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) throw invalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (name === c.name) throw invalidParameter('Renaming a container with the same name as its current name');
  const existing = engine.containersByName.get(name);
  if (existing) {
    throw new EngineError('conflict', `Conflict. The container name "/${name}" is already in use by container "${existing.id}". You have to remove (or rename) that container to be able to reuse that name.`);
  }
  engine.unindexContainer(c);
  const oldName = c.name;
  c.name = name;
  engine.indexContainer(c);
  for (const ep of c.endpoints) {
    if (ep.dnsNames.length === 0) continue;
    const net = engine.networks.get(ep.networkId);
    if (!net) continue;
    engine.dns.unregister(net.id, ep);
    ep.dnsNames = ep.dnsNames.map((n) => (n === oldName ? name : n));
    engine.dns.register(net, c, ep);
  }
}

// ------------------------------------------------------------------ wait, resize (logs: ./logs.ts)

function wait(ctx: RouteContext): StreamingResponse {
  const raw = ctx.query.get('condition');
  const condition = (raw || 'not-running') as WaitCondition;
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw invalidParameter(`invalid condition: ${JSON.stringify(raw)}`);
  ctx.core.ensurePolling();
  const state = ctx.core.read((engine) => {
    const c = engine.findContainer(ctx.params.id);
    return { id: c.id, status: c.status, exitCode: c.exitCode };
  });
  const ch = new Channel<string>();
  const done = (code: number) => {
    ch.push(jsonBody({ StatusCode: code }));
    ch.close();
  };
  if (condition === 'not-running' && state.status !== 'running') done(state.exitCode);
  else {
    const cancel = ctx.core.waitFor(state.id, condition, done);
    ch.whenClosed(cancel);
  }
  return { kind: 'stream', status: 200, headers: { 'Content-Type': 'application/json' }, chunks: ch, cancel: () => ch.close() };
}

function parseSize(ctx: RouteContext, key: string): number {
  const v = ctx.query.get(key);
  if (!/^[+-]?\d+$/.test(v)) throw invalidParameter(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

function resize(ctx: RouteContext): ApiResponse {
  const h = parseSize(ctx, 'h');
  const w = parseSize(ctx, 'w');
  const c = ctx.core.read((engine) => engine.findContainer(ctx.params.id));
  if (c.status !== 'running') throw new EngineError('conflict', `container ${c.id} is not running`);
  ctx.core.real?.resize(c.id, h, w);
  ctx.core.events.publish(ctx.core.containerEvent(c, 'resize', { height: String(h), width: String(w) }));
  return emptyResponse(200);
}

/** `docker container prune`: stopped containers go (filters `until`, `label`, `label!`). */
function prune(ctx: RouteContext): PlainResponse {
  const filters = parseFilters(ctx.query.get('filters'));
  validateFilterKeys(filters, ['until', 'label', 'label!']);
  if ((filters.until ?? []).length > 1) throw invalidParameter('more than one until filter specified');
  let until: bigint | undefined;
  if (filters.until?.length) {
    try {
      until = parseUntil(filters.until[0], ctx.core.now());
    } catch (err) {
      throw invalidParameter((err as Error).message);
    }
  }
  const deleted = ctx.core.write((tx) => {
    const ids: string[] = [];
    for (const c of tx.engine.listContainers()) {
      if (c.status === 'running') continue;
      if (until !== undefined && BigInt(c.created) > until) continue;
      if (!(filters.label ?? []).every((l) => labelMatches(c.labels, l))) continue;
      if ((filters['label!'] ?? []).some((l) => labelMatches(c.labels, l))) continue;
      removeContainer(tx.engine, c.id, { force: false });
      ids.push(c.id);
    }
    tx.eventAfter({ Type: 'container', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: '0' } }, timeNano: ctx.core.now() });
    return ids;
  });
  return jsonResponse(200, { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: 0 });
}

export const CONTAINER_ROUTES: Route[] = [
  { method: 'POST', path: '/containers/prune', handler: prune },
  { method: 'POST', path: '/containers/create', handler: create },
  { method: 'GET', path: '/containers/json', handler: list },
  { method: 'GET', path: '/containers/{id}/json', handler: inspect },
  { method: 'POST', path: '/containers/{id}/start', handler: start },
  { method: 'POST', path: '/containers/{id}/stop', handler: stop },
  { method: 'POST', path: '/containers/{id}/restart', handler: restart },
  { method: 'POST', path: '/containers/{id}/kill', handler: kill },
  { method: 'DELETE', path: '/containers/{id}', handler: remove },
  { method: 'POST', path: '/containers/{id}/rename', handler: rename },
  { method: 'POST', path: '/containers/{id}/update', handler: update },
  { method: 'POST', path: '/containers/{id}/wait', handler: wait },
  { method: 'GET', path: '/containers/{id}/logs', handler: logs },
  { method: 'POST', path: '/containers/{id}/resize', handler: resize },
];

/** moby's container list Command: the path, then the args, single-quoting those with a space. */
export function listCommand(argv: string[]): string {
  const [path = '', ...args] = argv;
  return args.length ? `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}` : path;
}
