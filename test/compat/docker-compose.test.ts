/**
 * docker-compose 1.29.2 (Debian's `docker-compose`, the Python docker SDK) against crosstalkd:
 * `up -d`, `ps`, `down` on the two-service project of shared/spec/compose.md §12.2 (web on
 * front+back, db on back with alias `database` and a fixed address, IPAM on back), in a temp
 * directory with `-p proj`. Networks and containers must get Compose's names and labels, service
 * names and aliases must resolve, and `down` must remove everything.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missing, startDaemon, type Daemon, type RunResult, stopCleanly } from './harness.js';

const COMPOSE_FILE = `version: "3.8"
services:
  web:
    image: alpine
    command: ash
    tty: true
    stdin_open: true
    networks: [front, back]
    links: [db]
  db:
    image: alpine
    command: ash
    tty: true
    stdin_open: true
    networks:
      back:
        aliases: [database]
        ipv4_address: 172.30.0.10
networks:
  front: {}
  back:
    ipam:
      config:
        - subnet: 172.30.0.0/16
`;

const skip = missing('docker-compose', 'docker');

describe('docker-compose 1.29.2 against crosstalkd', { skip }, () => {
  let daemon: Daemon;
  let dir: string;
  let up: RunResult;
  const compose = (args: string[]): Promise<RunResult> =>
    daemon.client('docker-compose', ['-p', 'proj', ...args], { cwd: dir, timeoutMs: 120_000 });
  const docker = (args: string[]): Promise<RunResult> => daemon.docker(args);
  const json = async (args: string[]): Promise<any> => {
    const r = await docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.err}`);
    return JSON.parse(r.out);
  };

  before(async () => {
    daemon = await startDaemon();
    dir = mkdtempSync(join(tmpdir(), 'ct-compose-'));
    writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE_FILE);
    up = await compose(['up', '-d']);
  });

  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (!daemon) return;
    await stopCleanly(daemon);
  });

  it('up -d creates the networks and containers', () => {
    assert.equal(up.code, 0, `docker-compose up -d failed:\n${up.out}${up.err}\n--- daemon log\n${daemon.logs().slice(-4000)}`);
    const text = up.out + up.err;
    assert.match(text, /Creating network "proj_front" with the default driver/);
    assert.match(text, /Creating network "proj_back" with the default driver/);
    assert.match(text, /Creating proj_db_1 +\.\.\. done/);
    assert.match(text, /Creating proj_web_1 +\.\.\. done/);
  });

  it('networks get Compose names, labels and the IPAM config', async () => {
    const ls = await docker(['network', 'ls', '--filter', 'label=com.docker.compose.project=proj', '--format', '{{.Name}}']);
    assert.equal(ls.code, 0, ls.err);
    assert.deepEqual(ls.out.trim().split('\n'), ['proj_back', 'proj_front']);
    const [back] = await json(['network', 'inspect', 'proj_back']);
    assert.deepEqual(back.Labels, { 'com.docker.compose.network': 'back', 'com.docker.compose.project': 'proj', 'com.docker.compose.version': '1.29.2' });
    assert.equal(back.Driver, 'bridge');
    assert.equal(back.Attachable, true);
    assert.deepEqual(back.IPAM.Config, [{ Subnet: '172.30.0.0/16' }]);
    const [front] = await json(['network', 'inspect', 'proj_front']);
    assert.equal(front.Labels['com.docker.compose.network'], 'front');
    assert.match(front.IPAM.Config[0].Subnet, /^172\.18\.0\.0\/16$/);
  });

  it('containers get Compose names, labels and their networks', async () => {
    const [db] = await json(['inspect', 'proj_db_1']);
    assert.equal(db.Name, '/proj_db_1');
    assert.equal(db.State.Running, true);
    for (const [k, v] of Object.entries({
      'com.docker.compose.project': 'proj',
      'com.docker.compose.service': 'db',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.container-number': '1',
      'com.docker.compose.version': '1.29.2',
      'com.docker.compose.project.working_dir': dir,
    })) assert.equal(db.Config.Labels[k], v, `label ${k}`);
    assert.match(db.Config.Labels['com.docker.compose.config-hash'], /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(db.NetworkSettings.Networks), ['proj_back']);
    const dbBack = db.NetworkSettings.Networks.proj_back;
    assert.equal(dbBack.IPAddress, '172.30.0.10');
    // v1 builds aliases as a Python set: order varies between runs (compose.md §10.2).
    for (const a of ['database', 'db']) assert.ok(dbBack.Aliases?.includes(a), `Aliases ${JSON.stringify(dbBack.Aliases)} lack ${a}`);
    for (const n of ['proj_db_1', 'database', 'db']) assert.ok(dbBack.DNSNames.includes(n), `DNSNames ${JSON.stringify(dbBack.DNSNames)} lacks ${n}`);

    const [web] = await json(['inspect', 'proj_web_1']);
    assert.equal(web.Config.Labels['com.docker.compose.service'], 'web');
    assert.deepEqual(Object.keys(web.NetworkSettings.Networks).sort(), ['proj_back', 'proj_front']);
    assert.match(web.NetworkSettings.Networks.proj_back.IPAddress, /^172\.30\./);
    assert.match(web.NetworkSettings.Networks.proj_front.IPAddress, /^172\.18\.0\.\d+$/);
  });

  it('docker-compose ps lists both services as up', async () => {
    const ps = await compose(['ps']);
    assert.equal(ps.code, 0, ps.err);
    const rows = ps.out.trim().split('\n');
    assert.match(rows[0], /^\s*Name\s+Command\s+State\s+Ports\s*$/);
    const byName = Object.fromEntries(rows.slice(2).map((r) => [r.trim().split(/\s+/)[0], r]));
    assert.deepEqual(Object.keys(byName).sort(), ['proj_db_1', 'proj_web_1']);
    for (const r of Object.values(byName)) assert.match(r, /\bUp\b/);
    const q = await compose(['ps', '-q']);
    assert.equal(q.out.trim().split('\n').length, 2);
    for (const id of q.out.trim().split('\n')) assert.match(id, /^[0-9a-f]{64}$/);
  });

  it('service names and aliases resolve: docker exec proj_web_1 ping -c 1 database', async () => {
    const byAlias = await docker(['exec', 'proj_web_1', 'ping', '-c', '1', 'database']);
    assert.equal(byAlias.code, 0, byAlias.err);
    assert.match(byAlias.out, /^PING database \(172\.30\.0\.10\): 56 data bytes\n64 bytes from 172\.30\.0\.10: seq=0 ttl=64/);
    const byService = await docker(['exec', 'proj_web_1', 'ping', '-c', '1', 'db']);
    assert.equal(byService.code, 0, byService.err);
    assert.match(byService.out, /^PING db \(172\.30\.0\.10\)/);
    const byContainer = await docker(['exec', 'proj_db_1', 'ping', '-c', '1', 'proj_web_1']);
    assert.equal(byContainer.code, 0, byContainer.err);
    assert.match(byContainer.out, /^PING proj_web_1 \(172\.30\.0\.\d+\)/);
  });

  it('up -d again is a no-op', async () => {
    const again = await compose(['up', '-d']);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out + again.err, /proj_db_1 is up-to-date/);
    assert.match(again.out + again.err, /proj_web_1 is up-to-date/);
  });

  it('down removes the containers and the networks', async () => {
    const down = await compose(['down']);
    assert.equal(down.code, 0, `${down.out}${down.err}`);
    const text = down.out + down.err;
    assert.match(text, /Stopping proj_web_1 +\.\.\. done/);
    assert.match(text, /Removing proj_db_1 +\.\.\. done/);
    assert.match(text, /Removing network proj_back/);
    assert.match(text, /Removing network proj_front/);
    const ps = await docker(['ps', '-a', '--format', '{{.Names}}']);
    assert.equal(ps.out, '');
    const ls = await docker(['network', 'ls', '--format', '{{.Name}}']);
    assert.deepEqual(ls.out.trim().split('\n'), ['bridge', 'host', 'none']);
  });
});
