/**
 * The simulated runtime: starting a container joins its networks (engine), then decides whether
 * its main process keeps running (a service, an interactive shell) or runs to completion now (a
 * one-shot command such as `wget …`), in which case its output is captured and it exits —
 * releasing its addresses and DNS names, exactly as a real exited container does.
 */
import { startExecError } from '../core/runc-errors.js';
import { markExited, removeContainer, startContainer } from '../engine/containers.js';
import type { Engine } from '../engine/engine.js';
import type { ContainerRecord } from '../engine/model.js';
import { findImage } from '../engine/images.js';
import { NetView } from './netview.js';
import { runMain } from './process.js';
import { commandAvailable, isUnsimulatedApplet, type ExecIo, type SimEffect } from './shell.js';
import { userProblem } from './users.js';
import { EngineError } from '../core/errors.js';

export interface StartOutcome {
  container: ContainerRecord;
  /** The main process already finished (one-shot command). */
  exited: boolean;
  exitCode: number;
  removed: boolean;
}

/** The argv the simulator interprets: image entrypoints are wrappers, so only the command counts. */
export function mainArgv(c: ContainerRecord): string[] {
  const image = findImage(c.image);
  const entrypointIsWrapper = image && c.entrypoint.join(' ') === image.entrypoint.join(' ');
  return entrypointIsWrapper || c.entrypoint.length === 0 ? c.cmd : [...c.entrypoint, ...c.cmd];
}

export function startAndRun(engine: Engine, ref: string, io?: ExecIo): StartOutcome {
  const target = engine.findContainer(ref);
  // Docker resolves the user when it builds the runtime spec, before runc looks for the program.
  const unknownUser = userProblem(target, target.user ?? '');
  if (unknownUser) throw new EngineError('internal', unknownUser);
  const argv0 = mainArgv(target)[0];
  // An unsimulated applet starts (the real image has it) and says it is not simulated, exit 127.
  if (argv0 && !commandAvailable(target, argv0) && !isUnsimulatedApplet(argv0)) {
    throw new EngineError('internal', startExecError(argv0, 'missing'));
  }
  const container = startContainer(engine, ref);
  // runMain runs the main command once as PID 1 (servers keep running; output of the steps
  // before them, e.g. `npm install && http-server`, is kept). It decides service vs one-shot
  // with the network model, so an npm install on an --internal network ends the container.
  let captured = '';
  const capture: ExecIo = {
    stdout: (s) => {
      captured += s;
      io?.stdout(s);
    },
    stderr: (s) => {
      captured += s;
      io?.stderr(s);
    },
    effect: (e) => applySimEffect(engine, e),
  };
  const outcome = runMain(new NetView(engine), container, capture);
  container.logs += captured;
  if (outcome.state === 'running') return { container, exited: false, exitCode: 0, removed: false };
  const exitCode = outcome.exitCode;
  markExited(engine, container, exitCode);
  let removed = false;
  if (container.autoRemove) {
    removeContainer(engine, container.id, { force: true });
    removed = true;
  }
  return { container, exited: true, exitCode, removed };
}

/**
 * Applies what a simulated command did to another container's process: output it printed
 * (an nc -l server showing the data it received, an HTTP server's access log) goes to that
 * container's logs; `exit` ends it (busybox `nc -l` exits after one connection).
 */
export function applySimEffect(engine: Engine, e: SimEffect): void {
  if (e.kind === 'log') {
    e.container.logs += e.text;
    return;
  }
  if (e.container.status !== 'running') return;
  markExited(engine, e.container, e.exitCode);
  if (e.container.autoRemove) removeContainer(engine, e.container.id, { force: true });
}

/** `docker stop`: the exit code a real stop produces for this image (SIGTERM handled or not). */
export function stopExitCode(c: ContainerRecord): number {
  return findImage(c.image)?.stopExitCode ?? 137;
}
