/**
 * The daemon's side of the shim zygote's protocol (zygote_main in shim_zygote.py): one line per
 * connection, `{"dir": …}` (fork a shim for that container) or `{"spare": true}` (fork a spare:
 * a shim with a fresh namespace already made, that waits on the same connection for its
 * container's `{"dir": …}`). Either way the answer is `shim <pid>` then the shim's own
 * `ready <pid> <netns>`, or `error <why>`.
 */
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Ready = { pid: number; netns: string };

/** The zygote could not fork a shim (not: the shim failed); the caller may start one another way. */
export class ZygoteUnavailable extends Error {}

/** A spare shim waiting on its connection (kept open by the daemon) for a container. */
export interface Spare {
  pid: number;
  socket: Socket;
  /** The spare ended (or its connection did) before it was given a container. */
  dead: boolean;
}

const TIMEOUT_MS = 10_000;

/** `: <last lines of the shim's stderr>`, or '' (for error texts). */
export function shimLogTail(dir: string): string {
  try {
    const err = readFileSync(join(dir, 'shim.log'), 'utf8').trim().split('\n').slice(-3).join('\n');
    return err ? `: ${err}` : '';
  } catch {
    return '';
  }
}

/**
 * Reads `shim <pid>` + `ready <pid> <netns>` from `s` (then closes it). Rejects with
 * ZygoteUnavailable when no shim came to be, with a plain Error when the shim failed.
 */
function readShimReply(s: Socket, dir: string): Promise<Ready> {
  return new Promise((resolve, reject) => {
    let out = '';
    let shimPid: number | undefined;
    let done = false;
    const finish = (err: Error | undefined, ready?: Ready) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      if (err) reject(err);
      else resolve(ready!);
    };
    const fail = (why: string) =>
      finish(shimPid === undefined ? new ZygoteUnavailable(`zygote: ${why}`) : new Error(`container shim failed to start (${why})${shimLogTail(dir)}`));
    const timer = setTimeout(() => {
      if (shimPid !== undefined) {
        try {
          process.kill(shimPid, 'SIGKILL');
        } catch {}
      }
      fail('timeout');
    }, TIMEOUT_MS);
    s.on('data', (c: Buffer) => {
      out += c.toString();
      const e = /^error (.*)\n/.exec(out);
      if (e) return fail(e[1]);
      const p = /^shim (\d+)\n/.exec(out);
      if (p) shimPid = Number(p[1]);
      const m = /^shim \d+\nready (\d+) (\S+)\n/.exec(out);
      if (m) finish(undefined, { pid: Number(m[1]), netns: m[2] });
    });
    s.on('error', (e) => fail(e.message));
    s.on('close', () => fail('exit'));
  });
}

/** Asks the zygote to fork a shim for the container in `dir`. */
export function requestShim(socketPath: string, dir: string): Promise<Ready> {
  const s = connect(socketPath);
  s.on('connect', () => s.write(`${JSON.stringify({ dir })}\n`));
  return readShimReply(s, dir);
}

/** Asks the zygote for a spare; resolves once the spare has its namespace and waits. */
export function requestSpare(socketPath: string): Promise<Spare> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let out = '';
    const timer = setTimeout(() => (s.destroy(), reject(new ZygoteUnavailable('zygote: spare timeout'))), TIMEOUT_MS);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /^spare (\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        s.off('data', onData);
        const spare: Spare = { pid: Number(m[1]), socket: s, dead: false };
        s.on('close', () => (spare.dead = true));
        s.unref(); // an idle spare must not keep the daemon (or a test) alive
        resolve(spare);
      } else if (out.includes('\n')) {
        clearTimeout(timer);
        s.destroy();
        reject(new ZygoteUnavailable(`zygote: ${out.trim()}`));
      }
    };
    s.on('connect', () => s.write(`${JSON.stringify({ spare: true })}\n`));
    s.on('data', onData);
    s.on('error', () => undefined); // 'close' follows
    s.on('close', () => (clearTimeout(timer), reject(new ZygoteUnavailable('zygote: no spare'))));
  });
}

/** Gives a spare its container: from here on it is that container's shim. */
export function assignSpare(spare: Spare, dir: string): Promise<Ready> {
  if (spare.dead || spare.socket.destroyed) return Promise.reject(new ZygoteUnavailable('zygote: the spare is gone'));
  spare.socket.removeAllListeners('close');
  spare.socket.removeAllListeners('error');
  spare.socket.ref();
  const reply = readShimReply(spare.socket, dir);
  spare.socket.write(`${JSON.stringify({ dir })}\n`);
  return reply;
}
