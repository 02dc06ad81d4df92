/**
 * A single-node swarm, just enough for overlay networks: `swarm init` (Engine.initSwarm) and
 * `swarm leave`, which takes the swarm-scope networks (ingress and the overlays) with it and
 * detaches the containers that used them, as leaving a swarm does in Docker.
 */
import { EngineError } from '../core/errors.js';
import { disconnectContainer } from './containers.js';
import type { Engine } from './engine.js';

export const NOT_IN_SWARM = 'This node is not part of a swarm';
export const NOT_A_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

export function leaveSwarm(engine: Engine, force: boolean): void {
  if (!engine.swarmNodeId) throw new EngineError('unavailable', NOT_IN_SWARM);
  if (!force) {
    throw new EngineError(
      'unavailable',
      'You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message.',
    );
  }
  for (const net of engine.listNetworks().filter((n) => n.scope === 'swarm')) {
    for (const c of engine.listContainers()) {
      if (c.networks.some((n) => n.networkId === net.id)) disconnectContainer(engine, net.id, c.id, true);
    }
    engine.unindexNetwork(net);
  }
  engine.swarmNodeId = undefined;
  engine.swarmAddr = undefined;
  engine.swarmCreated = undefined;
}
