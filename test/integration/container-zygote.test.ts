/**
 * The shim zygote: create() forks shims from one long-lived `shim.py --zygote` per runtime (in the
 * sandbox netns). A forked shim must be indistinguishable from a spawned one (its command line
 * names its dir, so adopt() and cleanup find it), the zygote reaps its children and holds no
 * container namespace, killing it leaves running containers alone and the next create() starts a
 * new one, and an unreachable zygote falls back to spawning. Nothing may be left behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LinuxContainerRuntime } from '../../src/platform/linux/container/runtime.js';
import { shimAliveFor } from '../../src/platform/linux/container/shim-client.js';
import { SHIM_SCRIPT, Testbed } from '../../src/platform/linux/container/testbed.js';
import type { ShimHandle } from '../../src/platform/linux/container/types.js';
import { skipReason } from './helpers.js';

const skip = skipReason(['busybox', 'python3']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** [pid, state] of every process whose parent is `ppid`. */
function childrenOf(ppid: number): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === ppid) out.push([Number(name), f[0]]);
    } catch {}
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(10)) if (cond()) return true;
  return cond();
}

describe('linux container runtime: the shim zygote', { skip }, () => {
  let bed: Testbed;
  let box: ShimHandle;
  let zygote: number;
  const dirOf = (name: string) => join(bed.dir, 'c', name);
  before(async () => {
    bed = await Testbed.create();
  });
  after(async () => {
    if (!bed) return;
    assert.deepEqual(await bed.teardown(), [], 'nothing left behind');
  });

  it('forks shims that look spawned: cmdline names the dir, adopt() finds them, the container runs', async () => {
    box = await bed.create(bed.spec(['sleep', '600'], { dir: dirOf('zbox') }));
    zygote = bed.runtime.zygotePid!;
    assert.ok(zygote > 0, 'a zygote was started');
    const zcmd = readFileSync(`/proc/${zygote}/cmdline`, 'utf8');
    assert.ok(zcmd.includes(join(bed.dir, 'c', '.zygote.sock')), 'the zygote names its socket under <root>/c');
    assert.equal(readlinkSync(`/proc/${zygote}/ns/net`), readlinkSync(bed.sandbox.netnsPath), 'the zygote lives in the sandbox netns');
    assert.deepEqual(childrenOf(zygote).map(([p]) => p), [box.shimPid], 'the shim is the zygote’s child');
    assert.ok(shimAliveFor(box.dir, box.shimPid), 'the shim’s command line names its dir');
    await box.start();
    const adopted = await bed.runtime.adopt(box.dir);
    assert.ok(adopted, 'adopt() finds a zygote-forked shim');
    assert.equal(adopted.shimPid, box.shimPid);
    adopted.close();

    const h = await bed.create(bed.spec(['sh', '-c', 'echo hi from $(hostname)'], { dir: dirOf('zrun') }));
    await h.start();
    assert.equal(await h.exited, 0);
    assert.deepEqual(bed.runtime.readLogs(h.dir).map((l) => l.log), [`hi from ${readFileSync(join(h.dir, 'hostname'), 'utf8').trim()}\n`]);
    assert.equal(bed.runtime.zygotePid, zygote, 'one zygote serves every create()');
  });

  it('reaps its children and holds no container namespace', async () => {
    for (let i = 0; i < 5; i++) {
      const h = await bed.create(bed.spec(['true'], { dir: dirOf(`zt${i}`) }));
      await h.start();
      assert.equal(await h.exited, 0);
    }
    const settled = await until(() => childrenOf(zygote).every(([p]) => p === box.shimPid));
    const kids = childrenOf(zygote);
    assert.ok(settled, `only the running shim is left under the zygote: ${JSON.stringify(kids)}`);
    assert.deepEqual(kids.filter(([, s]) => s === 'Z'), [], 'no zombies');
    const nsLinks = readdirSync(`/proc/${zygote}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${zygote}/fd/${fd}`);
      } catch {
        return '';
      }
    });
    assert.deepEqual(nsLinks.filter((l) => l.startsWith('net:')), [], 'no namespace fd in the zygote');
  });

  it('killing the zygote leaves running containers alone; the next create() starts a new one', async () => {
    process.kill(zygote, 'SIGKILL');
    assert.ok(await until(() => !alive(zygote) && bed.runtime.zygotePid === undefined), 'the zygote is gone');
    assert.ok(shimAliveFor(box.dir, box.shimPid), 'the running container’s shim lives on');
    const again = await bed.runtime.adopt(box.dir);
    assert.ok(again, 'and still answers');
    again.close();

    const h = await bed.create(bed.spec(['true'], { dir: dirOf('zafter') }));
    const fresh = bed.runtime.zygotePid!;
    assert.ok(fresh > 0 && fresh !== zygote, 'a new zygote');
    assert.deepEqual(childrenOf(fresh).map(([p]) => p), [h.shimPid]);
    await h.start();
    assert.equal(await h.exited, 0);

    box.signal('SIGKILL');
    assert.equal(await box.exited, 137);
  });

  it('a spare: made ahead with a namespace of its own, taken by the next container that needs one, ended with the zygote', async () => {
    const netnsFds = (pid: number) =>
      readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return readlinkSync(`/proc/${pid}/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((l) => l.startsWith('net:'));
    const sandboxNs = readlinkSync(bed.sandbox.netnsPath);
    const waitSpare = async () => {
      bed.runtime.warm();
      assert.ok(await until(() => bed.runtime.sparePid !== undefined), 'a spare is made');
      return bed.runtime.sparePid!;
    };
    const z = bed.runtime.zygotePid!;
    const spare = await waitSpare();
    assert.ok(childrenOf(z).some(([p]) => p === spare), 'the spare is the zygote’s child');
    assert.ok(readFileSync(`/proc/${spare}/cmdline`, 'utf8').includes(join(bed.dir, 'c', '.zygote.sock')), 'its command line names the root (cleanup finds it)');
    const held = netnsFds(spare);
    assert.equal(held.length, 1, 'it holds one namespace');
    assert.notEqual(held[0], sandboxNs, 'a fresh one, not the host’s');

    // --network host shares the host's namespace: the spare is not for it.
    const host = await bed.create(bed.spec(['true'], { dir: dirOf('zhost'), sharedNetns: 'host' }));
    assert.notEqual(host.shimPid, spare);
    assert.equal(bed.runtime.sparePid, spare, 'the spare still waits');
    await host.start();
    assert.equal(await host.exited, 0);

    const h = await bed.create(bed.spec(['sh', '-c', 'ip -o link show | cut -d: -f2'], { dir: dirOf('zspare') }));
    assert.equal(h.shimPid, spare, 'the next container with its own namespace gets the spare');
    assert.equal(bed.runtime.sparePid, undefined, 'used up');
    assert.ok(shimAliveFor(h.dir, h.shimPid), 'the command line now names its dir, as any shim’s');
    assert.equal(readlinkSync(h.netnsPath), held[0], 'the container runs in the namespace the spare made');
    await h.start();
    assert.equal(await h.exited, 0);
    assert.deepEqual(bed.runtime.readLogs(h.dir).map((l) => l.log.trim()), ['lo'], 'only lo: nothing of another container');

    // A spare that died meanwhile: create() forks a shim as before.
    const doomed = await waitSpare();
    process.kill(doomed, 'SIGKILL');
    const after = await bed.create(bed.spec(['true'], { dir: dirOf('zdead') }));
    assert.notEqual(after.shimPid, doomed);
    await after.start();
    assert.equal(await after.exited, 0);

    // An unused spare ends with the zygote: nothing keeps its namespace.
    const orphan = await waitSpare();
    process.kill(bed.runtime.zygotePid!, 'SIGKILL');
    assert.ok(await until(() => !alive(orphan)), 'the spare died with the zygote');
  });

  it('falls back to spawning the shim when the zygote cannot be started', async () => {
    // The socket's directory cannot be created (its parent is a file): no zygote.
    const rt = new LinuxContainerRuntime({ shimScript: SHIM_SCRIPT, netnsPath: bed.sandbox.netnsPath, zygoteSocket: join(box.dir, 'config.json', 'z.sock') });
    const h = await rt.create(bed.spec(['sh', '-c', 'exit 4'], { dir: dirOf('zspawn') }));
    bed.handles.push(h);
    assert.equal(rt.zygotePid, undefined);
    assert.ok(childrenOf(process.pid).some(([p]) => p === h.shimPid), 'spawned by us, not forked');
    assert.ok(shimAliveFor(h.dir, h.shimPid));
    assert.ok(!readFileSync(`/proc/${h.shimPid}/cmdline`, 'utf8').includes('--zygote'));
    await h.start();
    assert.equal(await h.exited, 4);
    rt.close();
  });
});
