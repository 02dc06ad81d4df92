/**
 * Container lifecycle routes on a real data plane: the same API answers as the simulated ones,
 * but start runs a real process (namespaces first, the network joined inside the start
 * transaction, then the process), and stop/kill send real signals whose effect — an exit — is
 * recorded when the process really ends.
 */
import { EngineError, notModified } from '../../core/errors.js';
import { startExecError } from '../../core/runc-errors.js';
import { abortStart, removeContainer, startContainer } from '../../engine/containers.js';
import type { PlainResponse } from '../contract.js';
import type { ApiCore } from '../core.js';
import { emptyResponse } from '../errors.js';
import type { RealRuntime } from '../real-runtime.js';
import type { RouteContext } from '../router.js';

export function runtimeOf(ctx: RouteContext): RealRuntime {
  return ctx.core.real!;
}

/** Starts a created or exited container for real; resolves once its process runs. */
export async function startReal(core: ApiCore, ref: string, extraEvents?: () => void): Promise<void> {
  const rt = core.real!;
  const c = core.read((engine) => engine.findContainer(ref));
  if (c.status === 'running') throw notModified('container already started');
  const problem = rt.checkStartable(c);
  if (problem) throw new EngineError('internal', problem);
  await core.read((engine) => rt.prepare(engine, c));
  try {
    core.write((tx) => {
      startContainer(tx.engine, c.id);
      extraEvents?.();
    });
  } catch (err) {
    rt.discard(c.id);
    throw err;
  }
  let pid: number;
  try {
    pid = await rt.launch(c.id);
  } catch (err) {
    rt.discard(c.id);
    const why = (err as Error).message;
    core.write((tx) => {
      const now = tx.engine.containers.get(c.id);
      if (now) abortStart(tx.engine, now, /permission denied/.test(why) ? 126 : /not found|no such file/i.test(why) ? 127 : 128);
    });
    // The shim reports what the kernel said as runc's reason (`exec: "X": permission denied`).
    const denied = /^exec: "(.*)": permission denied$/.exec(why);
    throw new EngineError('internal', denied ? startExecError(JSON.parse(`"${denied[1]}"`) as string, 'denied') : why);
  }
  core.write((tx) => {
    const now = tx.engine.containers.get(c.id);
    if (now && now.status === 'running') now.pid = pid;
  });
}

export async function realStart(ctx: RouteContext): Promise<PlainResponse> {
  const id = ctx.core.read((engine) => engine.findContainer(ctx.params.id).id);
  ctx.core.restarts?.cancel(id);
  await startReal(ctx.core, id);
  resetRestartCount(ctx, id);
  return emptyResponse(204);
}

/** `docker stop`: the signal, SIGKILL after the timeout; answers once the process has exited. */
export async function stopReal(ctx: RouteContext, ref: string, sig: number, timeout: number, stopEvent: boolean): Promise<void> {
  const core = ctx.core;
  const c = core.read((engine) => engine.findContainer(ref));
  if (c.status !== 'running') throw notModified('container already stopped');
  markManuallyStopped(core, c.id);
  core.events.publish(core.containerEvent(c, 'kill', { signal: String(sig) }));
  await runtimeOf(ctx).stop(c.id, sig, timeout, () => core.events.publish(core.containerEvent(c, 'kill', { signal: '9' })));
  if (stopEvent) core.events.publish(core.containerEvent(c, 'stop', {}));
}

/**
 * `docker kill`: SIGKILL answers once the container has exited (moby's daemon.Kill waits for it,
 * so a `start` right after it finds the container stopped); other signals are only sent.
 */
export async function realKill(ctx: RouteContext, name: string, sig: number): Promise<PlainResponse> {
  const core = ctx.core;
  const c = core.read((engine) => engine.findContainer(name));
  if (c.status !== 'running' || !runtimeOf(ctx).isLive(c.id)) throw new EngineError('conflict', `cannot kill container: ${name}: container ${c.id} is not running`);
  markManuallyStopped(core, c.id);
  core.events.publish(core.containerEvent(c, 'kill', { signal: String(sig) }));
  if (sig === 9) await runtimeOf(ctx).stop(c.id, 9, 0, () => {});
  else runtimeOf(ctx).signal(c.id, sig);
  return emptyResponse(204);
}

export async function realRemove(ctx: RouteContext, force: boolean): Promise<PlainResponse> {
  const core = ctx.core;
  const c = core.read((engine) => engine.findContainer(ctx.params.id));
  if (c.status === 'running') {
    if (!force) {
      // The engine's own refusal text.
      core.write((tx) => removeContainer(tx.engine, c.id, { force: false }));
    }
    markManuallyStopped(core, c.id);
    core.events.publish(core.containerEvent(c, 'kill', { signal: '9' }));
    await runtimeOf(ctx).stop(c.id, 9, 0, () => {});
  }
  core.write((tx) => {
    if (tx.engine.containers.has(c.id)) removeContainer(tx.engine, c.id, { force });
  });
  return emptyResponse(204);
}

/** What a stop or kill ends is not restarted by the container's restart policy (moby's HasBeenManuallyStopped). */
function markManuallyStopped(core: ApiCore, id: string): void {
  core.write((tx) => {
    const c = tx.engine.containers.get(id);
    if (c) c.manuallyStopped = true;
  });
}

/** A start by hand (start, restart) begins a new restart count, as moby's containerStart resets it. */
export function resetRestartCount(ctx: RouteContext, id: string): void {
  ctx.core.write((tx) => {
    const c = tx.engine.containers.get(id);
    if (c) c.restartCount = 0;
  });
}
