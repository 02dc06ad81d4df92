/**
 * `docker run` and `docker create`: flags → a container create request, then (run) start it,
 * print the ID or the output, and attach a simulated shell for `-it`.
 */
import { bool, keyValues, list, str, type FlagSpec, type ParsedArgs } from '../args.js';
import { DaemonError } from '../client/api-client.js';
import { CliError, ExitError, type CommandContext, type CommandSpec } from '../command.js';
import { pumpSession } from './attach.js';

const CREATE_FLAGS: FlagSpec[] = [
  { name: 'add-host', kind: 'list' },
  { name: 'attach', short: 'a', kind: 'list' },
  { name: 'cap-add', kind: 'list' },
  { name: 'cap-drop', kind: 'list' },
  { name: 'dns', kind: 'list' },
  { name: 'dns-option', kind: 'list' },
  { name: 'dns-opt', kind: 'list', hidden: true },
  { name: 'dns-search', kind: 'list' },
  { name: 'domainname', kind: 'string' },
  { name: 'entrypoint', kind: 'string' },
  { name: 'env', short: 'e', kind: 'list' },
  { name: 'expose', kind: 'list' },
  { name: 'hostname', short: 'h', kind: 'string' },
  { name: 'init', kind: 'bool' },
  { name: 'interactive', short: 'i', kind: 'bool' },
  { name: 'ip', kind: 'string' },
  { name: 'ip6', kind: 'string' },
  { name: 'label', short: 'l', kind: 'list' },
  { name: 'link', kind: 'list' },
  { name: 'mac-address', kind: 'string' },
  { name: 'name', kind: 'string' },
  { name: 'network', kind: 'list' },
  { name: 'net', kind: 'list', hidden: true },
  { name: 'network-alias', kind: 'list' },
  { name: 'net-alias', kind: 'list', hidden: true },
  { name: 'privileged', kind: 'bool' },
  { name: 'publish', short: 'p', kind: 'list' },
  { name: 'pull', kind: 'string' },
  { name: 'restart', kind: 'string' },
  { name: 'rm', kind: 'bool' },
  { name: 'tty', short: 't', kind: 'bool' },
  { name: 'user', short: 'u', kind: 'string' },
  { name: 'volume', short: 'v', kind: 'list' },
  { name: 'workdir', short: 'w', kind: 'string' },
];

const RUN_FLAGS: FlagSpec[] = [...CREATE_FLAGS, { name: 'detach', short: 'd', kind: 'bool' }, { name: 'detach-keys', kind: 'string' }];

/** `--restart no|always|unless-stopped|on-failure[:max]` as the docker CLI parses it (opts.ParseRestartPolicy); the daemon judges the name. */
export function parseRestartFlag(value: string): { Name: string; MaximumRetryCount: number } {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  const count = colon < 0 ? '' : value.slice(colon + 1);
  if (colon >= 0 && name === '') throw new CliError('invalid restart policy format: no policy provided before colon', 125);
  if (count !== '' && !/^[+-]?\d+$/.test(count)) throw new CliError('invalid restart policy format: maximum retry count must be an integer', 125);
  return { Name: name, MaximumRetryCount: count === '' ? 0 : Number(count) };
}

/** `-p [ip:][hostPort[-end]:]containerPort[/proto]` → Docker's PortBindings entries (host port '' = daemon picks). */
export function parsePublish(spec: string): Array<{ key: string; hostIp: string; hostPort: string }> {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d*)(?:-(\d+))?:)?(\d+)(?:-\d+)?(?:\/(tcp|udp|sctp))?$/.exec(spec);
  if (!m) throw new CliError(`invalid argument "${spec}" for "-p, --publish" flag: invalid port format`, 125);
  const containerPort = Number(m[4]);
  // go-connections nat.ParsePortSpec texts
  if (containerPort < 1 || containerPort > 65535) throw new CliError(`Invalid containerPort: ${m[4]}`, 125);
  for (const hp of [m[2], m[3]]) if (hp && (Number(hp) > 65535 || (Number(hp) < 1 && hp !== '0'))) throw new CliError(`Invalid hostPort: ${hp}`, 125);
  const hostIp = (m[1] ?? '').replace(/^\[|\]$/g, '');
  const hostPort = m[2] ? (m[3] ? `${m[2]}-${m[3]}` : m[2]) : '';
  return [{ key: `${containerPort}/${m[5] ?? 'tcp'}`, hostIp, hostPort }];
}

interface EndpointSettings {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null;
  Aliases?: string[] | null;
  MacAddress?: string;
  GwPriority?: number;
  Links?: string[];
}

/** `--network NAME` or Docker 28's `--network name=NAME,alias=A,ip=…` */
function parseNetworkFlag(value: string): { name: string; ep: EndpointSettings } {
  if (!value.includes('=')) return { name: value, ep: {} };
  const ep: EndpointSettings = {};
  let name = '';
  for (const [k, v] of keyValues(value.split(','))) {
    if (k === 'name') name = v;
    else if (k === 'alias') (ep.Aliases ??= []).push(v);
    else if (k === 'ip') ep.IPAMConfig = { ...(ep.IPAMConfig ?? {}), IPv4Address: v };
    else if (k === 'ip6') ep.IPAMConfig = { ...(ep.IPAMConfig ?? {}), IPv6Address: v };
    else if (k === 'mac-address') ep.MacAddress = v;
    else if (k === 'gw-priority') ep.GwPriority = Number(v);
    else throw new CliError(`invalid argument "${value}" for "--network" flag: invalid field key ${k}`, 125);
  }
  return { name, ep };
}

/** The `POST /containers/create` body the docker CLI sends for these flags (docker-engine.md §15.6). */
export function createBody(p: ParsedArgs): Record<string, unknown> {
  const [image, ...cmd] = p.positionals;
  const networks = [...list(p, 'network'), ...list(p, 'net')].map(parseNetworkFlag);
  const mode = networks[0]?.name ?? 'default';
  const primary: EndpointSettings = { ...(networks[0]?.ep ?? {}) };
  const aliases = [...list(p, 'network-alias'), ...list(p, 'net-alias')];
  if (aliases.length) primary.Aliases = [...(primary.Aliases ?? []), ...aliases];
  if (str(p, 'ip') || str(p, 'ip6')) primary.IPAMConfig = { ...(primary.IPAMConfig ?? {}), ...(str(p, 'ip') ? { IPv4Address: str(p, 'ip') } : {}), ...(str(p, 'ip6') ? { IPv6Address: str(p, 'ip6') } : {}) };
  if (str(p, 'mac-address')) primary.MacAddress = str(p, 'mac-address');
  // The docker CLI also hands --link to the first network's endpoint: on a user-defined network it
  // is a DNS alias for this container only.
  if (list(p, 'link').length && !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:')) primary.Links = list(p, 'link');
  const endpoints: Record<string, EndpointSettings> = {};
  if (Object.keys(primary).length) endpoints[mode] = primary;
  for (const n of networks.slice(1)) endpoints[n.name] = n.ep;
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  const exposed: Record<string, object> = {};
  for (const spec of list(p, 'publish')) {
    for (const b of parsePublish(spec)) {
      (portBindings[b.key] ??= []).push({ HostIp: b.hostIp, HostPort: b.hostPort });
      exposed[b.key] = {};
    }
  }
  for (const e of list(p, 'expose')) exposed[e.includes('/') ? e : `${e}/tcp`] = {};
  const restart = parseRestartFlag(str(p, 'restart') || 'no');
  if (bool(p, 'rm') && restart.Name !== '' && restart.Name !== 'no') throw new CliError('conflicting options: cannot specify both --restart and --rm', 125);
  const entrypoint = p.given.has('entrypoint') ? (str(p, 'entrypoint') ? [str(p, 'entrypoint')] : ['']) : null;
  const detach = p.flags.get('detach') === true;
  const interactive = bool(p, 'interactive');
  return {
    Hostname: str(p, 'hostname'),
    Domainname: str(p, 'domainname'),
    User: str(p, 'user'),
    AttachStdin: !detach && interactive,
    AttachStdout: !detach,
    AttachStderr: !detach,
    ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
    Tty: bool(p, 'tty'),
    OpenStdin: interactive,
    StdinOnce: !detach && interactive,
    Env: list(p, 'env'),
    Cmd: cmd.length ? cmd : null,
    Image: image,
    Volumes: null,
    WorkingDir: str(p, 'workdir'),
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: Object.fromEntries(keyValues(list(p, 'label'))),
    HostConfig: {
      NetworkMode: mode,
      PortBindings: portBindings,
      RestartPolicy: restart,
      ...(bool(p, 'init') ? { Init: true } : {}),
      AutoRemove: bool(p, 'rm'),
      Dns: list(p, 'dns'),
      DnsOptions: [...list(p, 'dns-option'), ...list(p, 'dns-opt')],
      DnsSearch: list(p, 'dns-search'),
      ExtraHosts: list(p, 'add-host').length ? list(p, 'add-host') : null,
      Links: list(p, 'link').length ? list(p, 'link') : null,
    },
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
}

function runError(ctx: CommandContext, err: unknown, path: string): never {
  if (err instanceof DaemonError) {
    ctx.io.stderr(`docker: Error response from daemon: ${err.message.trim()}\n\nRun '${path} --help' for more information\n`);
    // The docker CLI's exit codes for start failures: 127 not found, 126 not executable.
    throw new ExitError(/executable file not found|no such file or directory/.test(err.message) ? 127 : /permission denied/.test(err.message) ? 126 : 125);
  }
  if (err instanceof CliError) {
    ctx.io.stderr(`docker: ${err.message}\n\nRun '${path} --help' for more information\n`);
    throw new ExitError(err.code === 1 ? 125 : err.code);
  }
  throw err;
}

/** create, pulling (honestly failing) when the image is missing, as the docker CLI does. */
async function doCreate(ctx: CommandContext, p: ParsedArgs, path: string): Promise<string> {
  try {
    const body = createBody(p);
    const name = str(p, 'name') || undefined;
    // The docker CLI prints the daemon's create warnings to stderr.
    const created = async () => {
      const r = await ctx.api.request<{ Id: string; Warnings?: string[] | null }>('POST', '/containers/create', { query: { name }, body });
      for (const w of r.Warnings ?? []) ctx.io.stderr(`WARNING: ${w}\n`);
      return r.Id;
    };
    try {
      return await created();
    } catch (err) {
      if (!(err instanceof DaemonError && err.status === 404 && err.message.startsWith('No such image:'))) throw err;
      const ref = err.message.slice('No such image: '.length);
      ctx.io.stderr(`Unable to find image '${ref}' locally\n`);
      const [fromImage, tag] = ref.split(':');
      await ctx.api.request('POST', '/images/create', { query: { fromImage: `docker.io/library/${fromImage}`, tag } });
      return await created();
    }
  } catch (err) {
    return runError(ctx, err, path);
  }
}

const create: CommandSpec = {
  path: 'docker create',
  use: 'docker create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  aliases: ['docker container create'],
  flags: CREATE_FLAGS,
  interspersed: false,
  args: { min: 1 },
  async run(ctx, p) {
    ctx.io.stdout(`${await doCreate(ctx, p, 'docker create')}\n`);
    return 0;
  },
};

const run: CommandSpec = {
  path: 'docker run',
  use: 'docker run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create and run a new container from an image',
  aliases: ['docker container run'],
  flags: RUN_FLAGS,
  interspersed: false,
  args: { min: 1 },
  async run(ctx, p) {
    const detach = bool(p, 'detach');
    const tty = bool(p, 'tty');
    const interactive = bool(p, 'interactive');
    if (!detach && tty && interactive && !ctx.io.stdinIsTty) {
      ctx.io.stderr('the input device is not a TTY\n');
      return 1;
    }
    const id = await doCreate(ctx, p, 'docker run');
    const enc = encodeURIComponent(id);
    if (detach) {
      ctx.io.stdout(`${id}\n`);
      try {
        await ctx.api.request('POST', `/containers/${enc}/start`);
      } catch (err) {
        runError(ctx, err, 'docker run');
      }
      return 0;
    }
    // Attached: attach and wait before start, as the docker CLI does (docker-engine.md §16.1).
    const session = await ctx.api.hijack(`/containers/${enc}/attach`, { stderr: 1, stdin: interactive ? 1 : undefined, stdout: 1, stream: 1 });
    let exitCode = 0;
    const waited = ctx.api
      .stream('POST', `/containers/${enc}/wait`, { condition: bool(p, 'rm') ? 'removed' : 'next-exit' }, (chunk) => {
        const m = /"StatusCode":\s*(\d+)/.exec(chunk);
        if (m) exitCode = Number(m[1]);
      })
      .catch(() => undefined);
    session.onOutput((stream, data) => (stream === 2 && !tty ? ctx.io.stderr(data) : ctx.io.stdout(data)));
    try {
      await ctx.api.request('POST', `/containers/${enc}/start`);
    } catch (err) {
      session.close();
      runError(ctx, err, 'docker run');
    }
    const state = await ctx.api.request<{ State: { Running: boolean; ExitCode: number } }>('GET', `/containers/${enc}/json`).catch(() => undefined);
    if (state?.State.Running && !interactive) {
      // A service with nothing to type into: crosstalk returns instead of following its output forever.
      session.close();
      return 0;
    }
    if (interactive) {
      const detached = await pumpSession(ctx, session);
      if (detached) return 0;
    }
    await session.done;
    await waited;
    return exitCode;
  },
};

export const RUN_COMMANDS: Record<string, CommandSpec> = { run, create };
