/**
 * The main job for real: `crosstalk tutorial` runs the user's walk-through on `crosstalkd
 * --sandbox` and every lesson of the walk-through holds on what really happened; afterwards
 * nothing is left in the machine's namespace.
 */
import { after, describe, it } from 'node:test';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { CLI_JS, cleanEnv, run, which } from '../compat/harness.js';
import { skipReason } from './helpers.js';
import { machineSnapshot, processesMentioning } from './linux-daemon.js';

const skip = skipReason(['nft', 'python3']) || (!which('busybox') ? 'busybox missing' : false);

describe('crosstalk tutorial on the real data plane', { skip, timeout: 240_000 }, () => {
  it('prints the real walk-through and meets every expectation', async () => {
    const before = machineSnapshot();
    // Its own TMPDIR: the tutorial's temporary directory (daemon socket, state, shims) is in there.
    const tmp = mkdtempSync(join(tmpdir(), 'ct-tut-test-'));
    after(() => rmSync(tmp, { recursive: true, force: true }));
    const r = await run(process.execPath, [CLI_JS, 'tutorial'], { env: cleanEnv({ TMPDIR: tmp }), timeoutMs: 200_000 });
    assert.equal(r.code, 0, `${r.err}\n${r.out.slice(-2000)}`);
    assert.match(r.out, /^# The walk-through for real: crosstalkd --sandbox/m);
    assert.match(r.out, /\$ docker run -dit --name alpine1 --network alpine-net alpine ash\n[0-9a-f]{64}\n/);
    assert.match(r.out, /PING alpine2 \(172\.24\.0\.3\): 56 data bytes/);
    assert.match(r.out, /all 15 expectations met\n$/);
    assert.doesNotMatch(r.out, /\x1b\[6n|FAIL/);
    assert.doesNotMatch(r.err, /simulation instead/);
    assert.deepEqual(processesMentioning(tmp), []);
    assert.deepEqual(readdirSync(tmp), [], 'the tutorial removes its temporary directory');
    const now = machineSnapshot();
    assert.deepEqual(now.links, before.links);
    assert.equal(now.nft, before.nft);
  });
});
