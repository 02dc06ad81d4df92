/** Node entry of the `crosstalk` binary: SQLite state, process stdio, system clock and randomness. */
import { CryptoRandom, systemClock } from '../core/ports.js';
import { EngineHost } from '../cli/engine-host.js';
import { dispatch, parseGlobal } from '../cli/main.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { existsSync } from 'node:fs';
import { createContext } from '../cli/context.js';
import { parseHost, SocketTransport } from './socket-transport.js';
import { defaultSocketPath, defaultStateDir } from './state-dir.js';
import { ProcessIo } from './stdio.js';
import { runRealTutorial } from './tutorial-real.js';

// `crosstalk … | head` closes the pipe early: stop quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/**
 * A daemon to talk to: CROSSTALK_HOST, then DOCKER_HOST (used as given: an unreachable one is an
 * error), then the default socket if a daemon answers there; otherwise the embedded engine.
 */
async function findDaemon(env: NodeJS.ProcessEnv): Promise<SocketTransport | undefined> {
  const explicit = env.CROSSTALK_HOST || env.DOCKER_HOST;
  if (explicit) return new SocketTransport(parseHost(explicit), explicit);
  const socket = defaultSocketPath(env);
  if (!existsSync(socket)) return undefined;
  const transport = new SocketTransport({ socketPath: socket }, `unix://${socket}`);
  const alive = await Promise.race([
    transport.send('HEAD', '/_ping').then((r) => r.status === 200, () => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref()),
  ]);
  return alive ? transport : undefined;
}

async function main(): Promise<number> {
  const io = new ProcessIo();
  const global = parseGlobal(process.argv.slice(2));
  if ('error' in global) {
    io.stderr(`${global.error}\n\nRun 'crosstalk --help' for more information\n`);
    return 125;
  }
  const compat = global.compat ?? (process.env.CROSSTALK_COMPAT as 'default' | 'legacy' | undefined);
  let store: SqliteStore | undefined;
  try {
    store = new SqliteStore(defaultStateDir(process.env));
    const seed = process.env.CROSSTALK_SEED ? Number(process.env.CROSSTALK_SEED) : undefined;
    // `reset` replaces the state whatever its profile, so it must not be refused for a mismatch.
    const profile = global.rest[0] === 'reset' ? undefined : compat;
    const host = new EngineHost({ store, clock: systemClock, random: new CryptoRandom(), profile, seed });
    // `crosstalk --compat legacy reset` resets into the legacy profile.
    const env = { ...process.env, CROSSTALK_COMPAT_GLOBAL: global.compat };
    const daemon = await findDaemon(process.env);
    const ctx = createContext(io, host, env, daemon);
    ctx.realTutorial = (fallback) => runRealTutorial(io, env, fallback);
    return await dispatch(ctx, global.rest);
  } catch (err) {
    io.stderr(`crosstalk: ${(err as Error).message}\n`);
    return 1;
  } finally {
    store?.close();
    io.close();
  }
}

main().then((code) => {
  process.exitCode = code;
});
