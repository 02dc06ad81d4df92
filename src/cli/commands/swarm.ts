/**
 * `docker swarm init` and `docker swarm leave`, just enough for overlay networks on one node:
 * swarm-scope networks, attachable or not. Joining other nodes is out of scope (bridge and overlay
 * here are single-host). Both go through the Engine API, as the docker CLI's do.
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
    const nodeId = await ctx.api.request<string>('POST', '/swarm/init', {
      body: { ListenAddr: '0.0.0.0:2377', AdvertiseAddr: str(p, 'advertise-addr'), ForceNewCluster: bool(p, 'force-new-cluster'), Spec: {} },
    });
    ctx.io.stdout(`Swarm initialized: current node (${nodeId}) is now a manager.\n\n`);
    // The join command, from the node and the swarm (the docker CLI's printJoinCommand).
    const node = await ctx.api.request<{ ManagerStatus?: { Addr: string } }>('GET', `/nodes/${nodeId}`);
    const swarm = await ctx.api.request<{ JoinTokens: { Worker: string } }>('GET', '/swarm');
    if (node.ManagerStatus) ctx.io.stdout(`To add a worker to this swarm, run the following command:\n\n    docker swarm join --token ${swarm.JoinTokens.Worker} ${node.ManagerStatus.Addr}\n\n`);
    ctx.io.stdout("To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.\n");
    return 0;
  },
};

const leave: CommandSpec = {
  path: 'docker swarm leave',
  use: 'docker swarm leave [OPTIONS]',
  short: 'Leave the swarm',
  flags: [{ name: 'force', short: 'f', kind: 'bool' }],
  args: { none: true },
  async run(ctx, p) {
    await ctx.api.request('POST', '/swarm/leave', { query: { force: bool(p, 'force') ? '1' : undefined } });
    ctx.io.stdout('Node left the swarm.\n');
    return 0;
  },
};

export async function swarmGroup(ctx: CommandContext, argv: string[], run: (spec: CommandSpec, argv: string[]) => Promise<number>): Promise<number> {
  if (argv[0] === 'init') return run(init, argv.slice(1));
  if (argv[0] === 'leave') return run(leave, argv.slice(1));
  throw new CliError(`crosstalk: 'docker swarm ${argv[0] ?? ''}' is not simulated (only 'swarm init' and 'swarm leave', for single-node overlay networks)`);
}
