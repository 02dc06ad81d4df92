/**
 * The crosstalk CLI: Docker's command tree (network, run, ps, exec, …) plus crosstalk's own
 * commands (tutorial, host, reset). Pure dispatch — the engine host and Io are injected, so the
 * same code runs in a terminal, in tests and in a browser.
 */
import { reportError, runCommand, type CommandContext, type CommandSpec } from './command.js';
import { ATTACH_COMMANDS } from './commands/attach.js';
import { CONTAINER_COMMANDS, CONTAINER_GROUP_EXTRA } from './commands/container.js';
import { port } from './commands/port.js';
import { update } from './commands/update.js';
import { EXPLAIN_COMMANDS } from './commands/explain.js';
import { HOST_COMMANDS } from './commands/host.js';
import { INFO_COMMANDS } from './commands/info.js';
import { networkGroup } from './commands/network.js';
import { RUN_COMMANDS } from './commands/run.js';
import { swarmGroup } from './commands/swarm.js';
import { imageGroup } from './commands/image.js';

export const VERSION = '0.1.0';

const TOP_LEVEL: Record<string, CommandSpec> = { ...RUN_COMMANDS, ...CONTAINER_COMMANDS, port, update, ...ATTACH_COMMANDS, ...HOST_COMMANDS, ...EXPLAIN_COMMANDS, ...INFO_COMMANDS };

const CONTAINER_GROUP: Record<string, CommandSpec> = { ...RUN_COMMANDS, ...CONTAINER_COMMANDS, port, update, ...ATTACH_COMMANDS, ...CONTAINER_GROUP_EXTRA };

export const ROOT_HELP = `Usage:  crosstalk [--compat default|legacy] COMMAND

Docker's container networking, simulated: a docker-compatible CLI that also explains why
containers can or cannot reach each other.

Network commands:
  network     Manage networks (connect, create, disconnect, inspect, ls, prune, rm)

Container commands:
  run         Create and run a new container from an image
  create      Create a new container
  start       Start one or more stopped containers
  stop        Stop one or more running containers
  restart     Restart one or more containers
  rm          Remove one or more containers
  ps          List containers
  inspect     Return low-level information on Docker objects
  exec        Execute a command in a running container (simulated busybox)
  attach      Attach to a running container's shell
  logs        Fetch the logs of a container
  container   Manage containers
  info        Which engine this CLI talks to (daemon socket or embedded) and its counts

crosstalk commands:
  explain     Explain why FROM can or cannot reach TO[:PORT] (FROM may be "host")
  tutorial    Run the Docker networking walk-through for real in a sandbox (--sim: simulated)
  image       Import a root filesystem tarball as an image (image import; real data plane)
  host        Show or set the simulated host (addresses, routes, nameservers)
  reset       Forget all networks and containers

Global options:
  --compat default|legacy   Engine 28.2 behaviour (default) or Engine 26 (IPv4-derived MACs,
                            rotating subnet choice); fixed when the state is first created
  -v, --version             Print version information and quit

State: $CROSSTALK_STATE_DIR (default /var/lib/crosstalk for root, else ~/.local/state/crosstalk).
`;

export interface GlobalOptions {
  compat?: 'default' | 'legacy';
  rest: string[];
}

/** Global flags stop at the first command word. */
export function parseGlobal(argv: string[]): GlobalOptions | { error: string } {
  let i = 0;
  let compat: 'default' | 'legacy' | undefined;
  while (i < argv.length && argv[i].startsWith('-')) {
    const a = argv[i];
    if (a === '--compat' || a.startsWith('--compat=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v !== 'default' && v !== 'legacy') return { error: `invalid argument "${v ?? ''}" for "--compat" flag: expected "default" or "legacy"` };
      compat = v;
      i++;
      continue;
    }
    if (a === '-v' || a === '--version' || a === '--help' || a === '-h') break;
    return { error: `unknown flag: ${a}` };
  }
  return { compat, rest: argv.slice(i) };
}

export async function dispatch(ctx: CommandContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const run = (spec: CommandSpec, args: string[]) => runCommand(spec, ctx, args);
  try {
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      ctx.io.stdout(ROOT_HELP);
      return cmd === undefined ? 0 : 0;
    }
    if (cmd === '-v' || cmd === '--version' || cmd === 'version') {
      ctx.io.stdout(`crosstalk version ${VERSION} (simulated data plane; Docker Engine ${ctx.host.read((e) => e.profile.engineVersion)} behaviour)\n`);
      return 0;
    }
    if (cmd === 'network') return await networkGroup(ctx, rest, run);
    if (cmd === 'swarm') return await swarmGroup(ctx, rest, run);
    if (cmd === 'image') return await imageGroup(ctx, rest, run);
    if (cmd === 'container') {
      const sub = rest[0];
      const spec = sub ? CONTAINER_GROUP[sub] : undefined;
      if (!spec) {
        ctx.io.stdout('Usage:  docker container COMMAND\n\nManage containers\n\nCommands:\n  attach, create, exec, inspect, logs, ls, restart, rm, run, start, stop\n');
        return sub === undefined || sub === '--help' ? 0 : 1;
      }
      return await run({ ...spec, path: spec.path.replace(/^docker /, 'docker container ') }, rest.slice(1));
    }
    const spec = TOP_LEVEL[cmd];
    if (!spec) {
      ctx.io.stderr(`crosstalk: unknown command: crosstalk ${cmd}\n\nRun 'crosstalk --help' for more information\n`);
      return 1;
    }
    return await run(spec, rest);
  } catch (err) {
    return reportError(ctx, err);
  }
}

