/**
 * `docker exec` for real: nsenter into every namespace of the container's PID 1 (and its root and
 * a working directory inside it). Without a tty, nsenter runs directly on pipes; with a tty, the
 * shim script in `--exec` mode owns a pty (see shim.py's exec_main).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { FrameDecoder, encodeFrame, type ExecOptions, type ExecProcess } from './types.js';
import { DEFAULT_PATH } from './paths.js';

/** The host argv that runs opts.argv inside the container whose PID 1 is `pid`. */
export function nsenterArgv(pid: number, opts: ExecOptions): string[] {
  const env = opts.env.some((e) => e.startsWith('PATH=')) ? opts.env : [`PATH=${DEFAULT_PATH}`, ...opts.env];
  // nsenter opens the --wd path before it enters the mount namespace, so it must name the
  // directory from the host: /proc/PID/root/... walks into the container's own filesystem.
  const wd = `--wd=/proc/${pid}/root${opts.workdir && opts.workdir !== '/' ? opts.workdir : ''}`;
  // env -i first: nsenter's execvp then looks argv[0] up with the container's PATH, inside its root.
  // -S/-G: nsenter sets uid and gid once inside. It also drops the supplementary groups (it has no
  // option to set them), so root keeps the shim's credentials, whose only group is root's.
  const ids = opts.user && (opts.user.uid !== 0 || opts.user.gid !== 0) ? ['-S', String(opts.user.uid), '-G', String(opts.user.gid)] : [];
  return ['/usr/bin/env', '-i', ...env, '/usr/bin/nsenter', '-t', String(pid), '-m', '-u', '-i', '-n', '-p', '-r', wd, ...ids, '--', ...opts.argv];
}

/** All descendants of pid (nsenter forks once to join the pid namespace). */
function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {}
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

export function execInContainer(pid: number, opts: ExecOptions, python: string, shimScript: string): ExecProcess {
  const argv = nsenterArgv(pid, opts);
  const child = opts.tty
    ? spawn(python, ['-S', '-E', shimScript, '--exec', JSON.stringify({ argv, openStdin: opts.openStdin, ptmx: `/proc/${pid}/root/dev/pts/ptmx` })], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(argv[0], argv.slice(1), { stdio: [opts.openStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const cbs: Array<(stream: 1 | 2, data: Buffer) => void> = [];
  const early: Array<[1 | 2, Buffer]> = [];
  const emit = (stream: 1 | 2, data: Buffer) => {
    if (cbs.length === 0) early.push([stream, data]);
    for (const cb of cbs) cb(stream, data);
  };
  child.stdout!.on('data', (d: Buffer) => emit(1, d));
  child.stderr!.on('data', (d: Buffer) => emit(opts.tty ? 1 : 2, d)); // tty helper's own errors
  child.stdin?.on('error', () => {});
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    // 'close' (not 'exit') so every output chunk has been delivered first.
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
  const sendCtl = (msg: object) => opts.tty && child.stdin?.write(encodeFrame(3, Buffer.from(JSON.stringify(msg))));
  return {
    pid: child.pid ?? -1,
    exited,
    onOutput(cb) {
      cbs.push(cb);
      for (const [s, d] of early.splice(0)) cb(s, d);
    },
    write(data) {
      const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (opts.tty) child.stdin?.write(encodeFrame(0, b));
      else child.stdin?.write(b);
    },
    closeStdin() {
      if (opts.tty) sendCtl({ closeStdin: true });
      else child.stdin?.end();
    },
    resize(rows, cols) {
      sendCtl({ resize: [rows, cols] });
    },
    kill(sig: NodeJS.Signals = 'SIGKILL') {
      // The process that matters is nsenter's child inside the container: signal it first.
      for (const p of [...descendants(child.pid ?? -1).reverse(), child.pid ?? -1]) {
        try {
          process.kill(p, sig);
        } catch {}
      }
    },
  };
}

