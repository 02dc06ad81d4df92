/**
 * `docker swarm init`, just enough for overlay networks on one node: swarm-scope networks,
 * attachable or not. Joining other nodes is out of scope (bridge and overlay here are single-host).
 */
import { bool, str } from '../args.js';
import { CliError, type CommandContext, type CommandSpec } from '../command.js';

const init: CommandSpec = {
  path: 'docker swarm init',
  use: 'docker swarm init [OPTIONS]',
  short: 'Initialize a swarm',
  flags: [
    { name: 'advertise-addr', kind: 'string' },
    { name: 'force-new-cluster', kind: 'bool' },
  ],
  args: { none: true },
  async run(ctx, p) {
    void bool(p, 'force-new-cluster');
    const { nodeId, address } = ctx.host.write((engine) => ({
      nodeId: engine.initSwarm(),
      address: str(p, 'advertise-addr') || engine.host.addresses[0]?.cidr.split('/')[0] || '127.0.0.1',
    }));
    const token = `SWMTKN-1-${nodeId.padEnd(50, '0')}-${nodeId.slice(0, 25)}`;
    ctx.io.stdout(
      `Swarm initialized: current node (${nodeId}) is now a manager.\n\nTo add a worker to this swarm, run the following command:\n\n    docker swarm join --token ${token} ${address}:2377\n\nTo add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.\n\n`,
    );
    return 0;
  },
};

export async function swarmGroup(ctx: CommandContext, argv: string[], run: (spec: CommandSpec, argv: string[]) => Promise<number>): Promise<number> {
  if (argv[0] === 'init') return run(init, argv.slice(1));
  throw new CliError(`crosstalk: 'docker swarm ${argv[0] ?? ''}' is not simulated (only 'swarm init', for single-node overlay networks)`);
}
