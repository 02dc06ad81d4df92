/**
 * What a simulated command runs with: the data-plane view, the container, its streams and the
 * side effects it may have on other containers (an `nc -l` server printing what it received,
 * then exiting). Also the per-image facts commands need: which libc formats error texts.
 */
import type { ContainerRecord } from '../engine/model.js';
import { normalizeImageRef } from '../engine/images.js';
import type { NetView } from './netview.js';

/** Output sink of a simulated process (exec session, attach stream, container logs). */
export interface ExecIo {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Data on stdin (`docker exec -i`, a pipe); absent = stdin closed / /dev/null. */
  stdin?: string;
  /** A terminal is attached (`-t`): busybox prints a few things differently (ping's `^C`). */
  tty?: boolean;
  /** Effects on other containers' processes; the runtime applies them (logs, exits). */
  effect?(e: SimEffect): void;
  /** `exec -u`: the user this process runs as instead of the container's. */
  user?: string;
}

/**
 * Something a command did to another container's process. `log` is output that process wrote
 * (an HTTP server's access log, data an `nc -l` received); `exit` means that process ended
 * (busybox `nc -l` serves one connection, then exits, taking its container down with it).
 */
export type SimEffect =
  | { kind: 'log'; container: ContainerRecord; text: string }
  | { kind: 'exit'; container: ContainerRecord; exitCode: number };

/** A command that keeps running (a server, `sleep`, an interactive shell with stdin open). */
export const KEEPS_RUNNING = -1;

export interface ShellState {
  env: Map<string, string>;
  lastStatus: number;
  /** Files written during this run (`echo x > /tmp/f`); the image filesystem is not modelled. */
  files: Map<string, string>;
  /** Programs installed during this run (`npm install -g http-server`). */
  installed: Set<string>;
  /** Set when `exit` (or `exec`) ended the shell. */
  exited?: boolean;
}

export interface CmdContext {
  /** Absent in static analysis (classifyProcess without a view): network steps assume success. */
  view?: NetView;
  c: ContainerRecord;
  /** Data waiting on stdin; null = nothing (EOF, or an open terminal with nothing typed). */
  stdin: string | null;
  /** stdin is a live terminal/pipe that never reaches EOF (`docker run -i`/`-t` main process). */
  stdinOpen: boolean;
  /** `--user` / `exec -u` as given (`name|uid[:group|gid]`); '' is the image's default, root. */
  user: string;
  out(s: string): void;
  err(s: string): void;
  tty: boolean;
  /** `main`: the container's own process (long-running commands keep it up); `exec`: a session. */
  mode: 'main' | 'exec';
  effect(e: SimEffect): void;
  shell: ShellState;
}

export type Libc = 'musl' | 'glibc';

/** Alpine-based images use musl (its strerror texts differ from glibc's); others glibc. */
export function libcOf(c: ContainerRecord): Libc {
  const [repo, tag] = normalizeImageRef(c.image).split(':');
  if (repo === 'alpine' || tag.includes('alpine') || (repo === 'busybox' && tag === 'musl')) return 'musl';
  return 'glibc';
}

export type Errno = 'ENETUNREACH' | 'EHOSTUNREACH' | 'ECONNREFUSED' | 'ETIMEDOUT' | 'ECONNRESET';

const STRERROR: Record<Libc, Record<Errno, string>> = {
  musl: {
    ENETUNREACH: 'Network unreachable',
    EHOSTUNREACH: 'Host is unreachable',
    ECONNREFUSED: 'Connection refused',
    ETIMEDOUT: 'Operation timed out',
    ECONNRESET: 'Connection reset by peer',
  },
  glibc: {
    ENETUNREACH: 'Network is unreachable',
    EHOSTUNREACH: 'No route to host',
    ECONNREFUSED: 'Connection refused',
    ETIMEDOUT: 'Connection timed out',
    ECONNRESET: 'Connection reset by peer',
  },
};

export function strerror(c: ContainerRecord, errno: Errno): string {
  return STRERROR[libcOf(c)][errno];
}

/** Image repository without registry prefix or tag (`node:20-alpine` → `node`). */
export function imageRepo(c: ContainerRecord): string {
  return normalizeImageRef(c.image).split(':')[0];
}

export function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** busybox's banner for usage errors. */
export const BUSYBOX_BANNER = 'BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary.';

/** Length of a string in UTF-8 bytes (Content-Length, wget's byte counts). */
export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Paths relative to the working directory, which is always `/` in the simulation. */
export function absPath(p: string): string {
  const abs = p.startsWith('/') ? p : `/${p.replace(/^\.\//, '')}`;
  return abs.replace(/\/+/g, '/');
}
