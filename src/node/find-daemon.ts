/** Which daemon the crosstalk CLI talks to, if any (else it runs the embedded engine). */
import { existsSync } from 'node:fs';
import { parseHost, SocketTransport } from './socket-transport.js';
import { defaultSocketPath } from './state-dir.js';

/**
 * CROSSTALK_HOST, then DOCKER_HOST (used as given: an unreachable one is an error), then the
 * default socket if a daemon answers there; otherwise none. CROSSTALK_STATE_DIR or
 * CROSSTALK_SEED ask for a particular state (the embedded engine's), so the default socket, whose
 * daemon keeps its own state, is then not used.
 */
export async function findDaemon(env: NodeJS.ProcessEnv, socket = defaultSocketPath(env)): Promise<SocketTransport | undefined> {
  const explicit = env.CROSSTALK_HOST || env.DOCKER_HOST;
  if (explicit) return new SocketTransport(parseHost(explicit), explicit);
  if (env.CROSSTALK_STATE_DIR || env.CROSSTALK_SEED) return undefined;
  if (!existsSync(socket)) return undefined;
  const transport = new SocketTransport({ socketPath: socket }, `unix://${socket}`);
  const alive = await Promise.race([
    transport.send('HEAD', '/_ping').then((r) => r.status === 200, () => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref()),
  ]);
  return alive ? transport : undefined;
}
