/**
 * Container commands other than run/create/exec/attach: start, stop, restart, rm, ps, inspect,
 * logs — with docker CLI 28.2's output conventions.
 */
import { EngineError } from '../../core/errors.js';
import { bindingsProgrammed, removeContainer, stopContainer } from '../../engine/containers.js';
import type { Engine } from '../../engine/engine.js';
import { containerJson, networkJson } from '../../engine/inspect.js';
import type { ContainerRecord } from '../../engine/model.js';
import { formatterContext, quote, type GoStruct } from '../../format/index.js';
import { formatDockerDate, humanDuration } from '../../format/go-time.js';
import { mainArgv, startAndRun, stopExitCode } from '../../sim/runtime.js';
import { bool, int, list, str } from '../args.js';
import { type CommandContext, type CommandSpec } from '../command.js';
import { inspectCommand, parseFilterFlags, typedView } from '../format-helpers.js';
import { renderOrFail } from './network.js';

/** Runs `fn` per argument in its own transaction, printing the argument on success (Docker's pattern). */
function perArgument(ctx: CommandContext, refs: string[], fn: (engine: Engine, ref: string) => void, failureLine?: (failed: string[]) => string): number {
  const failed: string[] = [];
  for (const ref of refs) {
    try {
      ctx.host.write((engine) => fn(engine, ref));
      ctx.io.stdout(`${ref}\n`);
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      ctx.io.stderr(`Error response from daemon: ${err.message.trim()}\n`);
      failed.push(ref);
    }
  }
  if (failed.length && failureLine) ctx.io.stderr(`${failureLine(failed)}\n`);
  return failed.length ? 1 : 0;
}

function stopOne(engine: Engine, ref: string): void {
  const c = engine.findContainer(ref);
  if (c.status !== 'running') return;
  stopContainer(engine, c.id, stopExitCode(c));
  if (c.autoRemove) removeContainer(engine, c.id, { force: true });
}

const start: CommandSpec = {
  path: 'docker start',
  use: 'docker start [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  aliases: ['docker container start'],
  flags: [
    { name: 'attach', short: 'a', kind: 'bool' },
    { name: 'interactive', short: 'i', kind: 'bool' },
    { name: 'detach-keys', kind: 'string' },
  ],
  args: { min: 1 },
  async run(ctx, p) {
    return perArgument(
      ctx,
      p.positionals,
      (engine, ref) => {
        const c = engine.findContainer(ref);
        if (c.status === 'running') return;
        startAndRun(engine, c.id);
      },
      (failed) => `Error: failed to start containers: ${failed.join(', ')}`,
    );
  },
};

const stop: CommandSpec = {
  path: 'docker stop',
  use: 'docker stop [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
  aliases: ['docker container stop'],
  flags: [
    { name: 'signal', short: 's', kind: 'string' },
    { name: 'timeout', short: 't', kind: 'int' },
    { name: 'time', kind: 'int', hidden: true },
  ],
  args: { min: 1 },
  async run(ctx, p) {
    return perArgument(ctx, p.positionals, stopOne);
  },
};

const restart: CommandSpec = {
  path: 'docker restart',
  use: 'docker restart [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Restart one or more containers',
  aliases: ['docker container restart'],
  flags: [
    { name: 'signal', short: 's', kind: 'string' },
    { name: 'timeout', short: 't', kind: 'int' },
  ],
  args: { min: 1 },
  async run(ctx, p) {
    return perArgument(ctx, p.positionals, (engine, ref) => {
      const c = engine.findContainer(ref);
      if (c.status === 'running') stopContainer(engine, c.id, stopExitCode(c));
      c.restartCount += 0;
      startAndRun(engine, c.id);
    });
  },
};

const rm: CommandSpec = {
  path: 'docker rm',
  use: 'docker rm [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Remove one or more containers',
  aliases: ['docker container rm', 'docker container remove'],
  flags: [
    { name: 'force', short: 'f', kind: 'bool' },
    { name: 'link', short: 'l', kind: 'bool' },
    { name: 'volumes', short: 'v', kind: 'bool' },
  ],
  args: { min: 1 },
  async run(ctx, p) {
    const force = bool(p, 'force');
    const failed: string[] = [];
    for (const ref of p.positionals) {
      try {
        ctx.host.write((engine) => removeContainer(engine, ref, { force }));
        ctx.io.stdout(`${ref}\n`);
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        if (force && err.kind === 'not-found') continue;
        ctx.io.stderr(`Error response from daemon: ${err.message.trim()}\n`);
        failed.push(ref);
      }
    }
    return failed.length ? 1 : 0;
  },
};

const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
};

/** go-units Ellipsis: at most `max` display cells, the last one `…`. */
function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

export function portsSummary(engine: Engine, c: ContainerRecord): string {
  if (c.status !== 'running') return '';
  const parts: string[] = [];
  const published = new Set<string>();
  for (const b of bindingsProgrammed(engine, c) ? c.portBindings : []) {
    const target = `${b.containerPort}/${b.protocol}`;
    published.add(target);
    if (b.hostIp === '' || b.hostIp === '0.0.0.0') parts.push(`0.0.0.0:${b.hostPort}->${target}`, `[::]:${b.hostPort}->${target}`);
    else parts.push(`${b.hostIp.includes(':') ? `[${b.hostIp}]` : b.hostIp}:${b.hostPort}->${target}`);
  }
  for (const e of c.exposedPorts) if (!published.has(e)) parts.push(e);
  return parts.join(', ');
}

function statusText(c: ContainerRecord, now: bigint): string {
  if (c.status === 'running') return `Up ${humanDuration(now - BigInt(c.startedAt))}`;
  if (c.status === 'exited') return `Exited (${c.exitCode}) ${humanDuration(now - BigInt(c.finishedAt))} ago`;
  return 'Created';
}

function psRow(engine: Engine, c: ContainerRecord, now: bigint, noTrunc: boolean): GoStruct {
  const command = [...c.entrypoint, ...c.cmd].join(' ');
  const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(',');
  return formatterContext('*formatter.ContainerContext', {
    ID: () => (noTrunc ? c.id : c.id.slice(0, 12)),
    Image: () => c.image,
    Command: () => quote(noTrunc ? command : ellipsis(command, 20)),
    CreatedAt: () => formatDockerDate((BigInt(c.created) / 1_000_000_000n) * 1_000_000_000n),
    RunningFor: () => `${humanDuration(now - BigInt(c.created))} ago`,
    Ports: () => portsSummary(engine, c),
    State: () => c.status,
    Status: () => statusText(c, now),
    Size: () => '0B',
    Names: () => c.name,
    Labels: () => labels,
    Label: { params: ['string'], fn: (k: unknown) => c.labels[k as string] ?? '' },
    Mounts: () => '',
    LocalVolumes: () => '0',
    Networks: () => c.networks.map((n) => engine.networks.get(n.networkId)?.name ?? n.networkName).filter(Boolean).join(','),
  });
}

function psFilter(engine: Engine, c: ContainerRecord, filters: Record<string, string[]>): boolean {
  const any = (key: string, pred: (v: string) => boolean) => !filters[key]?.length || filters[key].some(pred);
  for (const key of Object.keys(filters)) {
    if (!['id', 'name', 'label', 'status', 'network', 'ancestor', 'exited'].includes(key)) throw new EngineError('invalid-parameter', `invalid filter '${key}'`);
  }
  return (
    any('id', (v) => c.id.startsWith(v)) &&
    any('name', (v) => new RegExp(v).test(c.name)) &&
    any('status', (v) => v === c.status) &&
    any('exited', (v) => c.status === 'exited' && String(c.exitCode) === v) &&
    any('ancestor', (v) => c.image === v || c.image.split(':')[0] === v) &&
    any('network', (v) => c.networks.some((n) => n.networkId === v || engine.networks.get(n.networkId)?.name === v)) &&
    any('label', (v) => {
      const eq = v.indexOf('=');
      return eq < 0 ? v in c.labels : c.labels[v.slice(0, eq)] === v.slice(eq + 1);
    })
  );
}

const ps: CommandSpec = {
  path: 'docker ps',
  use: 'docker ps [OPTIONS]',
  short: 'List containers',
  aliases: ['docker container ls', 'docker container list', 'docker container ps'],
  flags: [
    { name: 'all', short: 'a', kind: 'bool' },
    { name: 'filter', short: 'f', kind: 'list' },
    { name: 'format', kind: 'string' },
    { name: 'last', short: 'n', kind: 'int' },
    { name: 'latest', short: 'l', kind: 'bool' },
    { name: 'no-trunc', kind: 'bool' },
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'size', short: 's', kind: 'bool' },
  ],
  args: { none: true },
  async run(ctx, p) {
    const filters = parseFilterFlags(list(p, 'filter'));
    const noTrunc = bool(p, 'no-trunc');
    const last = bool(p, 'latest') ? 1 : int(p, 'last');
    const all = bool(p, 'all') || last > 0 || (filters.status?.length ?? 0) > 0 || (filters.exited?.length ?? 0) > 0;
    const rows = ctx.host.read((engine) => {
      const now = engine.deps.clock.nowNanos();
      let list2 = engine.listContainers().filter((c) => (all || c.status === 'running') && psFilter(engine, c, filters));
      list2.sort((a, b) => (BigInt(b.created) > BigInt(a.created) ? 1 : BigInt(b.created) < BigInt(a.created) ? -1 : 0));
      if (last > 0) list2 = list2.slice(0, last);
      return list2.map((c) => psRow(engine, c, now, noTrunc));
    });
    let format = str(p, 'format');
    const quiet = bool(p, 'quiet');
    if (format === '' || (format === 'table' && quiet)) format = quiet ? '{{.ID}}' : 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
    else if (format === 'table') format = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
    else if (format === 'json') format = '{{json .}}';
    ctx.io.stdout(renderOrFail(format, rows, PS_HEADERS));
    return 0;
  },
};

/** The typed (Go struct) view of a container or network inspect object. */
function containerView(raw: Record<string, unknown>): unknown {
  return typedView(raw);
}

const containerInspect: CommandSpec = {
  path: 'docker container inspect',
  use: 'docker container inspect [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  flags: [{ name: 'format', short: 'f', kind: 'string' }, { name: 'size', short: 's', kind: 'bool' }],
  args: { min: 1 },
  async run(ctx, p) {
    return inspectCommand(ctx, p.positionals, str(p, 'format'), (engine, ref) => containerJson(engine, engine.findContainer(ref)), containerView);
  },
};

const inspect: CommandSpec = {
  path: 'docker inspect',
  use: 'docker inspect [OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on Docker objects',
  flags: [{ name: 'format', short: 'f', kind: 'string' }, { name: 'size', short: 's', kind: 'bool' }, { name: 'type', kind: 'string' }],
  args: { min: 1 },
  async run(ctx, p) {
    const type = str(p, 'type');
    const lookup = (engine: Engine, ref: string): Record<string, unknown> => {
      const kinds: Array<() => Record<string, unknown>> = [];
      if (type === '' || type === 'container') kinds.push(() => containerJson(engine, engine.findContainer(ref)));
      if (type === '' || type === 'network') kinds.push(() => networkJson(engine, engine.findNetwork(ref), { withContainers: true }));
      for (const kind of kinds) {
        try {
          return kind();
        } catch (err) {
          if (!(err instanceof EngineError && err.kind === 'not-found')) throw err;
        }
      }
      throw new EngineError('not-found', `No such object: ${ref}`);
    };
    return inspectCommand(ctx, p.positionals, str(p, 'format'), lookup, containerView, (_ref, err) => (err.kind === 'not-found' ? `Error: ${err.message}` : `Error response from daemon: ${err.message}`));
  },
};

const logs: CommandSpec = {
  path: 'docker logs',
  use: 'docker logs [OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  aliases: ['docker container logs'],
  flags: [
    { name: 'details', kind: 'bool' },
    { name: 'follow', short: 'f', kind: 'bool' },
    { name: 'tail', short: 'n', kind: 'string' },
    { name: 'timestamps', short: 't', kind: 'bool' },
  ],
  args: { exact: 1 },
  async run(ctx, p) {
    ctx.io.stdout(ctx.host.read((engine) => engine.findContainer(p.positionals[0]).logs));
    return 0;
  },
};

export const CONTAINER_COMMANDS: Record<string, CommandSpec> = { start, stop, restart, rm, ps, inspect, logs };
export const CONTAINER_GROUP_EXTRA: Record<string, CommandSpec> = { inspect: containerInspect, ls: ps, list: ps, remove: rm };
export { mainArgv };
