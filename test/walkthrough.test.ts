/**
 * The seed walk-through (shared/seed/walkthrough.md), golden: in-process (`crosstalk tutorial
 * --sim`) and as separate CLI processes over SQLite (examples/walkthrough.sh) — both must show
 * exactly what the user saw, and the same thing as each other.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { assertGolden, normalize, ROOT } from './helpers.js';
import { dispatch } from '../src/cli/main.js';
import { createContext } from '../src/cli/context.js';
import { EngineHost } from '../src/cli/engine-host.js';
import { MemoryStore } from '../src/store/store.js';
import { SeededRandom, SteppingClock } from '../src/core/ports.js';

/** A class-based Io, like the process one: its methods live on the prototype. */
class CollectingIo {
  out = '';
  readonly stdinIsTty = false;
  stdout(s: string): void {
    this.out += s;
  }
  stderr(s: string): void {
    this.out += s;
  }
  async readLine(): Promise<string | null> {
    return null;
  }
}

async function tutorialOutput(): Promise<string> {
  const io = new CollectingIo();
  const host = new EngineHost({ store: new MemoryStore(), clock: new SteppingClock(0n), random: new SeededRandom(5) });
  const code = await dispatch(createContext(io, host, {}), ['tutorial', '--sim']);
  assert.equal(code, 0);
  return io.out;
}

/** The output of the step starting with `$ docker <command>` up to the next step. */
function step(output: string, command: string, nth = 1): string {
  const marker = `$ docker ${command}\n`;
  let at = -1;
  for (let i = 0; i < nth; i++) at = output.indexOf(marker, at + 1);
  assert.ok(at >= 0, `step not found: ${command}`);
  const start = at + marker.length;
  const next = output.slice(start).search(/^(\$ docker |\n# )/m);
  // Attached sessions print through a terminal (CR LF); compare lines.
  return (next < 0 ? output.slice(start) : output.slice(start, start + next)).replace(/\r\n/g, '\n');
}

describe('seed walk-through', () => {
  let sim: string;
  before(async () => {
    sim = await tutorialOutput();
  });

  it('matches the golden transcript', () => {
    assertGolden('walkthrough-sim.txt', sim);
  });

  it('starts from the six leftover Compose networks', () => {
    const ls = step(sim, 'network ls');
    const names = ls.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[1]);
    assert.deepEqual(names, [
      'bridge', 'dockercompose_default', 'host', 'none', 'styles_default', 'swcarpentryrnovicegapminder914b882_default',
      'swcarpentryrnovicegapminder_default', 'swcarpentryrnoviceinflammation_default', 'swcarpentryshellnovice_default',
    ]);
    assert.match(ls, /^NETWORK ID     NAME                                         DRIVER    SCOPE\n/);
  });

  it('shows the default bridge as in the transcript', () => {
    const bridge = JSON.parse(step(sim, 'network inspect bridge'))[0];
    assert.deepEqual(bridge.IPAM.Config, [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }]);
    const ctrs = Object.values(bridge.Containers) as Array<Record<string, string>>;
    assert.deepEqual(
      ctrs.map((c) => `${c.Name} ${c.IPv4Address} ${c.MacAddress}`).sort(),
      ['alpine1 172.17.0.2/16 02:42:ac:11:00:02', 'alpine2 172.17.0.3/16 02:42:ac:11:00:03'],
    );
    assert.deepEqual(Object.keys(bridge.Options), [
      'com.docker.network.bridge.default_bridge', 'com.docker.network.bridge.enable_icc', 'com.docker.network.bridge.enable_ip_masquerade',
      'com.docker.network.bridge.host_binding_ipv4', 'com.docker.network.bridge.name', 'com.docker.network.driver.mtu',
    ]);
    const attach = step(sim, 'container attach alpine1');
    assert.match(attach, /PING 172\.17\.0\.3 \(172\.17\.0\.3\): 56 data bytes\n64 bytes from 172\.17\.0\.3: seq=0 ttl=64/);
    assert.match(attach, /ping: bad address 'alpine2'/);
  });

  it('gives alpine-net 172.24.0.0/16 and alpine2 172.24.0.3; ping by name works, alpine3 is unreachable', () => {
    const net = JSON.parse(step(sim, 'network inspect alpine-net'))[0];
    assert.equal(net.IPAM.Config[0].Subnet, '172.24.0.0/16');
    const byName = Object.fromEntries((Object.values(net.Containers) as Array<Record<string, string>>).map((c) => [c.Name, c.IPv4Address]));
    assert.deepEqual(byName, { alpine1: '172.24.0.2/16', alpine2: '172.24.0.3/16', alpine4: '172.24.0.4/16' });
    const bridge = JSON.parse(step(sim, 'network inspect bridge', 2))[0];
    const onBridge = Object.fromEntries((Object.values(bridge.Containers) as Array<Record<string, string>>).map((c) => [c.Name, c.IPv4Address]));
    assert.deepEqual(onBridge, { alpine3: '172.17.0.2/16', alpine4: '172.17.0.3/16' });
    const a1 = step(sim, 'container attach alpine1', 2);
    assert.match(a1, /PING alpine2 \(172\.24\.0\.3\): 56 data bytes\n64 bytes from 172\.24\.0\.3: seq=0 ttl=64 time=\d+\.\d{3} ms\n64 bytes from 172\.24\.0\.3: seq=1 ttl=64 time=\d+\.\d{3} ms\n\n--- alpine2 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min\/avg\/max = [\d.]+\/[\d.]+\/[\d.]+ ms\n/);
    assert.match(a1, /ping: bad address 'alpine3'/);
    assert.match(a1, /PING 172\.17\.0\.2 \(172\.17\.0\.2\): 56 data bytes\n\n--- 172\.17\.0\.2 ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n/);
    const a4 = step(sim, 'container attach alpine4');
    assert.match(a4, /ping: bad address 'alpine3'/);
    assert.match(a4, /--- 172\.17\.0\.2 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss/);
  });

  it('gives lapine-net 172.25.0.0/16 with the transcript MACs; names resolve after connecting', () => {
    const net = JSON.parse(step(sim, 'network inspect lapine-net'))[0];
    assert.equal(net.IPAM.Config[0].Subnet, '172.25.0.0/16');
    assert.equal(net.IPAM.Config[0].Gateway, '172.25.0.1');
    assert.deepEqual(net.Options, {});
    const rows = (Object.values(net.Containers) as Array<Record<string, string>>).map((c) => `${c.Name} ${c.IPv4Address} ${c.MacAddress}`).sort();
    assert.deepEqual(rows, ['alpine3 172.25.0.2/16 02:42:ac:19:00:02', 'alpine4 172.25.0.3/16 02:42:ac:19:00:03']);
    assert.match(step(sim, 'exec alpine4 ping -c 2 alpine3'), /^PING alpine3 \(172\.25\.0\.2\): 56 data bytes\n.*\n.*\n\n--- alpine3 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\n/);
    assert.match(step(sim, 'exec alpine4 ping -c 2 alpine2'), /^PING alpine2 \(172\.24\.0\.3\)/);
  });

  it('a stopped container stops resolving', () => {
    assert.match(step(sim, 'exec alpine1 ping -c 1 alpine2'), /ping: bad address 'alpine2'/);
    assert.match(step(sim, 'exec alpine1 ping -c 1 alpine2', 2), /^PING alpine2 \(172\.24\.0\.\d\)/);
  });

  it('runs identically as separate CLI processes over SQLite (examples/walkthrough.sh)', () => {
    // stderr merged into stdout: pipes are synchronous on Linux, so the order is the program's.
    const script = execFileSync('bash', ['-c', `bash '${join(ROOT, 'examples', 'walkthrough.sh')}' 2>&1`], { encoding: 'utf8', env: { ...process.env, CROSSTALK_SEED: '1' } });
    assert.equal(script, sim);
    assertGolden('walkthrough-cli.txt', normalize(script));
  });
});
