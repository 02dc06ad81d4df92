/** A restart by the container's restart policy (RestartScheduler calls it once the delay is over). */
import type { ApiCore } from '../core.js';
import { startAndRun } from '../../sim/runtime.js';
import { containerIo } from './containers.js';
import { startReal } from './real-lifecycle.js';

/** `counted`: a restart after an exit (RestartCount grows); a start at daemon boot is not one. */
export async function restartByPolicy(core: ApiCore, id: string, counted = true): Promise<void> {
  // Stopped by hand, removed or started meanwhile: nothing to do.
  const due = (c: { status: string; manuallyStopped?: boolean } | undefined) => c !== undefined && c.status !== 'running' && !c.manuallyStopped;
  if (!due(core.read((e) => e.containers.get(id)))) return;
  if (core.real) {
    core.write((tx) => {
      const c = tx.engine.containers.get(id);
      if (c && counted) c.restartCount++;
    });
    await startReal(core, id);
    return;
  }
  core.write((tx) => {
    const c = tx.engine.containers.get(id);
    if (!c || !due(c)) return;
    if (counted) c.restartCount++;
    startAndRun(tx.engine, c.id, containerIo(tx, c));
  });
}
