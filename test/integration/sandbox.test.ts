/**
 * The sandbox that plays the host for real-networking tests: what is made inside stays inside,
 * and nothing survives its end — not even when the process that made it is killed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Sandbox } from '../../src/platform/linux/sandbox.js';
import { hostLinks, skipReason } from './helpers.js';
import { ROOT } from '../helpers.js';

const skip = skipReason([]);

describe('linux sandbox (a private network namespace playing the host)', { skip }, () => {
  it('keeps bridges and veths inside, and removes them with the sandbox', async () => {
    const before = hostLinks();
    const sb = await Sandbox.create();
    try {
      sb.ipBatch([
        'link add br-ct0test type bridge',
        'link add vethct0a type veth peer name vethct0b',
        'link set vethct0a master br-ct0test',
        'addr add 172.31.250.1/24 dev br-ct0test',
        'link set br-ct0test up',
        'link set vethct0a up',
      ]);
      const inside = sb.ipJson<Array<{ ifname: string; master?: string }>>(['link']);
      assert.deepEqual(inside.map((l) => l.ifname).sort(), ['br-ct0test', 'lo', 'vethct0a', 'vethct0b']);
      assert.equal(inside.find((l) => l.ifname === 'vethct0a')?.master, 'br-ct0test');
      const addrs = sb.ipJson<Array<{ ifname: string; addr_info: Array<{ local: string }> }>>(['addr', 'show', 'dev', 'br-ct0test']);
      assert.equal(addrs[0].addr_info.some((a) => a.local === '172.31.250.1'), true);
      assert.deepEqual(hostLinks(), before, "the machine's own namespace did not change");
    } finally {
      await sb.destroy();
    }
    assert.equal(sb.alive(), false);
    assert.deepEqual(hostLinks(), before);
  });

  it('dies with the process that made it (kill -9)', () => {
    const script = `
      import { Sandbox } from ${JSON.stringify(join(ROOT, 'src/platform/linux/sandbox.ts'))};
      const sb = await Sandbox.create();
      sb.ipBatch(['link add br-ct1test type bridge']);
      console.log(sb.pid);
      process.kill(process.pid, 'SIGKILL');
    `;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: ROOT });
    const pid = Number(res.stdout.trim());
    assert.ok(pid > 0, `child printed no pid: ${res.stderr}`);
    let alive = true;
    for (let i = 0; i < 200 && alive; i++) {
      try {
        process.kill(pid, 0);
        execFileSync('sleep', ['0.01']);
      } catch {
        alive = false;
      }
    }
    assert.equal(alive, false, 'the namespace holder was killed with its parent');
    assert.equal(hostLinks().includes('br-ct1test'), false);
  });
});
