/**
 * The seam between the Engine API and a real data plane (Linux): the routes call these where the
 * simulator would interpret a command. No Node imports: the daemon supplies the implementation.
 */
import type { Engine } from '../engine/engine.js';
import type { ContainerRecord } from '../engine/model.js';
import type { SimImage } from '../engine/images.js';
import type { Listener } from '../sim/listeners.js';

/** A live byte stream to a real process (a container's main process or an exec). */
export interface RealStream {
  onOutput(cb: (stream: 1 | 2, data: string) => void): void;
  write(data: string): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  /** Stop listening (detach); the process keeps running. */
  detach(): void;
}

export interface RealExec extends RealStream {
  readonly pid: number;
  readonly exited: Promise<number>;
  /** The client went away: hang up on the process. */
  kill(): void;
}

export interface RealLogLine {
  stream: 1 | 2;
  text: string;
  /** RFC 3339 with nanoseconds. */
  time: string;
}

/** `docker exec` on the real plane: the container's defaults (user, working dir) already applied. */
export interface RealExecOptions {
  argv: string[];
  env: string[];
  tty: boolean;
  openStdin: boolean;
  workdir: string;
  /** `name|uid[:group|gid]`, resolved in the running container's files ('' = root). */
  user: string;
}

export interface RealRuntime {
  readonly name: string;
  /** Called by the API core when a real process ended: record the exit (one transaction). */
  setExitHandler(fn: (containerId: string, exitCode: number) => void): void;
  /** Inside every write transaction, after its change: make the real network match. Throws to abort. */
  sync(engine: Engine): void;
  /** After every commit (clean-ups that must not be undone, e.g. a removed container's files). */
  committed(engine: Engine): void;
  /** Docker's start error when the user or the main executable is not in the image (undefined: fine). */
  checkStartable(c: ContainerRecord): string | undefined;
  /** Before the start transaction: the container's namespaces (no process yet). */
  prepare(engine: Engine, c: ContainerRecord): Promise<void>;
  /** The start transaction failed: drop what prepare made. */
  discard(containerId: string): void;
  /** After the start committed: run the main process; resolves with its host PID. */
  launch(containerId: string): Promise<number>;
  isLive(containerId: string): boolean;
  signal(containerId: string, signal: number): void;
  /** `signal`, then SIGKILL after `timeoutSeconds` (`onKill` just before); resolves with the exit code once the exit is recorded. */
  stop(containerId: string, signal: number, timeoutSeconds: number, onKill: () => void): Promise<number>;
  /** Output of the main process from now on; stdin goes to it. */
  attach(containerId: string): RealStream;
  exec(containerId: string, opts: RealExecOptions): RealExec;
  logs(containerId: string): RealLogLine[];
  resize(containerId: string, rows: number, cols: number): void;
  /** `crosstalk image import`: a rootfs tarball (a path on the daemon's machine) becomes image NAME. */
  importImage(name: string, tarPath: string): Promise<void>;
  /** What the container's network namespace listens on now (undefined when it has no process). */
  listeners(containerId: string): Listener[] | undefined;
  /** Does this image have a root filesystem here (the built-in busybox ones, or loaded/imported)? */
  hasImage(ref: string): boolean;
  /** `docker rmi`: an imported/loaded image's files (its last tag is gone; no container uses it). */
  removeImage(image: SimImage): void;
  /** The files of an image that keeps some tags, rewritten with the tags left. */
  retagImage(image: SimImage): void;
  /** `docker load`: the images of a `docker save` archive (a file on the daemon's machine); their `repo:tag`s. */
  loadImages(archivePath: string): Promise<string[]>;
}
