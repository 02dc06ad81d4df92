/**
 * The tutorial's lesson checks, run on the simulator's walk-through: every lesson holds there too,
 * and a check notices when its lesson does not hold (the checks can fail).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EngineHost } from '../src/cli/engine-host.js';
import { createContext } from '../src/cli/context.js';
import { dispatch } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import { LEFTOVER_COMPOSE_PROJECTS, leftoverNetworkArgv } from '../src/cli/tutorial.js';
import { checkWalkthrough, renderExpectations, runWalkthroughSteps } from '../src/cli/walkthrough-check.js';
import { SeededRandom, SteppingClock } from '../src/core/ports.js';
import { DEFAULT_HOST } from '../src/engine/model.js';
import { MemoryStore } from '../src/store/store.js';

async function simulatedRun() {
  const host = new EngineHost({ store: new MemoryStore(), clock: new SteppingClock(0n), random: new SeededRandom(1), profile: 'legacy', host: DEFAULT_HOST, seed: 1 });
  host.reset('legacy');
  const quiet: Io = { stdinIsTty: false, stdout: () => {}, stderr: () => {}, readLine: async () => null };
  for (const p of LEFTOVER_COMPOSE_PROJECTS) assert.equal(await dispatch(createContext(quiet, host, {}), leftoverNetworkArgv(p)), 0);
  let printed = '';
  const out: Io = { stdinIsTty: false, stdout: (s) => (printed += s), stderr: (s) => (printed += s), readLine: async () => null };
  const results = await runWalkthroughSteps(out, (io) => createContext(io, host, {}), { waitForPrompt: false });
  return { results, printed };
}

describe('walk-through lesson checks', () => {
  it('hold on the simulated walk-through', async () => {
    const { results } = await simulatedRun();
    const checks = checkWalkthrough(results);
    assert.equal(checks.length, 15);
    assert.deepEqual(checks.filter((c) => !c.ok), [], renderExpectations(checks));
  });

  it('fail when what happened contradicts the lesson', async () => {
    const { results } = await simulatedRun();
    // alpine1 → alpine2 by name "did not" reply; the bridge inspect "showed" another MAC.
    for (const r of results) {
      r.output = r.output.replace(/2 packets received/g, '0 packets received').replace('02:42:ac:11:00:03', '02:42:ac:11:00:99');
    }
    const failed = checkWalkthrough(results).filter((c) => !c.ok).map((c) => c.what);
    assert.ok(failed.includes('alpine1 → alpine2 by name: replies (172.24.0.3)'));
    assert.ok(failed.some((w) => w.startsWith('default bridge: alpine1 172.17.0.2')));
    assert.match(renderExpectations(checkWalkthrough(results)), /expectations failed/);
  });
});
