/**
 * `docker run` and `docker create`: flags → a container create request, then (run) start it,
 * print the ID or the output, and attach a simulated shell for `-it`.
 */
import { EngineError } from '../../core/errors.js';
import { createContainer, describeMissingImage, removeContainer } from '../../engine/containers.js';
import type { PortBinding } from '../../engine/model.js';
import type { ContainerCreateRequest, EndpointRequest } from '../../engine/requests.js';
import { startAndRun } from '../../sim/runtime.js';
import { bool, keyValues, list, str, type FlagSpec, type ParsedArgs } from '../args.js';
import { CliError, ExitError, type CommandContext, type CommandSpec } from '../command.js';
import { interactiveShell } from './attach.js';

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

/** `-p [ip:][hostPort[-end]:]containerPort[/proto]` */
export function parsePublish(spec: string, taken: Set<number>): PortBinding[] {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d*)(?:-(\d+))?:)?(\d+)(?:-\d+)?(?:\/(tcp|udp|sctp))?$/.exec(spec);
  if (!m) throw new CliError(`invalid argument "${spec}" for "-p, --publish" flag: invalid port format`, 125);
  const hostIp = (m[1] ?? '').replace(/^\[|\]$/g, '');
  const containerPort = Number(m[4]);
  const protocol = (m[5] ?? 'tcp') as 'tcp' | 'udp';
  // go-connections nat.ParsePortSpec texts
  if (containerPort < 1 || containerPort > 65535) throw new CliError(`Invalid containerPort: ${m[4]}`, 125);
  for (const hp of [m[2], m[3]]) if (hp && (Number(hp) > 65535 || (Number(hp) < 1 && hp !== '0'))) throw new CliError(`Invalid hostPort: ${hp}`, 125);
  let hostPort = m[2] ? Number(m[2]) : 0;
  if (m[3]) {
    const end = Number(m[3]);
    let p = hostPort;
    while (p <= end && taken.has(p)) p++;
    hostPort = p <= end ? p : hostPort;
  }
  if (hostPort === 0) {
    hostPort = 32768;
    while (taken.has(hostPort)) hostPort++;
  }
  taken.add(hostPort);
  return [{ containerPort, protocol, hostIp, hostPort }];
}

/** `--network NAME` or Docker 28's `--network name=NAME,alias=A,ip=…` */
function parseNetworkFlag(value: string): { name: string; req: EndpointRequest } {
  if (!value.includes('=')) return { name: value, req: {} };
  const req: EndpointRequest = {};
  let name = '';
  for (const [k, v] of keyValues(value.split(','))) {
    if (k === 'name') name = v;
    else if (k === 'alias') (req.aliases ??= []).push(v);
    else if (k === 'ip') req.ipv4 = v;
    else if (k === 'ip6') req.ipv6 = v;
    else if (k === 'mac-address') req.mac = v;
    else if (k === 'gw-priority') req.gwPriority = Number(v);
    else throw new CliError(`invalid argument "${value}" for "--network" flag: invalid field key ${k}`, 125);
  }
  return { name, req };
}

export function createRequest(p: ParsedArgs, takenPorts: Set<number>): ContainerCreateRequest {
  const [image, ...cmd] = p.positionals;
  const networks = [...list(p, 'network'), ...list(p, 'net')].map(parseNetworkFlag);
  const mode = networks[0]?.name ?? 'default';
  const primary: EndpointRequest = { ...(networks[0]?.req ?? {}) };
  const aliases = [...list(p, 'network-alias'), ...list(p, 'net-alias')];
  if (aliases.length) primary.aliases = [...(primary.aliases ?? []), ...aliases];
  if (str(p, 'ip')) primary.ipv4 = str(p, 'ip');
  if (str(p, 'ip6')) primary.ipv6 = str(p, 'ip6');
  if (str(p, 'mac-address')) primary.mac = str(p, 'mac-address');
  const endpoints: Record<string, EndpointRequest> = {};
  if (Object.keys(primary).length) endpoints[mode] = primary;
  for (const n of networks.slice(1)) endpoints[n.name] = n.req;
  if (aliases.length && (mode === 'default' || mode === 'bridge')) {
    throw new EngineError('invalid-parameter', 'network-scoped alias is supported only for containers in user defined networks');
  }
  const entrypoint = p.given.has('entrypoint') ? (str(p, 'entrypoint') ? [str(p, 'entrypoint')] : []) : undefined;
  return {
    name: str(p, 'name') || undefined,
    image,
    cmd,
    entrypoint,
    hostname: str(p, 'hostname') || undefined,
    domainname: str(p, 'domainname') || undefined,
    tty: bool(p, 'tty'),
    openStdin: bool(p, 'interactive'),
    autoRemove: bool(p, 'rm'),
    labels: Object.fromEntries(keyValues(list(p, 'label'))),
    env: list(p, 'env'),
    networkMode: mode,
    endpoints,
    portBindings: list(p, 'publish').flatMap((s) => parsePublish(s, takenPorts)),
    exposedPorts: list(p, 'expose').map((e) => (e.includes('/') ? e : `${e}/tcp`)),
    links: list(p, 'link'),
    extraHosts: list(p, 'add-host'),
    dns: list(p, 'dns'),
    dnsOptions: [...list(p, 'dns-option'), ...list(p, 'dns-opt')],
    dnsSearch: list(p, 'dns-search'),
  };
}

function runError(ctx: CommandContext, err: unknown, path: string): never {
  if (err instanceof EngineError) {
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

function doCreate(ctx: CommandContext, p: ParsedArgs, path: string) {
  try {
    return ctx.host.write((engine) => {
      const taken = new Set<number>();
      for (const c of engine.containers.values()) if (c.status === 'running') for (const b of c.portBindings) taken.add(b.hostPort);
      const req = createRequest(p, taken);
      try {
        return createContainer(engine, req);
      } catch (err) {
        if (err instanceof EngineError && err.message.startsWith('No such image:')) {
          const { normalized, available } = describeMissingImage(req.image);
          ctx.io.stderr(`Unable to find image '${normalized}' locally\n`);
          throw new EngineError(
            'not-found',
            `pull access denied for ${normalized.split(':')[0]}: crosstalk's simulated data plane has no registry; the images it simulates are: ${available}`,
          );
        }
        throw err;
      }
    });
  } catch (err) {
    runError(ctx, err, path);
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
    const c = doCreate(ctx, p, 'docker create');
    ctx.io.stdout(`${c.id}\n`);
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
    const interactive = bool(p, 'interactive') && bool(p, 'tty');
    if (!detach && bool(p, 'tty') && bool(p, 'interactive') && !ctx.io.stdinIsTty) {
      ctx.io.stderr('the input device is not a TTY\n');
      return 1;
    }
    const created = doCreate(ctx, p, 'docker run');
    if (detach) ctx.io.stdout(`${created.id}\n`);
    let outcome;
    try {
      outcome = ctx.host.write((engine) => startAndRun(engine, created.id, detach ? undefined : { stdout: (s) => ctx.io.stdout(s), stderr: (s) => ctx.io.stderr(s) }));
    } catch (err) {
      // Docker leaves the created container behind when start fails (except with --rm).
      if (bool(p, 'rm')) ctx.host.write((engine) => removeContainer(engine, created.id, { force: true }));
      runError(ctx, err, 'docker run');
    }
    if (detach) return 0;
    if (outcome.exited) return outcome.exitCode;
    if (interactive) return interactiveShell(ctx, created.id, { autoRemove: bool(p, 'rm'), tty: true });
    return 0;
  },
};

export const RUN_COMMANDS: Record<string, CommandSpec> = { run, create };
