/**
 * The embedded store under real concurrency: separate CLI processes at the same moment never
 * hand out the same subnet or address and never lose each other's change; a failing command
 * leaves the stored state byte-for-byte unchanged.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { ROOT } from './helpers.js';

const run = promisify(execFile);
const BIN = join(ROOT, 'bin', 'crosstalk.js');

function cli(dir: string, args: string[]) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, CROSSTALK_STATE_DIR: dir } });
}

function readState(dir: string): string {
  const store = new SqliteStore(dir);
  try {
    return JSON.stringify(store.read());
  } finally {
    store.close();
  }
}

describe('sqlite store with concurrent CLI processes', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crosstalk-store-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives 12 parallel network creates 12 distinct subnets and loses none', async () => {
    await cli(dir, ['network', 'ls', '-q']);
    await Promise.all(Array.from({ length: 12 }, (_, i) => cli(dir, ['network', 'create', `par${i}`])));
    const { stdout } = await cli(dir, ['network', 'ls', '--filter', 'name=par', '--format', '{{.Name}}']);
    assert.equal(stdout.trim().split('\n').length, 12);
    const subnets = await Promise.all(
      Array.from({ length: 12 }, (_, i) => cli(dir, ['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}}{{end}}', `par${i}`]).then((r) => r.stdout.trim())),
    );
    assert.equal(new Set(subnets).size, 12, `duplicate subnets: ${subnets.join(' ')}`);
  });

  it('gives 10 parallel containers on one network 10 distinct addresses', async () => {
    await cli(dir, ['network', 'create', '--subnet', '10.77.0.0/24', 'shared']);
    await Promise.all(Array.from({ length: 10 }, (_, i) => cli(dir, ['run', '-d', '--name', `p${i}`, '--network', 'shared', 'alpine', 'sleep', 'infinity'])));
    const { stdout } = await cli(dir, ['network', 'inspect', '-f', '{{range .Containers}}{{.IPv4Address}} {{end}}', 'shared']);
    const addrs = stdout.trim().split(' ');
    assert.equal(addrs.length, 10);
    assert.equal(new Set(addrs).size, 10);
    assert.deepEqual([...addrs].sort(), Array.from({ length: 10 }, (_, i) => `10.77.0.${i + 2}/24`).sort());
  });

  it('leaves the state unchanged when a command fails', async () => {
    const before = readState(dir);
    await assert.rejects(cli(dir, ['network', 'create', '--subnet', '10.77.0.0/16', 'overlapping']), /Pool overlaps/);
    await assert.rejects(cli(dir, ['run', '-d', '--name', 'p1', '--network', 'shared', 'alpine', 'sleep', '1d']), /is already in use by container/);
    await assert.rejects(cli(dir, ['run', '-d', '--network', 'bridge', '--ip', '172.17.0.50', 'alpine', 'sleep', '1d']), /supported on user defined networks only/);
    await assert.rejects(cli(dir, ['network', 'rm', 'shared']), /has active endpoints/);
    await assert.rejects(cli(dir, ['network', 'connect', 'nope', 'p1']), /network nope not found/);
    assert.equal(readState(dir), before);
  });
});
