/**
 * What runc (through containerd and dockerd 28) says when a container's or an exec's program
 * cannot be started. runc looks the program up with Go's exec.LookPath: a name without a slash
 * is searched in PATH (`executable file not found in $PATH` when no entry is an executable
 * file); a path with a slash is taken as it is — `stat PATH: no such file or directory` when it
 * does not exist, `permission denied` when it is a directory or not executable.
 */

/** Why argv[0] cannot be started: it is absent, or present but not an executable file. */
export type ExecProblem = 'missing' | 'denied';

/** runc's reason, `exec: "NAME": …`, as exec.LookPath's error prints it. */
export function execReason(argv0: string, problem: ExecProblem): string {
  const name = JSON.stringify(argv0);
  if (problem === 'denied') return `exec: ${name}: permission denied`;
  return argv0.includes('/') ? `exec: ${name}: stat ${argv0}: no such file or directory` : `exec: ${name}: executable file not found in $PATH`;
}

/** The start error (`docker run`/`start`): the CLI turns it into exit 127 (missing) or 126 (denied). */
export function startExecError(argv0: string, problem: ExecProblem): string {
  return `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${execReason(argv0, problem)}: unknown`;
}

/** The `docker exec` error (printed, exit 126). */
export function execExecError(argv0: string, problem: ExecProblem): string {
  return `OCI runtime exec failed: exec failed: unable to start container process: ${execReason(argv0, problem)}: unknown`;
}
