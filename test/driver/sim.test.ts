/**
 * The driver scenarios (test/driver/scenarios.ts) on the simulator: the crosstalk CLI in-process,
 * busybox commands simulated from the network model. linux.test.ts plays the same scenarios on
 * the real data plane.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mismatches, play, SCENARIOS } from './scenarios.js';
import { SimTarget } from './target.js';

describe('driver scenarios on the simulator', () => {
  for (const s of SCENARIOS) {
    it(s.name, async () => {
      const t = new SimTarget();
      const { built, outcomes } = await play(t, s);
      const bad = mismatches(outcomes);
      assert.equal(bad, '', `scenario "${s.name}" (sim):\n${built.commands.join('\n')}\n${bad}`);
    });
  }
});
