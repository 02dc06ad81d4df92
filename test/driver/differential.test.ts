/**
 * Differential test: random topologies (seeded) built on the simulator and on the real Linux data
 * plane; the whole probe matrix (names, pings, TCP between every ordered pair) must get the same
 * answers on both. A failure prints the seed, the topology (as docker commands) and the differing
 * probes. Seeds: [1, 2, 3], or CROSSTALK_DIFF_SEEDS=4,5,6 (comma-separated; "a-b" for a range).
 * The real side is root only (skips with the reason); one daemon serves every seed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeTopology, differences, generate, matrix, runMatrix } from './differential.js';
import { LinuxTarget, linuxSkipReason, SimTarget } from './target.js';

function seeds(): number[] {
  const spec = process.env.CROSSTALK_DIFF_SEEDS;
  if (!spec) return [1, 2, 3];
  return spec.split(',').flatMap((part) => {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (m) return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
    return [Number(part)];
  });
}

describe('differential generator', () => {
  it('is deterministic per seed and stays within the bounds', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const a = generate(seed);
      assert.deepEqual(generate(seed), a);
      assert.ok(a.networks.length >= 2 && a.networks.length <= 4);
      assert.ok(a.containers.length >= 4 && a.containers.length <= 7);
      for (const c of a.containers) assert.ok(c.networks.length <= 3 && c.name.length >= 2);
    }
  });

  it('plays on the simulator: the probe matrix is answered for every default seed', async () => {
    for (const seed of seeds()) {
      const topo = generate(seed);
      const run = await runMatrix(new SimTarget(), topo, (built) => matrix(topo, built));
      assert.ok(run.answers.size > 0, `seed ${seed}`);
    }
  });
});

const skip = linuxSkipReason();

describe('simulator vs real Linux data plane on random topologies', { skip, timeout: 600_000 }, () => {
  const real = new LinuxTarget();
  before(() => real.start());
  after(() => real.destroy());

  for (const seed of seeds()) {
    it(`seed ${seed}`, async () => {
      const topo = generate(seed);
      const sim = await runMatrix(new SimTarget(), topo, (built) => matrix(topo, built));
      await real.clean();
      // The same probes (symbolic references), answered on the real plane with its own addresses.
      const probes = matrix(topo, sim.built);
      const lx = await runMatrix(real, topo, () => probes);
      const diff = differences(sim, lx);
      assert.equal(
        diff,
        '',
        `sim and linux disagree for seed ${seed} (rerun: CROSSTALK_DIFF_SEEDS=${seed} node --import tsx --test test/driver/differential.test.ts)\n` +
          `topology:\n${describeTopology(topo)}\ncommands:\n${sim.built.commands.join('\n')}\n` +
          `differences (${diff.split('\n').length} of ${probes.length} probes):\n${diff}`,
      );
    });
  }

  it('stops cleanly and leaves nothing behind', async () => {
    await real.clean();
    await real.stopAndCheck();
  });
});
