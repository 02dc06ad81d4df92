/**
 * Container commands other than run/create/exec/attach: start, stop, restart, rm, ps, inspect,
 * logs — API calls with docker CLI 28.2's output conventions.
 */
import { formatterContext, quote, type GoStruct } from '../../format/index.js';
import { formatDockerDate, humanDuration } from '../../format/go-time.js';
import { bool, int, list, str } from '../args.js';
import { DaemonError } from '../client/api-client.js';
import { decodeLogs } from '../client/frames.js';
import { CliError, type CommandContext, type CommandSpec } from '../command.js';
import { filtersQuery, inspectCommand, parseFilterFlags, typedView } from '../format-helpers.js';
import { renderOrFail } from './network.js';

const enc = encodeURIComponent;

/** One request per argument, printing the argument on success (Docker's pattern). */
async function perArgument(ctx: CommandContext, refs: string[], fn: (ref: string) => Promise<unknown>, failureLine?: (failed: string[]) => string, parallel = false): Promise<number> {
  const failed: string[] = [];
  // `docker stop a b` stops them side by side (the CLI's parallelOperation) and reports in order.
  const pending = parallel ? refs.map((ref) => fn(ref).then(() => undefined, (err: unknown) => ({ err }))) : undefined;
  for (const [i, ref] of refs.entries()) {
    try {
      if (pending) {
        const r = await pending[i];
        if (r) throw r.err;
      } else await fn(ref);
      ctx.io.stdout(`${ref}\n`);
    } catch (err) {
      if (!(err instanceof DaemonError)) throw err;
      ctx.io.stderr(`Error response from daemon: ${err.message.trim()}\n`);
      failed.push(ref);
    }
  }
  if (failed.length && failureLine) ctx.io.stderr(`${failureLine(failed)}\n`);
  return failed.length ? 1 : 0;
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
    return perArgument(ctx, p.positionals, (ref) => ctx.api.request('POST', `/containers/${enc(ref)}/start`), (failed) => `Error: failed to start containers: ${failed.join(', ')}`);
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
    const t = p.given.has('timeout') ? int(p, 'timeout') : undefined;
    return perArgument(ctx, p.positionals, (ref) => ctx.api.request('POST', `/containers/${enc(ref)}/stop`, { query: { t, signal: str(p, 'signal') || undefined } }), undefined, true);
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
    const t = p.given.has('timeout') ? int(p, 'timeout') : undefined;
    return perArgument(ctx, p.positionals, (ref) => ctx.api.request('POST', `/containers/${enc(ref)}/restart`, { query: { t } }), undefined, true);
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
        await ctx.api.request('DELETE', `/containers/${enc(ref)}`, { query: { v: bool(p, 'volumes') || undefined, link: bool(p, 'link') || undefined, force: force || undefined } });
        ctx.io.stdout(`${ref}\n`);
      } catch (err) {
        if (!(err instanceof DaemonError)) throw err;
        if (force && err.status === 404) continue;
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

/** One element of `GET /containers/json`. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  Command: string;
  Created: number;
  Ports: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }>;
  Labels: Record<string, string> | null;
  State: string;
  Status: string;
  NetworkSettings?: { Networks?: Record<string, unknown> };
}

/** docker/cli DisplayablePorts: published bindings as ip:public->private/proto, the rest as private/proto. */
export function displayPorts(ports: ContainerSummary['Ports']): string {
  return (ports ?? [])
    .map((p) => {
      if (!p.PublicPort) return `${p.PrivatePort}/${p.Type}`;
      const ip = p.IP ?? '';
      return `${ip.includes(':') ? `[${ip}]` : ip}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`;
    })
    .join(', ');
}

function psRow(c: ContainerSummary, now: bigint, noTrunc: boolean): GoStruct {
  const labels = c.Labels ?? {};
  const created = BigInt(c.Created) * 1_000_000_000n;
  return formatterContext('*formatter.ContainerContext', {
    ID: () => (noTrunc ? c.Id : c.Id.slice(0, 12)),
    Image: () => c.Image,
    Command: () => quote(noTrunc ? c.Command : ellipsis(c.Command, 20)),
    CreatedAt: () => formatDockerDate(created),
    RunningFor: () => `${humanDuration(now - created)} ago`,
    Ports: () => displayPorts(c.Ports),
    State: () => c.State,
    Status: () => c.Status,
    Size: () => '0B',
    Names: () => c.Names.map((n) => n.replace(/^\//, '')).join(','),
    Labels: () => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
    Label: { params: ['string'], fn: (k: unknown) => labels[k as string] ?? '' },
    Mounts: () => '',
    LocalVolumes: () => '0',
    Networks: () => Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
  });
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
    const found = (await ctx.api.request<ContainerSummary[]>('GET', '/containers/json', { query: { all: bool(p, 'all') ? 1 : undefined, limit: last > 0 ? last : undefined, ...filtersQuery(filters) } })) ?? [];
    const now = ctx.now();
    const rows = found.map((c) => psRow(c, now, noTrunc));
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
    return inspectCommand(ctx, p.positionals, str(p, 'format'), (ref) => ctx.api.raw('GET', `/containers/${enc(ref)}/json`), containerView);
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
    // docker inspect tries each object kind in turn (docker-engine.md §16.4).
    const lookup = async (ref: string): Promise<string> => {
      const kinds: string[] = [];
      if (type === '' || type === 'container') kinds.push(`/containers/${enc(ref)}/json`);
      if (type === '' || type === 'image') kinds.push(`/images/${enc(ref)}/json`);
      if (type === '' || type === 'network') kinds.push(`/networks/${enc(ref)}`);
      for (const path of kinds) {
        try {
          return await ctx.api.raw('GET', path);
        } catch (err) {
          if (!(err instanceof DaemonError && err.status === 404)) throw err;
        }
      }
      throw new DaemonError(404, `No such object: ${ref}`);
    };
    return inspectCommand(ctx, p.positionals, str(p, 'format'), lookup, containerView, (_ref, err) => (err.status === 404 ? `Error: ${err.message}` : `Error response from daemon: ${err.message}`));
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
    const ref = enc(p.positionals[0]);
    const info = await ctx.api.request<{ Config: { Tty: boolean } }>('GET', `/containers/${ref}/json`);
    if (bool(p, 'follow')) throw new CliError('crosstalk: logs --follow is not supported by this CLI yet (the docker CLI follows against crosstalkd)');
    const tail = str(p, 'tail');
    const body = await ctx.api.raw('GET', `/containers/${ref}/logs`, { stdout: 1, stderr: 1, timestamps: bool(p, 'timestamps') ? 1 : undefined, tail: tail || undefined });
    for (const [stream, text] of decodeLogs(body, !info.Config.Tty)) {
      if (stream === 2) ctx.io.stderr(text);
      else ctx.io.stdout(text);
    }
    return 0;
  },
};

export const CONTAINER_COMMANDS: Record<string, CommandSpec> = { start, stop, restart, rm, ps, inspect, logs };
export const CONTAINER_GROUP_EXTRA: Record<string, CommandSpec> = { inspect: containerInspect, ls: ps, list: ps, remove: rm };
