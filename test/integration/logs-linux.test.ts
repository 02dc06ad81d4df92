/**
 * `docker logs` on the real data plane, driven by the real docker CLI: follow until the container
 * exits, timestamps from the json-file log, tail, since/until, stderr on stderr, a TTY's raw
 * output, and a follower that goes away.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { which } from '../compat/harness.js';
import { skipReason } from './helpers.js';
import { LinuxDaemon } from './linux-daemon.js';

const skip = skipReason(['nft', 'python3']) || (!which('docker') ? 'docker CLI missing' : false);

const TICKER = 'i=0; while [ $i -lt 4 ]; do echo tick $i; i=$((i+1)); sleep 0.3; done';
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (.*)$/;

describe('docker logs on the linux data plane', { skip, timeout: 180_000 }, () => {
  const d = new LinuxDaemon();

  before(async () => {
    await d.start();
  });

  after(async () => {
    await d.docker(['rm', '-f', 'ticker', 'errs', 'ttyc', 'chatty']);
    await d.stop();
    await d.destroy();
  });

  it('follow: every line as it is produced, and the CLI exits when the container does', async () => {
    await d.ok(['run', '-d', '--name', 'ticker', 'alpine', 'sh', '-c', TICKER]);
    const t0 = Date.now();
    const r = await d.docker(['logs', '-f', 'ticker'], 20_000);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'tick 0\ntick 1\ntick 2\ntick 3\n');
    assert.equal(r.err, '');
    // It followed (the ticker runs ~1.2 s) and ended with the container.
    assert.ok(Date.now() - t0 >= 600, `returned after ${Date.now() - t0} ms`);
    assert.equal(await d.ok(['inspect', '-f', '{{.State.Status}}', 'ticker']), 'exited');
    // Follow on a stopped container: the lines so far, then done.
    assert.equal((await d.ok(['logs', '-f', 'ticker'])) + '\n', 'tick 0\ntick 1\ntick 2\ntick 3\n');
  });

  it('timestamps, tail, since and until use the logged times', async () => {
    const stamped = (await d.ok(['logs', '-t', 'ticker'])).split('\n');
    assert.equal(stamped.length, 4);
    const times = stamped.map((l, i) => {
      const m = STAMP.exec(l);
      assert.ok(m, `not stamped: ${l}`);
      assert.equal(m[2], `tick ${i}`);
      return m[1];
    });
    for (let i = 1; i < 4; i++) assert.ok(Date.parse(times[i]) >= Date.parse(times[i - 1]) + 200, `${times[i - 1]} → ${times[i]}`);
    assert.equal(await d.ok(['logs', '--tail', '1', 'ticker']), 'tick 3');
    assert.match(await d.ok(['logs', '-t', '--tail', '2', 'ticker']), new RegExp(`^${times[2]} tick 2\n${times[3]} tick 3$`));
    assert.equal(await d.ok(['logs', '--since', times[2], 'ticker']), 'tick 2\ntick 3');
    assert.equal(await d.ok(['logs', '--until', times[1], 'ticker']), 'tick 0\ntick 1');
    assert.equal(await d.ok(['logs', '--since', times[1], '--until', times[2], 'ticker']), 'tick 1\ntick 2');
  });

  it('stderr lines go to stderr, followed or not', async () => {
    await d.ok(['run', '-d', '--name', 'errs', 'alpine', 'sh', '-c', 'echo out 1; echo err 1 >&2; sleep 0.5; echo out 2; echo err 2 >&2']);
    const f = await d.docker(['logs', '-f', 'errs'], 20_000);
    assert.equal(f.code, 0, f.err);
    assert.equal(f.out, 'out 1\nout 2\n');
    assert.equal(f.err, 'err 1\nerr 2\n');
    const r = await d.docker(['logs', 'errs']);
    assert.equal(r.out, 'out 1\nout 2\n');
    assert.equal(r.err, 'err 1\nerr 2\n');
  });

  it('a TTY container: raw output, followed to its end', async () => {
    await d.ok(['run', '-d', '-t', '--name', 'ttyc', 'alpine', 'sh', '-c', 'echo a; sleep 0.5; echo b']);
    const r = await d.docker(['logs', '-f', 'ttyc'], 20_000);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'a\r\nb\r\n');
  });

  it('a follower that goes away ends its stream; the container runs on', async () => {
    await d.ok(['run', '-d', '--name', 'chatty', 'alpine', 'sh', '-c', 'while true; do echo hi; sleep 0.1; done']);
    const child = spawn('docker', ['logs', '-f', 'chatty'], { env: d.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const closed = new Promise((r) => child.once('close', r));
    for (let i = 0; i < 100 && (out.match(/hi\n/g) ?? []).length < 5; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok((out.match(/hi\n/g) ?? []).length >= 5, `followed output: ${JSON.stringify(out)}`);
    child.kill('SIGKILL');
    await closed;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await d.ok(['inspect', '-f', '{{.State.Status}}', 'chatty']), 'running');
    assert.match(await d.ok(['logs', '--tail', '1', 'chatty']), /^hi$/);
    assert.doesNotMatch(d.logs, /"level":"error"/);
    // --until ahead: the follow stops at that time although the container runs on.
    const until = new Date(Date.now() + 1000).toISOString();
    const u = await d.docker(['logs', '-f', '-t', '--until', until, 'chatty'], 20_000);
    assert.equal(u.code, 0, u.err);
    const last = u.out.trim().split('\n').pop()!;
    assert.ok(Date.parse(STAMP.exec(last)![1]) <= Date.parse(until), `${last} after ${until}`);
    assert.equal(await d.ok(['inspect', '-f', '{{.State.Status}}', 'chatty']), 'running');
    await d.ok(['rm', '-f', 'chatty']);
  });

  it('a stopped and started container keeps its files and its log (each run appends), as with Docker', async () => {
    await d.ok(['run', '-d', '--name', 'keeper', 'alpine', 'sh', '-c', 'echo run; exec sleep 1000']);
    await d.ok(['exec', 'keeper', 'sh', '-c', 'echo persisted > /keep']);
    // `kill` (SIGKILL) answers once the container has exited, as moby's does: a start right after
    // it always starts it again (it used to find it still running, now and then).
    for (let i = 0; i < 5; i++) {
      await d.ok(['kill', 'keeper']);
      assert.equal(await d.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'keeper']), 'exited 137');
      await d.ok(['start', 'keeper']);
      assert.equal(await d.ok(['inspect', '-f', '{{.State.Status}}', 'keeper']), 'running');
    }
    assert.equal(await d.ok(['exec', 'keeper', 'cat', '/keep']), 'persisted');
    await d.ok(['restart', '-t', '0', 'keeper']);
    assert.equal(await d.ok(['exec', 'keeper', 'cat', '/keep']), 'persisted');
    let logs = '';
    for (let i = 0; i < 20 && logs.split('\n').length < 7; i++) {
      logs = await d.ok(['logs', 'keeper']);
      if (logs.split('\n').length < 7) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(logs, 'run\n'.repeat(7).trim());
    // A new container from the same image starts clean.
    assert.notEqual((await d.docker(['run', '--rm', 'alpine', 'cat', '/keep'])).code, 0);
    await d.ok(['rm', '-f', 'keeper']);
  });

  it('restart policies: on-failure:2 restarts a failing container twice (its log has every run); always stops restarting once killed', async () => {
    await d.ok(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'alpine', 'sh', '-c', 'echo run; exit 4']);
    let state = '';
    for (let i = 0; i < 100 && state !== '2 exited 4'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = await d.ok(['inspect', '-f', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}', 'flaky']);
    }
    assert.equal(state, '2 exited 4');
    assert.equal(await d.ok(['inspect', '-f', '{{json .HostConfig.RestartPolicy}}', 'flaky']), '{"Name":"on-failure","MaximumRetryCount":2}');
    assert.equal(await d.ok(['logs', 'flaky']), 'run\nrun\nrun');
    await d.ok(['run', '-d', '--name', 'always', '--restart', 'always', 'alpine', 'sleep', '1000']);
    await d.ok(['kill', 'always']);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await d.ok(['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'always']), '0 exited');
    await d.ok(['rm', '-f', 'flaky', 'always']);
  });

  it('--init: docker-init (tini) is PID 1 and forwards the stop signal, so a shell command stops at once with 143', { skip: existsSync('/usr/bin/tini-static') ? false : 'no /usr/bin/tini-static (Debian package tini; .ci/run installs it)' }, async () => {
    await d.ok(['run', '-d', '--init', '--name', 'tini', 'alpine', 'sleep', '1000']);
    assert.equal(await d.ok(['inspect', '-f', '{{json .HostConfig.Init}}', 'tini']), 'true');
    assert.match(await d.ok(['exec', 'tini', 'ps', '-o', 'pid,args']), /^\s*1 \/sbin\/docker-init -- sleep 1000$/m);
    const t0 = Date.now();
    await d.ok(['stop', 'tini']);
    assert.ok(Date.now() - t0 < 5000, 'stopped by SIGTERM, not after the 10 s timeout');
    assert.equal(await d.ok(['inspect', '-f', '{{.State.ExitCode}}', 'tini']), '143');
    // Exit codes pass through; a missing program is tini's to report (exit 127), as with Docker.
    assert.equal((await d.docker(['run', '--rm', '--init', 'alpine', 'sh', '-c', 'exit 5'])).code, 5);
    const missing = await d.docker(['run', '--rm', '--init', 'alpine', 'nosuch']);
    assert.deepEqual([missing.code, missing.err.trim()], [127, '[FATAL tini (2)] exec nosuch failed: No such file or directory']);
    await d.ok(['rm', 'tini']);
  });
});
