/**
 * The driver scenarios (test/driver/scenarios.ts) on the real Linux data plane: the real docker
 * CLI against one `crosstalkd --sandbox` (everything inside a private namespace), reused for all
 * scenarios (containers and networks removed between them). Root only; skips with the reason.
 * The last test stops the daemon and asserts nothing is left on the machine.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mismatches, play, SCENARIOS } from './scenarios.js';
import { LinuxTarget, linuxSkipReason } from './target.js';

const skip = linuxSkipReason();

describe('driver scenarios on the real Linux data plane', { skip, timeout: 240_000 }, () => {
  const t = new LinuxTarget();
  before(() => t.start());
  after(() => t.destroy());

  for (const s of SCENARIOS) {
    it(s.name, async () => {
      await t.clean();
      const { built, outcomes } = await play(t, s);
      const bad = mismatches(outcomes);
      assert.equal(bad, '', `scenario "${s.name}" (linux):\n${built.commands.join('\n')}\n${bad}`);
    });
  }

  it('stops cleanly and leaves nothing behind', async () => {
    await t.clean();
    await t.stopAndCheck();
  });
});
