/**
 * The real container runtime inside a sandbox: one shim per container (namespaces, overlay rootfs,
 * pty, json-file logs, exit codes), exec, attach, stop semantics, adopt after a daemon "restart",
 * and the container dying with a SIGKILLed shim. Nothing may be left behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Testbed, processesMentioning } from '../../src/platform/linux/container/testbed.js';
import type { ExecProcess, ShimHandle } from '../../src/platform/linux/container/types.js';
import { skipReason } from './helpers.js';

const skip = skipReason(['busybox', 'python3']);

async function collect(p: ExecProcess): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  p.onOutput((s, d) => (s === 1 ? (out += d.toString()) : (err += d.toString())));
  const code = await p.exited;
  return { code, out, err };
}

function waitFor(get: () => string, re: RegExp, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (re.test(get())) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${re}; got ${JSON.stringify(get())}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('linux container runtime (shim) inside a sandbox', { skip }, () => {
  let bed: Testbed;
  before(async () => {
    bed = await Testbed.create();
  });
  after(async () => {
    if (!bed) return;
    assert.deepEqual(await bed.teardown(), [], 'nothing left behind');
  });

  it('runs a process to completion: logs, exit code 3, files', async () => {
    const h = await bed.create(bed.spec(['sh', '-c', 'echo hello; echo err >&2; exit 3']));
    assert.match(h.netnsPath, /^\/proc\/\d+\/fd\/\d+$/);
    const pid = await h.start();
    assert.ok(pid > 0);
    assert.equal(await h.exited, 3);
    assert.equal(bed.runtime.readExitCode(h.dir), 3);
    const logs = bed.runtime.readLogs(h.dir);
    assert.deepEqual(logs.map((l) => [l.stream, l.log]), [['stdout', 'hello\n'], ['stderr', 'err\n']]);
    assert.match(logs[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  let box: ShimHandle;
  it('isolates a running container: hostname, files, PID 1, only lo; a veth moved into netnsPath shows up', async () => {
    const spec = bed.spec(['sleep', '600']);
    box = await bed.create(spec);
    await box.start();
    const run = (argv: string[], workdir?: string) => collect(bed.runtime.exec(box.pid!, { argv, env: ['PATH=/bin:/usr/bin:/sbin:/usr/sbin'], workdir, tty: false, openStdin: false }));
    assert.deepEqual(await run(['hostname']), { code: 0, out: `${spec.hostname}\n`, err: '' });
    assert.equal((await run(['cat', '/etc/hosts'])).out, spec.files.hosts);
    assert.equal((await run(['cat', '/etc/resolv.conf'])).out, spec.files.resolvConf);
    assert.equal((await run(['pwd'], '/tmp')).out, '/tmp\n');
    const ps = (await run(['ps', '-o', 'pid,args'])).out;
    assert.match(ps, /^\s*1 sleep 600$/m, ps);
    assert.deepEqual((await run(['ls', '/sys/class/net'])).out.split(/\s+/).filter(Boolean), ['lo']);
    const code = await run(['sh', '-c', 'exit 7']);
    assert.equal(code.code, 7);
    // The daemon's job, done by hand: a veth pair in the sandbox host, one end moved in.
    bed.sandbox.exec(['ip', 'link', 'add', 'vct0', 'type', 'veth', 'peer', 'name', 'vct1']);
    bed.sandbox.exec(['ip', 'link', 'set', 'vct1', 'netns', box.netnsPath]);
    assert.match((await run(['ip', '-o', 'link'])).out, /vct1@/);
    assert.match(bed.sandbox.exec(['nsenter', `--net=${box.netnsPath}`, 'ip', '-o', 'link']), /vct1@/);
  });

  it('exec with a tty: a pty of the container\'s own devpts, named as inside it', async () => {
    const p = bed.runtime.exec(box.pid!, { argv: ['sh', '-c', '[ -t 0 ] && echo is-a-tty; stty size; tty; ls /dev/pts'], env: [], tty: true, openStdin: false });
    const r = await collect(p);
    assert.equal(r.code, 0);
    // box has no tty, so the exec's pty is the first of its devpts instance, as under Docker.
    assert.match(r.out, /is-a-tty\r\n24 80\r\n\/dev\/pts\/0\r\n0\s+ptmx\r\n/);
  });

  it('stop: PID 1 sh ignores SIGTERM -> SIGKILL after the timeout (137); a TERM trap exits 143 at once', async () => {
    const t0 = Date.now();
    assert.equal(await box.stop(1), 137);
    const took = Date.now() - t0;
    assert.ok(took >= 950 && took < 2000, `took ${took} ms`);
    const trap = await bed.create(bed.spec(['sh', '-c', 'trap "exit 143" TERM; echo ready; while :; do sleep 0.05; done']));
    await trap.start();
    await waitFor(() => bed.runtime.readLogs(trap.dir).map((l) => l.log).join(''), /ready/);
    const t1 = Date.now();
    assert.equal(await trap.stop(10), 143);
    assert.ok(Date.now() - t1 < 1000, `took ${Date.now() - t1} ms`);
  });

  it('-t interactive sh: attach, type, pty echo, resize', async () => {
    const h = await bed.create(bed.spec(['sh'], { tty: true, openStdin: true }));
    const a = h.attach() as ReturnType<ShimHandle['attach']> & { ready: Promise<void> };
    let out = '';
    a.onOutput((_s, d) => (out += d.toString()));
    await a.ready;
    await h.start();
    a.write('echo hi\n');
    await waitFor(() => out, /echo hi\r\nhi\r\n/);
    h.resize(33, 101);
    a.write('stty size\n');
    await waitFor(() => out, /33 101\r\n/);
    // Its pty belongs to the container's devpts: `tty` names it (not "not a tty").
    a.write('tty; ls -l /proc/self/fd/0\n');
    await waitFor(() => out, /\r\n\/dev\/pts\/0\r\n.*-> \/dev\/pts\/0\r\n/);
    // A second attach client sees the same output; the first one detaches.
    const b = h.attach() as typeof a;
    let outB = '';
    b.onOutput((_s, d) => (outB += d.toString()));
    await b.ready;
    a.detach();
    b.write('exit 5\n');
    assert.equal(await h.exited, 5);
    assert.match(outB, /exit 5/);
    assert.match(bed.runtime.readLogs(h.dir).map((l) => l.log).join(''), /hi\r\n/);
  });

  it('adopt after the daemon drops its connection; signals still work', async () => {
    const h = await bed.create(bed.spec(['sleep', '600']));
    const pid = await h.start();
    h.close();
    const again = await bed.runtime.adopt(h.dir);
    assert.ok(again, 'adopted');
    bed.handles.push(again);
    assert.equal(again.pid, pid);
    assert.equal(again.netnsPath, h.netnsPath);
    assert.throws(() => bed.runtime.remove(h.dir), /still running/);
    // sleep as PID 1 has no TERM handler, so the kernel ignores SIGTERM: SIGKILL after 1 s.
    assert.equal(await again.stop(1), 137);
    assert.equal(await bed.runtime.adopt(h.dir), undefined, 'gone after exit');
  });

  it('kill -9 of the shim takes the container with it', async () => {
    const h = await bed.create(bed.spec(['sleep', '600']));
    const pid = await h.start();
    process.kill(h.shimPid, 'SIGKILL');
    assert.equal(await h.exited, 137);
    // Dead: gone, or a zombie waiting for the machine's init to reap it (PPid 1).
    const state = () => {
      try {
        return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 'gone';
      } catch {
        return 'gone';
      }
    };
    for (let i = 0; i < 100 && !['gone', 'Z'].includes(state()); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(['gone', 'Z'].includes(state()), `container process state ${state()}`);
    assert.deepEqual(processesMentioning(h.dir), []);
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(bed.dir));
  });
});
