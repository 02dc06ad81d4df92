/** Node entry of the `crosstalk` binary: SQLite state, process stdio, system clock and randomness. */
import { CryptoRandom, systemClock } from '../core/ports.js';
import { EngineHost } from '../cli/engine-host.js';
import { dispatch, parseGlobal } from '../cli/main.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { defaultStateDir } from './state-dir.js';
import { ProcessIo } from './stdio.js';

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
    const host = new EngineHost({ store, clock: systemClock, random: new CryptoRandom(), profile: compat, seed });
    return await dispatch({ io, host, env: process.env }, global.rest);
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
