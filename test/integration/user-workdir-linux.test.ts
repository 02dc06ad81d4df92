/**
 * `--user` and `--workdir` on the real data plane, driven by the real docker CLI: who the main
 * process and an exec run as (the container's own passwd and group), where they start, HOME, the
 * image's USER and WORKDIR from `docker load`, and Docker's errors for what cannot be resolved.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from '../compat/harness.js';
import { skipReason } from './helpers.js';
import { LinuxDaemon, machineSnapshot, type MachineSnapshot } from './linux-daemon.js';

const skip = skipReason(['nft', 'python3']) || (!which('docker') ? 'docker CLI missing' : false);

describe('--user and --workdir on the linux data plane', { skip, timeout: 180_000 }, () => {
  const d = new LinuxDaemon();
  let machine: MachineSnapshot;

  before(async () => {
    machine = machineSnapshot();
    await d.start();
  });

  after(async () => {
    await d.destroy();
  });

  it('the main process runs as --user, resolved in the image\'s passwd and group, in --workdir', async () => {
    assert.equal(await d.ok(['run', '--rm', 'alpine', 'sh', '-c', 'id; pwd; echo $HOME']), 'uid=0(root) gid=0(root) groups=0(root),10(wheel)\n/\n/root');
    assert.equal(await d.ok(['run', '--rm', '-u', 'nobody', 'alpine', 'sh', '-c', 'id; echo $HOME']), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n/home');
    assert.equal(await d.ok(['run', '--rm', '-u', '1234:5678', 'alpine', 'sh', '-c', 'id; echo $HOME']), 'uid=1234 gid=5678 groups=5678\n/');
    assert.equal(await d.ok(['run', '--rm', '-u', 'nobody:root', 'alpine', 'id']), 'uid=65534(nobody) gid=0(root) groups=0(root)');
    // A working directory that the image lacks is created, as Docker does.
    assert.equal(await d.ok(['run', '--rm', '-w', '/srv/app', 'alpine', 'pwd']), '/srv/app');
    // Not root: writing to / is refused by the kernel, so the switch really happened.
    const denied = await d.docker(['run', '--rm', '-u', 'nobody', 'alpine', 'touch', '/x']);
    assert.equal(denied.code, 1);
    assert.match(denied.err, /touch: \/x: Permission denied/);
  });

  it('the simulator and the real plane agree on whoami: a uid without a passwd entry, and the image\'s own accounts', async () => {
    const r = await d.docker(['run', '--rm', '-u', '4242', 'alpine', 'whoami']);
    assert.equal(r.code, 1);
    assert.equal(r.err.trim(), 'whoami: unknown uid 4242');
    // busybox's skeleton accounts (the simulator's busybox image has the same files).
    assert.equal(await d.ok(['run', '--rm', '-u', 'daemon', 'busybox', 'whoami']), 'daemon');
    assert.equal(await d.ok(['run', '--rm', '-u', '33', 'busybox', 'whoami']), 'www-data');
  });

  it('inspect shows Config.User and Config.WorkingDir; exec defaults to them and overrides them', async () => {
    await d.ok(['run', '-d', '--name', 'svc', '-u', 'nobody', '-w', '/tmp', 'alpine', 'sleep', '1000']);
    assert.equal(await d.ok(['inspect', '-f', '{{.Config.User}} {{.Config.WorkingDir}}', 'svc']), 'nobody /tmp');
    assert.equal(await d.ok(['exec', 'svc', 'sh', '-c', 'id -u; id -g; pwd; echo $HOME']), '65534\n65534\n/tmp\n/home');
    assert.equal(await d.ok(['exec', '-u', 'root', '-w', '/etc', 'svc', 'sh', '-c', 'id -u; pwd; echo $HOME']), '0\n/etc\n/root');
    assert.equal(await d.ok(['exec', '-u', '1000:1000', 'svc', 'id', '-u']), '1000');
    // PID 1 really is nobody's.
    assert.equal(await d.ok(['exec', 'svc', 'sh', '-c', "awk '/^Uid:/ {print $2}' /proc/1/status"]), '65534');
    const bad = await d.docker(['exec', '-u', 'nosuch', 'svc', 'id']);
    assert.equal(bad.code, 126);
    // moby writes a failed exec's error to the exec's stdout, ending "\r\n".
    assert.deepEqual([bad.out, bad.err], ['unable to find user nosuch: no matching entries in passwd file\r\n', '']);
    await d.ok(['rm', '-f', 'svc']);
  });

  it("an unknown user fails the start with Docker's text and leaves the container created; a relative workdir is refused at create", async () => {
    const r = await d.docker(['run', '--name', 'ghost', '-u', 'nosuch', 'alpine', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.err, /Error response from daemon: unable to find user nosuch: no matching entries in passwd file/);
    assert.equal(await d.ok(['inspect', '-f', '{{.State.Status}}', 'ghost']), 'created');
    const g = await d.docker(['start', 'ghost']);
    assert.equal(g.code, 1);
    assert.match(g.err, /unable to find user nosuch: no matching entries in passwd file/);
    assert.match((await d.docker(['run', '--rm', '-u', 'nobody:nosuch', 'alpine', 'true'])).err, /unable to find group nosuch: no matching entries in group file/);
    await d.ok(['rm', 'ghost']);

    const before = await d.ok(['ps', '-aq']);
    const rel = await d.docker(['run', '--name', 'relwd', '-w', 'tmp', 'alpine', 'pwd']);
    assert.equal(rel.code, 125);
    assert.match(rel.err, /Error response from daemon: the working directory 'tmp' is invalid, it needs to be an absolute path/);
    assert.equal(await d.ok(['ps', '-aq']), before, 'no container was created');
  });

  it("a loaded image's USER and WORKDIR are the defaults; --user and --workdir override them", async () => {
    const dir = join(d.dir, 'img');
    const root = join(dir, 'root');
    for (const sub of ['bin', 'etc', 'srv']) mkdirSync(join(root, sub), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
    for (const applet of ['sh', 'id', 'pwd']) symlinkSync('busybox', join(root, 'bin', applet));
    copyFileSync('/bin/busybox', join(root, 'bin', 'echo')); // a copy (busybox picks the applet by name) only root may run
    chmodSync(join(root, 'bin', 'echo'), 0o700);
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/srv:/bin/sh\n');
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\napp:x:1000:\nstaff:x:50:app\n');
    mkdirSync(join(dir, 'archive', 'l1'), { recursive: true });
    execFileSync('tar', ['-C', root, '-cf', join(dir, 'archive', 'l1', 'layer.tar'), '.']);
    writeFileSync(join(dir, 'archive', 'config.json'), JSON.stringify({ config: { Cmd: ['sh', '-c', 'id; pwd; echo $HOME'], Env: ['PATH=/bin'], User: 'app', WorkingDir: '/srv' } }));
    writeFileSync(join(dir, 'archive', 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: ['demo/app:1'], Layers: ['l1/layer.tar'] }]));
    execFileSync('tar', ['-C', join(dir, 'archive'), '-cf', join(dir, 'app.tar'), 'manifest.json', 'config.json', 'l1/layer.tar']);
    assert.equal(await d.ok(['load', '-i', join(dir, 'app.tar')]), 'Loaded image: demo/app:1');
    assert.equal(await d.ok(['run', '--rm', 'demo/app:1']), 'uid=1000(app) gid=1000(app) groups=50(staff),1000(app)\n/srv\n/srv', 'the kernel keeps groups sorted');
    assert.equal(await d.ok(['run', '--rm', '-u', 'root', '-w', '/', 'demo/app:1']), 'uid=0(root) gid=0(root) groups=0(root)\n/\n/root');
    // The kernel refuses the exec (the daemon's check cannot know): the start fails as Docker's
    // does, the container is Created again with exit code 126, and an --rm one is gone.
    const denied = await d.docker(['run', '--name', 'denied', 'demo/app:1', 'echo', 'hi'], 20_000);
    assert.equal(denied.code, 126);
    assert.match(denied.err, /Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "echo": permission denied: unknown/);
    assert.equal(await d.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}}', 'denied']), 'created 126 0');
    assert.equal(await d.ok(['run', '--rm', '-u', 'root', 'demo/app:1', 'echo', 'root may']), 'root may');
    const gone = await d.docker(['run', '--rm', '--name', 'denied2', 'demo/app:1', 'echo', 'hi'], 20_000);
    assert.equal(gone.code, 126, 'the CLI returns (it waited forever when the container stayed running)');
    assert.equal((await d.docker(['inspect', 'denied2'])).code, 1, 'the --rm container is removed');
    await d.ok(['rm', 'denied']);
    await d.ok(['create', '--name', 'app1', 'demo/app:1']);
    assert.equal(await d.ok(['inspect', '-f', '{{.Config.User}} {{.Config.WorkingDir}}', 'app1']), 'app /srv');
    await d.ok(['rm', 'app1']);
  });

  it('a program runc cannot start: found as exec.LookPath finds it, with runc\'s reasons and the CLI\'s exit codes', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['nosuch'], 127, /exec: "nosuch": executable file not found in \$PATH: unknown/],
      [['/opt/nosuch'], 127, /exec: "\/opt\/nosuch": stat \/opt\/nosuch: no such file or directory: unknown/],
      [['/etc/passwd'], 126, /exec: "\/etc\/passwd": permission denied: unknown/],
      [['/etc'], 126, /exec: "\/etc": permission denied: unknown/],
    ];
    for (const [argv, code, text] of cases) {
      const r = await d.docker(['run', '--rm', 'alpine', ...argv], 20_000);
      assert.equal(r.code, code, `${argv[0]}: ${r.err}`);
      assert.match(r.err, text);
    }
    await d.ok(['run', '-d', '--name', 'ex', 'alpine', 'sleep', '1000']);
    const e = await d.docker(['exec', 'ex', '/etc/passwd']);
    assert.equal(e.code, 126);
    assert.deepEqual([e.out, e.err], ['OCI runtime exec failed: exec failed: unable to start container process: exec: "/etc/passwd": permission denied: unknown\r\n', '']);
    await d.ok(['rm', '-f', 'ex']);
  });

  it('stops cleanly and leaves nothing behind', async () => {
    const sandbox = d.sandboxPid();
    assert.equal(await d.stop(), 0);
    d.assertNothingLeft(machine, sandbox);
  });
});
