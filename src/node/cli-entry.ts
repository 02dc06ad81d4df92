/** Node entry of the `crosstalk` binary: SQLite state, process stdio, system clock and randomness. */
import { CryptoRandom, systemClock } from '../core/ports.js';
import { EngineHost } from '../cli/engine-host.js';
import { dispatch, parseGlobal } from '../cli/main.js';
import { LazyStore } from '../store/lazy-store.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { createContext } from '../cli/context.js';
import { findDaemon } from './find-daemon.js';
import { defaultStateDir } from './state-dir.js';
import { ProcessIo } from './stdio.js';
import { runRealTutorial } from './tutorial-real.js';

// `crosstalk … | head` closes the pipe early: stop quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

async function main(): Promise<number> {
  const io = new ProcessIo();
  const global = parseGlobal(process.argv.slice(2));
  if ('error' in global) {
    io.stderr(`${global.error}\n\nRun 'crosstalk --help' for more information\n`);
    return 125;
  }
  const compat = global.compat ?? (process.env.CROSSTALK_COMPAT as 'default' | 'legacy' | undefined);
  // Opened only if a command uses the embedded engine: talking to a daemon creates no state dir.
  const store = new LazyStore(() => new SqliteStore(defaultStateDir(process.env)));
  try {
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
    store.close();
    io.close();
  }
}

main().then((code) => {
  process.exitCode = code;
});
