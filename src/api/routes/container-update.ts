/**
 * `POST /containers/{id}/update` (`docker update`): crosstalk changes the restart policy, which is
 * what it keeps; resource limits are not modelled, so a non-zero one is refused with why rather
 * than accepted and ignored.
 */
import { EngineError } from '../../core/errors.js';
import { validateRestartPolicy } from '../../engine/restart-policy.js';
import type { PlainResponse } from '../contract.js';
import { jsonResponse } from '../errors.js';
import { Fields } from '../json.js';
import type { RouteContext } from '../router.js';

/** Resource fields the docker CLI always sends (zero unless a flag set them). */
const RESOURCE_FIELDS = ['CpuShares', 'Memory', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'CpuRealtimePeriod', 'CpuRealtimeRuntime', 'MemoryReservation', 'MemorySwap', 'KernelMemory', 'PidsLimit', 'BlkioWeight', 'CpusetCpus', 'CpusetMems'];

export function update(ctx: RouteContext): PlainResponse {
  const f = Fields.of(ctx.body() ?? {}, 'UpdateConfig', 'container.UpdateConfig');
  const set = RESOURCE_FIELDS.filter((k) => {
    const v = f.raw(k);
    return v !== undefined && v !== null && v !== 0 && v !== '';
  });
  if (set.length) throw new EngineError('not-implemented', `crosstalk does not model resource limits (${set.join(', ')}); docker update can change the restart policy only`);
  const rp = f.obj('RestartPolicy', 'container.RestartPolicy');
  ctx.core.write((tx) => {
    const c = tx.engine.findContainer(ctx.params.id);
    if (!rp) return;
    const name = rp.str('Name') ?? '';
    if (c.autoRemove && name !== '' && name !== 'no') {
      throw new EngineError('invalid-parameter', `Cannot update container ${c.id}: Restart policy cannot be updated because AutoRemove is enabled for the container`);
    }
    const policy = validateRestartPolicy(name, rp.int('MaximumRetryCount') ?? 0, false);
    if (policy.name === 'no') delete c.restartPolicy;
    else c.restartPolicy = policy;
  });
  return jsonResponse(200, { Warnings: null });
}
