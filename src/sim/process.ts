/**
 * A container's main process: does it keep running (a service) or finish (a one-shot)?
 *
 * - Shells without `-c` (`sh`, `ash`, `/bin/sh`, `bash`) read commands from stdin: with `-i`
 *   (OpenStdin) or `-t` (a terminal that never sends EOF) they wait — the container stays up;
 *   without, stdin is /dev/null and they exit 0 at once, as in Docker.
 * - `sleep N`, `sleep infinity`, `tail -f`, `top`, servers (nc -l, httpd -f, nginx with
 *   `daemon off;`, postgres, redis-server, python -m http.server, http-server) stay up.
 * - `sh -c` chains stay up if the command they reach stays up: `npm install -g x && http-server`
 *   only when npm succeeds, which depends on the network (give classifyProcess the NetView);
 *   an endless or still-waiting loop stays up too.
 * - Everything else is a one-shot: echo, wget, ping -c, nslookup, make, true, false, unknown
 *   commands (127)…
 *
 * runMain() runs the process now: it writes what it prints (npm's output, nginx's entrypoint
 * lines, a one-shot's whole output) to io and says whether it is still running or exited with
 * which code. Prefer it over classifyProcess + runCommand when starting a container: it runs
 * the command once, in main-process mode, so output of the steps before a server is kept.
 */
import type { ContainerRecord } from '../engine/model.js';
import { mainArgv } from './argv.js';
import { KEEPS_RUNNING, type ExecIo } from './context.js';
import type { NetView } from './netview.js';
import { makeContext, runToStatus } from './shell.js';

export type MainOutcome = { state: 'running' } | { state: 'exited'; exitCode: number };

const SILENT: ExecIo = { stdout: () => {}, stderr: () => {} };

/** Runs the container's main command as its PID 1 would. */
export function runMain(view: NetView | undefined, c: ContainerRecord, io: ExecIo = SILENT): MainOutcome {
  const argv = mainArgv(c);
  if (argv.length === 0) return { state: 'exited', exitCode: 0 };
  const status = runToStatus(makeContext(view, c, { ...io, stdin: undefined }, 'main'), argv);
  return status === KEEPS_RUNNING ? { state: 'running' } : { state: 'exited', exitCode: status };
}

/**
 * Service or one-shot. Without a view, steps that need the network (npm install, wget, ping -c)
 * are assumed to succeed; with one they are decided by the model (no output is kept).
 */
export function classifyProcess(c: ContainerRecord, view?: NetView): 'service' | 'oneshot' {
  return runMain(view, c, SILENT).state === 'running' ? 'service' : 'oneshot';
}
