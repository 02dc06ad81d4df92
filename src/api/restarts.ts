/**
 * The daemon's restart manager: after an exit that the container's restart policy covers, the
 * container is started again after a delay (100 ms, doubling up to a minute, reset by a run of
 * 10 s or more). `docker stop`, `kill` and `rm` cancel a pending restart. Timers live in the
 * daemon's memory, as Docker's do.
 */
import { nextRestartDelay, shouldRestart } from '../engine/restart-policy.js';
import type { ContainerRecord } from '../engine/model.js';
import { setTimer } from './stream.js';

export class RestartScheduler {
  /** Pending restarts: their cancel functions. */
  private readonly timers = new Map<string, () => void>();
  private readonly delays = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly restart: (id: string) => Promise<void>,
    private readonly onError: (id: string, err: Error) => void,
  ) {}

  /** The container's process ended (its record already shows the exit). */
  exited(c: ContainerRecord): void {
    if (this.closed || c.autoRemove || !shouldRestart(c.restartPolicy, c.exitCode, c.restartCount, c.manuallyStopped ?? false)) return;
    const ranMs = Number((BigInt(c.finishedAt || '0') - BigInt(c.startedAt || '0')) / 1_000_000n);
    const delay = nextRestartDelay(this.delays.get(c.id), ranMs);
    this.delays.set(c.id, delay);
    this.cancel(c.id);
    const cancel = setTimer(() => {
      this.timers.delete(c.id);
      this.restart(c.id).catch((err: unknown) => this.onError(c.id, err as Error));
    }, delay, true);
    this.timers.set(c.id, cancel);
  }

  pending(id: string): boolean {
    return this.timers.has(id);
  }

  cancel(id: string): void {
    this.timers.get(id)?.();
    this.timers.delete(id);
  }

  /** The container is gone: forget its delay too. */
  forget(id: string): void {
    this.cancel(id);
    this.delays.delete(id);
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.timers.keys()]) this.cancel(id);
  }
}
