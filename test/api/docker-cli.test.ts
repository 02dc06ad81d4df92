/**
 * Smoke test with the real docker CLI against crosstalkd on a private socket (the full docker
 * CLI, dockerode and compose suites live in test/compat). Skips when docker is not installed,
 * unless CROSSTALK_COMPAT_REQUIRED=1 (CI), where a missing client fails.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DAEMON_JS, startDaemon, type Daemon } from './daemon-helpers.js';

const docker = (process.env.PATH ?? '')
  .split(delimiter)
  .filter(Boolean)
  .map((dir) => join(dir, 'docker'))
  .find((p) => existsSync(p));
const reason = !existsSync(DAEMON_JS) ? `${DAEMON_JS} is not built (npm run build)` : !docker ? 'the docker CLI is not installed' : undefined;
if (reason && process.env.CROSSTALK_COMPAT_REQUIRED === '1') throw new Error(`docker CLI smoke test cannot run: ${reason}`);

function run(daemon: Daemon, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const config = join(daemon.dir, 'docker-config');
  mkdirSync(config, { recursive: true });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(DOCKER_|CROSSTALK_)/.test(k)) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(docker!, args, { env: { ...env, DOCKER_HOST: `unix://${daemon.socket}`, DOCKER_CONFIG: config }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker ${args.join(' ')} timed out\n${out}\n${err}`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

describe('the real docker CLI against crosstalkd', { skip: reason ?? false }, () => {
  let daemon: Daemon;
  before(async () => {
    daemon = await startDaemon();
  });
  after(async () => {
    await daemon?.cleanup();
  });

  test('docker network ls', async () => {
    const r = await run(daemon, ['network', 'ls']);
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0], /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s+/).slice(1)),
      [
        ['bridge', 'bridge', 'local'],
        ['host', 'host', 'local'],
        ['none', 'null', 'local'],
      ],
    );
  });

  test('docker run -dit --name a1 alpine ash, then docker exec a1 hostname', async () => {
    const run1 = await run(daemon, ['run', '-dit', '--name', 'a1', 'alpine', 'ash']);
    assert.equal(run1.code, 0, run1.err);
    assert.match(run1.out, /^[0-9a-f]{64}\n$/);
    const id = run1.out.trim();
    const exec = await run(daemon, ['exec', 'a1', 'hostname']);
    assert.equal(exec.code, 0, exec.err);
    assert.equal(exec.out, `${id.slice(0, 12)}\n`);
    const failing = await run(daemon, ['exec', 'a1', 'sh', '-c', 'echo oops >&2; exit 3']);
    assert.equal(failing.code, 3);
    assert.equal(failing.err, 'oops\n');
    const ps = await run(daemon, ['ps', '--format', '{{.Names}} {{.Image}} {{.Command}} {{.State}}']);
    assert.equal(ps.out, 'a1 alpine "ash" running\n');
  });

  test('docker run of an image crosstalk does not simulate fails clearly (exit 125)', async () => {
    const r = await run(daemon, ['run', '--rm', 'nosuchimage']);
    assert.equal(r.code, 125);
    assert.match(r.err, /^Unable to find image 'nosuchimage:latest' locally\n/);
    assert.match(r.err, /docker: Error response from daemon: pull access denied for nosuchimage: crosstalk's simulated data plane has no registry; the images it simulates are: alpine/);
  });

  test('docker run --rm on a network that does not exist: the start error, exit 125, and the container is gone (no hang)', async () => {
    for (const detach of [[], ['-d']]) {
      const r = await run(daemon, ['run', ...detach, '--rm', '--name', 'lost', '--network', 'nope', 'alpine', 'true']);
      assert.equal(r.code, 125, r.err);
      assert.match(r.err, /network nope not found/);
      assert.doesNotMatch((await run(daemon, ['ps', '-a', '--format', '{{.Names}}'])).out, /lost/);
    }
  });

  test('docker swarm init / leave: a single-node swarm for overlay networks (swarm-overlay-not-attachable)', async () => {
    const init = await run(daemon, ['swarm', 'init', '--advertise-addr', '10.0.2.15']);
    assert.equal(init.code, 0, init.err);
    const id = /^Swarm initialized: current node \(([0-9a-z]{25})\) is now a manager\.\n\nTo add a worker to this swarm, run the following command:\n\n    docker swarm join --token SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25} 10\.0\.2\.15:2377\n\nTo add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions\.\n$/.exec(init.out)?.[1];
    assert.ok(id, init.out);
    assert.equal((await run(daemon, ['info', '-f', '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{.Swarm.NodeAddr}}'])).out, `active ${id} 10.0.2.15\n`);
    assert.match((await run(daemon, ['node', 'ls', '--format', '{{.ID}} {{.Self}} {{.ManagerStatus}}'])).out, new RegExp(`^${id} true Leader\n$`));
    const again = await run(daemon, ['swarm', 'init']);
    assert.deepEqual([again.code, again.err], [1, 'Error response from daemon: This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.\n']);
    // The handed case: a non-attachable overlay refuses a plain container; an attachable one takes it.
    assert.equal((await run(daemon, ['network', 'create', '-d', 'overlay', 'my-s'])).code, 0);
    const refused = await run(daemon, ['run', '--rm', '--network', 'my-s', 'alpine', 'true']);
    assert.equal(refused.code, 125);
    assert.match(refused.err, /Could not attach to network my-s: rpc error: code = PermissionDenied desc = network my-s not manually attachable/);
    assert.equal((await run(daemon, ['network', 'create', '-d', 'overlay', '--attachable', 'my-a'])).code, 0);
    assert.equal((await run(daemon, ['run', '-d', '--name', 'on-overlay', '--network', 'my-a', 'alpine', 'sleep', '1d'])).code, 0);
    const leave = await run(daemon, ['swarm', 'leave']);
    assert.equal(leave.code, 1);
    assert.match(leave.err, /^Error response from daemon: You are attempting to leave the swarm on a node that is participating as a manager\. Removing the last manager erases all current state of the swarm\. Use `--force` to ignore this message\.\n$/);
    assert.deepEqual(await run(daemon, ['swarm', 'leave', '--force']), { code: 0, out: 'Node left the swarm.\n', err: '' });
    // The swarm-scope networks went with it (docker_gwbridge stays); the container left them.
    assert.doesNotMatch((await run(daemon, ['network', 'ls', '--format', '{{.Name}}'])).out, /my-s|my-a|ingress/);
    assert.equal((await run(daemon, ['inspect', '-f', '{{len .NetworkSettings.Networks}}', 'on-overlay'])).out, '0\n');
    const gone = await run(daemon, ['node', 'ls']);
    assert.deepEqual([gone.code, gone.err], [1, 'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.\n']);
    assert.equal((await run(daemon, ['rm', '-f', 'on-overlay'])).code, 0);
    // docker_gwbridge stayed; a new swarm uses it again.
    assert.equal((await run(daemon, ['swarm', 'init'])).code, 0);
    assert.deepEqual(await run(daemon, ['swarm', 'leave', '--force']), { code: 0, out: 'Node left the swarm.\n', err: '' });
  });
});
