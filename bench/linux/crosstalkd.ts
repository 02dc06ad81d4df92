/**
 * `crosstalkd --sandbox` for the Linux-plane benchmark: the real data plane inside the private
 * namespace the daemon creates (it plays the host), on a temp socket and state dir, with debug
 * logs kept so that the `network sync` lines (network-setup time per transaction) can be read.
 * stop(): SIGTERM (the daemon ends its containers and the sandbox), then `--cleanup` with the
 * same arguments in any case, then the temp dir goes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, DAEMON_JS, httpUnix } from '../../test/compat/harness.js';

export interface SandboxDaemon {
  env: Record<string, string>;
  /** Length of the log so far: a mark for syncMs(). */
  mark(): number;
  /** `ms` of the `network sync` lines logged since `from` (a mark). */
  syncMs(from: number, to?: number): number[];
  stop(): Promise<void>;
}

export async function startSandboxDaemon(): Promise<SandboxDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-linux-'));
  mkdirSync(join(dir, 'dc'));
  const sock = join(dir, 's.sock');
  const flags = ['--sandbox', '-H', `unix://${sock}`, '--state-dir', join(dir, 'state'), '--pidfile', join(dir, 'd.pid')];
  const child = spawn(process.execPath, [DAEMON_JS, ...flags, '--log-level', 'debug'], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (log += s));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    }
    const r = spawnSync(process.execPath, [DAEMON_JS, ...flags, '--cleanup'], { encoding: 'utf8' });
    if (r.status !== 0) console.error(`crosstalkd --cleanup failed: ${r.stderr}`);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`crosstalkd --sandbox exited during start-up:\n${log}`);
    }
    if (existsSync(sock) && (await httpUnix(sock, 'GET', '/_ping').catch(() => undefined))?.status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`crosstalkd --sandbox did not answer within 20 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    env: cleanEnv({ DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: join(dir, 'dc') }),
    mark: () => log.length,
    syncMs(from, to) {
      return log
        .slice(from, to)
        .split('\n')
        .filter((l) => l.includes('"msg":"network sync"'))
        .map((l) => (JSON.parse(l) as { ms: number }).ms);
    },
    stop,
  };
}
