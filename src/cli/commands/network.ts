/**
 * `docker network …` commands, byte-identical to docker CLI 28.2 (docker-engine.md §9).
 */
import { DaemonError } from '../client/api-client.js';
import { formatterContext, GoStruct, GoTime, goTyped, naturalCompare, renderList, TemplateError } from '../../format/index.js';
import { formatGoTimeString } from '../../format/go-time.js';
import { ipamConfigFromFlags } from '../../ipam/validate.js';
import { bool, int, keyValues, list, str, type FlagSpec } from '../args.js';
import { CliError, type CommandContext, type CommandSpec } from '../command.js';
import { filtersQuery, inspectCommand, parseFilterFlags } from '../format-helpers.js';

/** One element of `GET /networks`. */
interface NetworkSummary {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv4?: boolean;
  EnableIPv6: boolean;
  Internal: boolean;
  Labels: Record<string, string> | null;
}

const FORMAT_FLAG: FlagSpec = { name: 'format', kind: 'string' };

const NETWORK_HEADERS: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

/** docker/cli's `*network.networkContext` for one `network ls` row. */
function networkRow(n: NetworkSummary, noTrunc: boolean): GoStruct {
  const labels = n.Labels ?? {};
  return formatterContext('*network.networkContext', {
    ID: () => (noTrunc ? n.Id : n.Id.slice(0, 12)),
    Name: () => n.Name,
    Driver: () => n.Driver,
    Scope: () => n.Scope,
    // A daemon older than API 1.48 sends no EnableIPv4: Go decodes the missing field as false.
    IPv4: () => String(n.EnableIPv4 ?? false),
    IPv6: () => String(n.EnableIPv6),
    Internal: () => String(n.Internal),
    Labels: () => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
    Label: { params: ['string'], fn: (k: unknown) => labels[k as string] ?? '' },
    CreatedAt: () => formatGoTimeString(rfc3339ToNanos(n.Created)),
  });
}

const ls: CommandSpec = {
  path: 'docker network ls',
  use: 'docker network ls [OPTIONS]',
  short: 'List networks',
  aliases: ['docker network list'],
  flags: [{ name: 'filter', short: 'f', kind: 'list' }, FORMAT_FLAG, { name: 'no-trunc', kind: 'bool' }, { name: 'quiet', short: 'q', kind: 'bool' }],
  args: { none: true },
  async run(ctx, p) {
    const filters = parseFilterFlags(list(p, 'filter'));
    const noTrunc = bool(p, 'no-trunc');
    const networks = (await ctx.api.request<NetworkSummary[]>('GET', '/networks', { query: filtersQuery(filters) })) ?? [];
    networks.sort((a, b) => naturalCompare(a.Name, b.Name));
    let format = str(p, 'format');
    const quiet = bool(p, 'quiet');
    if (format === '' || ((format === 'table' || format === 'raw') && quiet)) {
      format = quiet ? (format === 'raw' ? 'network_id: {{.ID}}' : '{{.ID}}') : 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
    } else if (format === 'table') format = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
    else if (format === 'raw') format = 'network_id: {{.ID}}\nname: {{.Name}}\ndriver: {{.Driver}}\nscope: {{.Scope}}\n';
    else if (format === 'json') format = '{{json .}}';
    ctx.io.stdout(renderOrFail(format, networks.map((n) => networkRow(n, noTrunc))));
    return 0;
  },
};

export function renderOrFail(format: string, rows: unknown[], headers = NETWORK_HEADERS): string {
  try {
    return renderList(format, rows, headers);
  } catch (err) {
    if (err instanceof TemplateError) throw new CliError(`template parsing error: ${err.message}`);
    throw err;
  }
}

const stringMap = (m: Record<string, string> | null) => (m === null ? null : goTyped(m, 'map[string]string'));

/** Network object as Go's typed struct (`docker network inspect -f` runs against this first). */
function typedNetwork(json: Record<string, unknown>): GoStruct {
  const ipam = json.IPAM as { Driver: string; Options: Record<string, string> | null; Config: Array<Record<string, unknown>> | null };
  const config = (ipam.Config ?? []).map(
    (c) =>
      new GoStruct('network.IPAMConfig', [
        ['Subnet', c.Subnet ?? '', ',omitempty'],
        ['IPRange', c.IPRange ?? '', ',omitempty'],
        ['Gateway', c.Gateway ?? '', ',omitempty'],
        ['AuxAddress', stringMap((c.AuxiliaryAddresses as Record<string, string>) ?? {}), 'AuxiliaryAddresses,omitempty'],
      ]),
  );
  const containers: Record<string, GoStruct> = {};
  for (const [id, c] of Object.entries(json.Containers as Record<string, Record<string, string>>)) {
    containers[id] = new GoStruct('network.EndpointResource', Object.entries(c));
  }
  return new GoStruct('*network.Inspect', [
    ['Name', json.Name],
    ['ID', json.Id, 'Id'],
    ['Created', new GoTime(rfc3339ToNanos(json.Created as string))],
    ['Scope', json.Scope],
    ['Driver', json.Driver],
    ['EnableIPv4', json.EnableIPv4 ?? true],
    ['EnableIPv6', json.EnableIPv6],
    ['IPAM', new GoStruct('network.IPAM', [['Driver', ipam.Driver], ['Options', stringMap(ipam.Options)], ['Config', ipam.Config === null ? null : goTyped(config, '[]network.IPAMConfig')]])],
    ['Internal', json.Internal],
    ['Attachable', json.Attachable],
    ['Ingress', json.Ingress],
    ['ConfigFrom', new GoStruct('network.ConfigReference', [['Network', '']])],
    ['ConfigOnly', json.ConfigOnly],
    ['Containers', goTyped(containers, 'map[string]network.EndpointResource')],
    ['Options', stringMap(json.Options as Record<string, string>)],
    ['Labels', stringMap(json.Labels as Record<string, string>)],
  ]);
}

function rfc3339ToNanos(s: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(s);
  if (!m) return BigInt(Date.parse(s)) * 1_000_000n;
  const secs = BigInt(Date.parse(`${m[1]}Z`)) / 1000n;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return secs * 1_000_000_000n + BigInt(frac);
}

const inspect: CommandSpec = {
  path: 'docker network inspect',
  use: 'docker network inspect [OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  flags: [{ name: 'format', short: 'f', kind: 'string' }, { name: 'verbose', short: 'v', kind: 'bool' }],
  args: { min: 1 },
  async run(ctx, p) {
    const verbose = bool(p, 'verbose') ? { verbose: 'true' } : {};
    return inspectCommand(ctx, p.positionals, str(p, 'format'), (ref) => ctx.api.raw('GET', `/networks/${encodeURIComponent(ref)}`, verbose), typedNetwork);
  },
};

const create: CommandSpec = {
  path: 'docker network create',
  use: 'docker network create [OPTIONS] NETWORK',
  short: 'Create a network',
  flags: [
    { name: 'attachable', kind: 'bool' },
    { name: 'aux-address', kind: 'list' },
    { name: 'config-from', kind: 'string' },
    { name: 'config-only', kind: 'bool' },
    { name: 'driver', short: 'd', kind: 'string' },
    { name: 'gateway', kind: 'list', commaSplit: true },
    { name: 'ingress', kind: 'bool' },
    { name: 'internal', kind: 'bool' },
    { name: 'ip-range', kind: 'list', commaSplit: true },
    { name: 'ipam-driver', kind: 'string' },
    { name: 'ipam-opt', kind: 'list' },
    { name: 'ipv4', kind: 'bool' },
    { name: 'ipv6', kind: 'bool' },
    { name: 'label', kind: 'list' },
    { name: 'opt', short: 'o', kind: 'list' },
    { name: 'scope', kind: 'string' },
    { name: 'subnet', kind: 'list', commaSplit: true },
  ],
  args: { exact: 1 },
  async run(ctx, p) {
    let ipamConfig;
    try {
      ipamConfig = ipamConfigFromFlags({
        subnets: list(p, 'subnet'),
        ipRanges: list(p, 'ip-range'),
        gateways: list(p, 'gateway'),
        auxAddresses: keyValues(list(p, 'aux-address')),
      });
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (str(p, 'config-from') || bool(p, 'config-only') || bool(p, 'ingress')) {
      throw new CliError('crosstalk: --config-from, --config-only and --ingress need swarm, which crosstalk does not implement');
    }
    // The request body in the field order docker CLI 28.2 sends (docker-engine.md §9.3).
    const body: Record<string, unknown> = { Driver: str(p, 'driver') || 'bridge', Scope: str(p, 'scope') };
    if (p.given.has('ipv4')) body.EnableIPv4 = bool(p, 'ipv4');
    if (p.given.has('ipv6')) body.EnableIPv6 = bool(p, 'ipv6');
    Object.assign(body, {
      IPAM: { Driver: str(p, 'ipam-driver') || 'default', Options: Object.fromEntries(keyValues(list(p, 'ipam-opt'))), Config: ipamConfig },
      Internal: bool(p, 'internal'),
      Attachable: bool(p, 'attachable'),
      Ingress: false,
      ConfigOnly: false,
      ConfigFrom: null,
      Options: Object.fromEntries(keyValues(list(p, 'opt'))),
      Labels: Object.fromEntries(keyValues(list(p, 'label'))),
      Name: p.positionals[0],
    });
    const res = await ctx.api.request<{ Id: string }>('POST', '/networks/create', { body });
    ctx.io.stdout(`${res.Id}\n`);
    return 0;
  },
};

const rm: CommandSpec = {
  path: 'docker network rm',
  use: 'docker network rm NETWORK [NETWORK...]',
  short: 'Remove one or more networks',
  aliases: ['docker network remove'],
  flags: [{ name: 'force', short: 'f', kind: 'bool' }],
  args: { min: 1 },
  async run(ctx, p) {
    let failed = false;
    for (const ref of p.positionals) {
      try {
        // docker CLI inspects first (to detect swarm ingress); its result does not stop the delete.
        await ctx.api.raw('GET', `/networks/${encodeURIComponent(ref)}`).catch(() => undefined);
        await ctx.api.request('DELETE', `/networks/${encodeURIComponent(ref)}`);
        ctx.io.stdout(`${ref}\n`);
      } catch (err) {
        if (!(err instanceof DaemonError)) throw err;
        if (bool(p, 'force') && err.status === 404) continue;
        ctx.io.stderr(`Error response from daemon: ${err.message.trim()}\n`);
        failed = true;
      }
    }
    if (failed) {
      ctx.io.stderr('exit status 1\n');
      return 1;
    }
    return 0;
  },
};

const prune: CommandSpec = {
  path: 'docker network prune',
  use: 'docker network prune [OPTIONS]',
  short: 'Remove all unused networks',
  flags: [{ name: 'filter', kind: 'list' }, { name: 'force', short: 'f', kind: 'bool' }],
  args: { none: true },
  async run(ctx, p) {
    const filters = parseFilterFlags(list(p, 'filter'));
    if (!bool(p, 'force')) {
      ctx.io.stdout('WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ');
      const answer = ((await ctx.io.readLine()) ?? '').trim();
      if (answer !== 'y' && answer !== 'Y') return 0;
    }
    const res = await ctx.api.request<{ NetworksDeleted: string[] | null }>('POST', '/networks/prune', { query: filtersQuery(filters) });
    const deleted = res?.NetworksDeleted ?? [];
    if (deleted.length) ctx.io.stdout(`Deleted Networks:\n${deleted.join('\n')}\n\n`);
    return 0;
  },
};

const connect: CommandSpec = {
  path: 'docker network connect',
  use: 'docker network connect [OPTIONS] NETWORK CONTAINER',
  short: 'Connect a container to a network',
  flags: [
    { name: 'alias', kind: 'list', commaSplit: true },
    { name: 'driver-opt', kind: 'list', commaSplit: true },
    { name: 'gw-priority', kind: 'int' },
    { name: 'ip', kind: 'string' },
    { name: 'ip6', kind: 'string' },
    { name: 'link', kind: 'list' },
    { name: 'link-local-ip', kind: 'list', commaSplit: true },
  ],
  args: { exact: 2 },
  async run(ctx, p) {
    for (const o of list(p, 'driver-opt')) if (!o.includes('=')) throw new CliError('invalid key/value pair format in driver options');
    const [net, ctr] = p.positionals;
    const ipamConfig: Record<string, string> = {};
    if (str(p, 'ip')) ipamConfig.IPv4Address = str(p, 'ip');
    if (str(p, 'ip6')) ipamConfig.IPv6Address = str(p, 'ip6');
    const links = list(p, 'link');
    const aliases = list(p, 'alias');
    await ctx.api.request('POST', `/networks/${encodeURIComponent(net)}/connect`, {
      body: {
        Container: ctr,
        EndpointConfig: {
          IPAMConfig: Object.keys(ipamConfig).length ? ipamConfig : null,
          Links: links.length ? links : null,
          Aliases: aliases.length ? aliases : null,
          MacAddress: '',
          DriverOpts: Object.fromEntries(keyValues(list(p, 'driver-opt'))),
          GwPriority: int(p, 'gw-priority'),
          NetworkID: '',
          EndpointID: '',
          Gateway: '',
          IPAddress: '',
          IPPrefixLen: 0,
          IPv6Gateway: '',
          GlobalIPv6Address: '',
          GlobalIPv6PrefixLen: 0,
          DNSNames: null,
        },
      },
    });
    return 0;
  },
};

const disconnect: CommandSpec = {
  path: 'docker network disconnect',
  use: 'docker network disconnect [OPTIONS] NETWORK CONTAINER',
  short: 'Disconnect a container from a network',
  flags: [{ name: 'force', short: 'f', kind: 'bool' }],
  args: { exact: 2 },
  async run(ctx, p) {
    const [net, ctr] = p.positionals;
    await ctx.api.request('POST', `/networks/${encodeURIComponent(net)}/disconnect`, { body: { Container: ctr, Force: bool(p, 'force') } });
    return 0;
  },
};

export const NETWORK_COMMANDS: Record<string, CommandSpec> = { ls, list: ls, inspect, create, rm, remove: rm, prune, connect, disconnect };

export async function networkGroup(ctx: CommandContext, argv: string[], run: (spec: CommandSpec, argv: string[]) => Promise<number>): Promise<number> {
  const sub = argv[0];
  const help = (await import('../help-texts.js')).HELP_TEXTS['docker network'];
  if (sub === undefined || sub === '--help' || sub === 'help') {
    ctx.io.stdout(help);
    return 0;
  }
  const spec = NETWORK_COMMANDS[sub];
  if (!spec) {
    if (sub.startsWith('-')) {
      ctx.io.stderr(`unknown flag: ${sub}\n\nUsage:  docker network COMMAND\n\nRun 'docker network --help' for more information\n`);
      return 125;
    }
    ctx.io.stderr(`docker: unknown command: docker network ${sub}\n\nRun 'docker network --help' for more information\n`);
    return 1;
  }
  return run(spec, argv.slice(1));
}

