/**
 * `crosstalk tutorial` for real: a `crosstalkd --sandbox` (linux data plane inside a private
 * network namespace) on a temporary socket and state directory, the walk-through's commands run
 * through it with crosstalk's CLI, then a summary that checks each lesson on what really
 * happened. Everything is removed afterwards. Where the real plane cannot run, says why and runs
 * the simulation instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispatch } from '../cli/main.js';
import type { CommandContext } from '../cli/command.js';
import { createContext } from '../cli/context.js';
import type { Io } from '../cli/io.js';
import { LEFTOVER_COMPOSE_PROJECTS, leftoverNetworkArgv } from '../cli/tutorial.js';
import { checkWalkthrough, renderExpectations, runWalkthroughSteps } from '../cli/walkthrough-check.js';
import { linuxSupport } from './linux/sandbox-host.js';
import { SocketTransport } from './socket-transport.js';
import { isStaticElf } from '../platform/linux/container/image.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Why the real walk-through cannot run here (undefined: it can). */
export function realTutorialProblem(): string | undefined {
  const why = linuxSupport();
  if (why) return why;
  if (!existsSync('/bin/busybox') || !isStaticElf('/bin/busybox')) return 'no statically linked /bin/busybox for the container image (Debian: apt-get install busybox-static)';
  return undefined;
}

async function waitForDaemon(socket: string, daemon: ChildProcess, logFile: string): Promise<void> {
  const transport = new SocketTransport({ socketPath: socket }, `unix://${socket}`);
  for (let i = 0; i < 300; i++) {
    if (daemon.exitCode !== null) throw new Error(`crosstalkd exited (${daemon.exitCode}): ${readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join('\n')}`);
    if (existsSync(socket)) {
      const ok = await transport.send('HEAD', '/_ping').then((r) => r.status === 200, () => false);
      if (ok) return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('crosstalkd did not come up within 15 s');
}

async function stopDaemon(daemon: ChildProcess, args: string[]): Promise<void> {
  if (daemon.exitCode === null) {
    const exited = new Promise((r) => daemon.once('exit', r));
    daemon.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    // The timer is cleared once the daemon exited: left pending, it would hold the CLI for 20 s.
    const done = await Promise.race([exited.then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), 20_000)))]);
    clearTimeout(timer);
    if (!done) {
      daemon.kill('SIGKILL');
      await exited;
    }
  }
  // Whatever a killed daemon left in its sandbox goes too.
  spawnSync(process.execPath, [join(here, 'crosstalkd.js'), ...args, '--cleanup'], { stdio: 'ignore' });
}

export async function runRealTutorial(io: Io, env: Record<string, string | undefined>, fallback: () => Promise<number>): Promise<number> {
  const problem = realTutorialProblem();
  if (problem) {
    io.stderr(`crosstalk tutorial: the real data plane cannot run here (${problem}); running the simulation instead (crosstalk tutorial --sim)\n`);
    return fallback();
  }
  const dir = mkdtempSync(join(tmpdir(), 'ct-tutorial-'));
  const socket = join(dir, 'crosstalk.sock');
  const logFile = join(dir, 'crosstalkd.log');
  const args = ['--sandbox', '--compat', 'legacy', '-H', `unix://${socket}`, '--state-dir', join(dir, 'state'), '--pidfile', join(dir, 'crosstalkd.pid'), '--log-level', 'warn'];
  const daemon = spawn(process.execPath, [join(here, 'crosstalkd.js'), ...args], { stdio: ['ignore', 'ignore', openSync(logFile, 'a')], env: { ...process.env, CROSSTALK_SEED: undefined } });
  const cleanup = () => {
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
  };
  process.once('exit', cleanup);
  try {
    await waitForDaemon(socket, daemon, logFile);
    io.stdout('# The walk-through for real: crosstalkd --sandbox (Linux bridges, veths, nftables and busybox containers inside a private network namespace)\n');
    io.stdout("# Engine 26 behaviour (--compat legacy), as in the walk-through's transcript: MACs from IPs (02:42:…), rotating subnets. A daemon started without it behaves as Engine 28.2.\n");
    const transport = new SocketTransport({ socketPath: socket }, `unix://${socket}`);
    const contextFor = (cio: Io): CommandContext => createContext(cio, undefined as never, env, transport);
    const quiet: Io = { stdinIsTty: false, stdout: () => {}, stderr: (s) => io.stderr(s), readLine: async () => null };
    for (const project of LEFTOVER_COMPOSE_PROJECTS) {
      const code = await dispatch(contextFor(quiet), leftoverNetworkArgv(project));
      if (code !== 0) return code;
    }
    const results = await runWalkthroughSteps(io, contextFor, { waitForPrompt: true });
    const checks = checkWalkthrough(results);
    io.stdout(renderExpectations(checks));
    return checks.every((c) => c.ok) ? 0 : 1;
  } catch (err) {
    io.stderr(`crosstalk tutorial: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await stopDaemon(daemon, args);
    process.off('exit', cleanup);
    rmSync(dir, { recursive: true, force: true });
  }
}
