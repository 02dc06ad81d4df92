/**
 * Restart policies as Docker's daemon applies them: validated at create with moby's texts
 * (RestartPolicy.Validate), and after an exit decided by its restart manager — `always` and
 * `unless-stopped` restart whatever the exit code, `on-failure[:N]` only a non-zero one (at most N
 * times; 0 = no limit), and nothing restarts a container that `docker stop`/`kill` ended. The delay
 * starts at 100 ms and doubles up to a minute; a run of 10 s or more resets it.
 */
import { invalidParameter } from '../core/errors.js';

export type RestartPolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface RestartPolicy {
  name: RestartPolicyName;
  maximumRetryCount: number;
}

const NAMES: readonly string[] = ['no', 'always', 'unless-stopped', 'on-failure'];

/** HostConfig.RestartPolicy (and AutoRemove) as the daemon checks them at create. */
export function validateRestartPolicy(name: string, maximumRetryCount: number, autoRemove: boolean): RestartPolicy {
  const none = name === '' || name === 'no';
  if (autoRemove && !none) throw invalidParameter("can't create 'AutoRemove' container with restart policy");
  if (name === '') return { name: 'no', maximumRetryCount: 0 }; // moby allows any count here, for old clients
  if (!NAMES.includes(name)) throw invalidParameter(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (name !== 'on-failure' && maximumRetryCount !== 0) {
    throw invalidParameter(`invalid restart policy: maximum retry count can only be used with 'on-failure'${maximumRetryCount < 0 ? ' and cannot be negative' : ''}`);
  }
  if (maximumRetryCount < 0) throw invalidParameter('invalid restart policy: maximum retry count cannot be negative');
  return { name: name as RestartPolicyName, maximumRetryCount };
}

/**
 * `atBoot`: the daemon is starting. A stop by hand calls off the restarts of a running daemon,
 * but at boot moby's restart manager is new and `always` starts again regardless.
 */
export function shouldRestart(policy: RestartPolicy | undefined, exitCode: number, restartCount: number, manuallyStopped: boolean, atBoot = false): boolean {
  if (!policy) return false;
  if (manuallyStopped && !(atBoot && policy.name === 'always')) return false;
  switch (policy.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0 && (policy.maximumRetryCount === 0 || restartCount < policy.maximumRetryCount);
    default:
      return false;
  }
}

export const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 60_000;

/** The next delay: 100 ms after a run of 10 s or more (or the first time), else double, up to a minute. */
export function nextRestartDelay(previousMs: number | undefined, ranMs: number): number {
  if (previousMs === undefined || ranMs >= 10_000) return FIRST_RESTART_DELAY_MS;
  return Math.min(previousMs * 2, MAX_RESTART_DELAY_MS);
}
