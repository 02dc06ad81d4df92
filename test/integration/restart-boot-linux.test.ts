/**
 * Restart policies across a daemon stop and start on the real data plane: a clean stop (SIGTERM)
 * stops every container and leaves nothing behind, restart policies included (the containers it
 * stops must not be started again by their policy while it shuts down); the next start brings
 * back the containers whose policy covers a daemon shutdown, as dockerd does at boot, and not
 * those stopped by hand or without a policy.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { which } from '../compat/harness.js';
import { skipReason } from './helpers.js';
import { LinuxDaemon, machineSnapshot } from './linux-daemon.js';

const skip = skipReason(['nft', 'python3']) || (!which('docker') ? 'docker CLI missing' : false);

describe('restart policies across a daemon stop and start (linux data plane)', { skip, timeout: 180_000 }, () => {
  const d = new LinuxDaemon();

  after(async () => {
    await d.destroy();
  });

  it('a clean stop leaves nothing behind with restart-policy containers running; the next start brings back what their policy covers', async () => {
    const machine = machineSnapshot();
    await d.start();
    for (const [name, policy] of [['always', 'always'], ['unless', 'unless-stopped'], ['onfail', 'on-failure'], ['plain', 'no'], ['byhand', 'unless-stopped'], ['alwaysbyhand', 'always']]) {
      await d.ok(['run', '-d', '--name', name, '--restart', policy, 'alpine', 'sleep', '1000']);
    }
    // Stopped by hand: unless-stopped stays down at boot; always comes back (a new restart manager).
    await d.ok(['stop', '-t', '0', 'byhand', 'alwaysbyhand']);
    const sandbox = d.sandboxPid();
    assert.equal(await d.stop(), 0);
    // A restart scheduled by the shutdown's kills would start after 100 ms: give it time to show.
    await new Promise((r) => setTimeout(r, 600));
    d.assertNothingLeft(machine, sandbox);

    await d.start();
    const states = async () => d.ok(['ps', '-a', '--format', '{{.Names}} {{.State}}']);
    const want = ['always running', 'alwaysbyhand running', 'byhand exited', 'onfail running', 'plain exited', 'unless running'].join('\n');
    let got = '';
    for (let i = 0; i < 100 && got !== want; i++) {
      got = (await states()).split('\n').sort().join('\n');
      if (got !== want) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(got, want);
    // Started by the daemon, not restarted after an exit: RestartCount stays 0.
    assert.equal(await d.ok(['inspect', '-f', '{{.RestartCount}}', 'always']), '0');
    assert.equal((await d.docker(['exec', 'always', 'true'])).code, 0, 'a real process again');
    const sandbox2 = d.sandboxPid();
    assert.equal(await d.stop(), 0);
    await new Promise((r) => setTimeout(r, 600));
    d.assertNothingLeft(machine, sandbox2);
  });
});
