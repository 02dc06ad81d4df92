/**
 * The embedded DNS at 127.0.0.11 for real: a server inside a container's own network namespace
 * answers busybox nslookup from the engine state (names on shared networks, PTR, unknown names).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CryptoRandom, systemClock } from '../../src/core/ports.js';
import { EngineHost } from '../../src/cli/engine-host.js';
import { createContainer, startContainer } from '../../src/engine/containers.js';
import { Sandbox } from '../../src/platform/linux/sandbox.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { ROOT } from '../helpers.js';
import { skipReason } from './helpers.js';

const skip = skipReason(['busybox']);

function nslookup(c: Sandbox, name: string): { ok: boolean; out: string } {
  try {
    return { ok: true, out: c.exec(['busybox', 'nslookup', name, '127.0.0.11']) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('embedded DNS server at 127.0.0.11 inside a container namespace', { skip }, () => {
  it('answers names, PTR and unknown names from the engine state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crosstalk-dns-'));
    const store = new SqliteStore(dir);
    const host = new EngineHost({ store, clock: systemClock, random: new CryptoRandom() });
    host.write((engine) => {
      engine.createNetwork({ name: 'alpine-net' });
      for (const name of ['alpine1', 'alpine2']) {
        createContainer(engine, { name, image: 'alpine', cmd: ['sleep', 'infinity'], networkMode: 'alpine-net' });
        startContainer(engine, name);
      }
      createContainer(engine, { name: 'alpine3', image: 'alpine', cmd: ['sleep', 'infinity'] });
      startContainer(engine, 'alpine3');
    });
    store.close();
    const c1 = await Sandbox.create();
    const server = spawn('setpriv', ['--pdeathsig', 'KILL', 'nsenter', `--net=${c1.netnsPath}`, process.execPath, join(ROOT, 'dist', 'dns-server.js'), '--state-dir', dir, '--container', 'alpine1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let err = '';
        server.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
        server.stderr.on('data', (c: Buffer) => (err += c.toString()));
        server.on('exit', (code) => reject(new Error(`dns server exited ${code}: ${err}`)));
      });
      const a = nslookup(c1, 'alpine2');
      assert.equal(a.ok, true, a.out);
      assert.match(a.out, /Name:\s+alpine2\nAddress: 172\.18\.0\.3/);
      const upper = nslookup(c1, 'ALPINE2.alpine-net');
      assert.match(upper.out, /Address: 172\.18\.0\.3/);
      const ptr = nslookup(c1, '172.18.0.3');
      assert.match(ptr.out, /3\.0\.18\.172\.in-addr\.arpa\s+name = alpine2\.alpine-net/);
      const other = nslookup(c1, 'alpine3');
      assert.equal(other.ok, false);
      assert.match(other.out, /NXDOMAIN/);
    } finally {
      server.kill('SIGKILL');
      await c1.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
