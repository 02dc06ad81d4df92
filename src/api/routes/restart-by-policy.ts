/** A restart by the container's restart policy (RestartScheduler calls it once the delay is over). */
import type { ApiCore } from '../core.js';
import { startAndRun } from '../../sim/runtime.js';
import { containerIo } from './containers.js';
import { startReal } from './real-lifecycle.js';

/**
 * `counted`: a restart after an exit (RestartCount grows). Otherwise a start at daemon boot, which
 * (as moby's containerStart with a new restart manager) sets RestartCount back to 0 and may start
 * an `always` container that was stopped by hand (the caller decided).
 */
export async function restartByPolicy(core: ApiCore, id: string, counted = true): Promise<void> {
  // Removed or started meanwhile, or (for a restart after an exit) stopped by hand: nothing to do.
  const due = (c: { status: string; manuallyStopped?: boolean } | undefined) => c !== undefined && c.status !== 'running' && (!counted || !c.manuallyStopped);
  if (!due(core.read((e) => e.containers.get(id)))) return;
  if (core.real) {
    core.write((tx) => {
      const c = tx.engine.containers.get(id);
      if (c) c.restartCount = counted ? c.restartCount + 1 : 0;
    });
    await startReal(core, id);
    return;
  }
  core.write((tx) => {
    const c = tx.engine.containers.get(id);
    if (!c || !due(c)) return;
    c.restartCount = counted ? c.restartCount + 1 : 0;
    startAndRun(tx.engine, c.id, containerIo(tx, c));
  });
}
