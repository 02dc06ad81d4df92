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
});
