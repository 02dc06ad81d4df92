/**
 * dockerode (npm, docker-modem underneath) against crosstalkd: networks with labels and IPAM
 * config, containers created with `NetworkingConfig.EndpointsConfig[net].Aliases` and a fixed IP,
 * connect / disconnect, `NetworkSettings.Networks.*.DNSNames`, exec over a multiplexed hijacked
 * stream, errors as `{"message"}` with Docker's status codes, prune, remove.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { missing, startDaemon, type Daemon, stopCleanly } from './harness.js';

const skip = missing();

/** Runs a command in a container through the exec API; stdout and stderr demultiplexed. */
async function execIn(docker: Docker, container: string, cmd: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { code: info.ExitCode, out, err };
}

/** The rejection of a dockerode call: `statusCode` and the daemon's `{"message"}`. */
async function failure(p: Promise<unknown>): Promise<{ statusCode: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { statusCode: number; json?: { message?: string } };
    return { statusCode: err.statusCode, message: err.json?.message ?? String(e) };
  }
  assert.fail('expected the call to fail');
}

describe('dockerode against crosstalkd', { skip }, () => {
  let daemon: Daemon;
  let docker: Docker;
  const ids: Record<string, string> = {};

  before(async () => {
    daemon = await startDaemon();
    docker = new Docker({ socketPath: daemon.socket });
  });

  after(async () => {
    if (!daemon) return;
    await stopCleanly(daemon);
  });

  it('pings and reports a version', async () => {
    assert.equal(String(await docker.ping()), 'OK');
    const v = await docker.version();
    assert.equal(v.ApiVersion, '1.50');
    assert.equal((v as unknown as { MinAPIVersion: string }).MinAPIVersion, '1.24');
    assert.equal(v.Os, 'linux');
  });

  it('creates networks with labels and IPAM config and inspects them', async () => {
    const front = await docker.createNetwork({
      Name: 'dn-front',
      Driver: 'bridge',
      Labels: { 'com.example.tier': 'front', 'com.example.owner': 'dockerode' },
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.77.0.0/24', IPRange: '10.77.0.128/25', Gateway: '10.77.0.1' }] },
    });
    ids.front = front.id;
    assert.match(front.id, /^[0-9a-f]{64}$/);
    const back = await docker.createNetwork({ Name: 'dn-back', Labels: { 'com.example.tier': 'back' }, Internal: false, Attachable: true });
    ids.back = back.id;

    const f = await docker.getNetwork('dn-front').inspect();
    assert.equal(f.Name, 'dn-front');
    assert.equal(f.Id, ids.front);
    assert.equal(f.Driver, 'bridge');
    assert.equal(f.Scope, 'local');
    assert.deepEqual(f.Labels, { 'com.example.tier': 'front', 'com.example.owner': 'dockerode' });
    assert.equal(f.IPAM?.Driver, 'default');
    assert.deepEqual(f.IPAM?.Config, [{ Subnet: '10.77.0.0/24', IPRange: '10.77.0.128/25', Gateway: '10.77.0.1' }]);
    const b = await docker.getNetwork(ids.back.slice(0, 12)).inspect();
    assert.equal(b.Name, 'dn-back');
    assert.equal(b.Attachable, true);
    assert.match(b.IPAM?.Config?.[0]?.Subnet ?? '', /^172\.18\.0\.0\/16$/);
  });

  it('lists networks with filters', async () => {
    const all = await docker.listNetworks();
    assert.deepEqual(all.map((n) => n.Name).sort(), ['bridge', 'dn-back', 'dn-front', 'host', 'none']);
    const front = await docker.listNetworks({ filters: { label: ['com.example.tier=front'] } });
    assert.deepEqual(front.map((n) => n.Name), ['dn-front']);
    const tiered = await docker.listNetworks({ filters: JSON.stringify({ label: { 'com.example.tier': true } }) });
    assert.deepEqual(tiered.map((n) => n.Name).sort(), ['dn-back', 'dn-front']);
    const byName = await docker.listNetworks({ filters: { name: ['dn-'] } });
    assert.deepEqual(byName.map((n) => n.Name).sort(), ['dn-back', 'dn-front']);
    // Several label filters must all match (moby: filters.MatchKVList).
    const both = await docker.listNetworks({ filters: { label: ['com.example.tier=front', 'com.example.owner=dockerode'] } });
    assert.deepEqual(both.map((n) => n.Name), ['dn-front']);
    const none = await docker.listNetworks({ filters: { label: ['com.example.tier=front', 'com.example.tier=back'] } });
    assert.deepEqual(none.map((n) => n.Name), []);
    const custom = await docker.listNetworks({ filters: { type: ['custom'] } });
    assert.deepEqual(custom.map((n) => n.Name).sort(), ['dn-back', 'dn-front']);
  });

  it('creates containers with endpoint aliases and a fixed IP; inspect shows DNSNames', async () => {
    const web = await docker.createContainer({
      name: 'dn-web',
      Image: 'alpine',
      Labels: { 'com.example.app': 'demo', 'com.example.role': 'web' },
      Cmd: ['ash'],
      Tty: true,
      OpenStdin: true,
      HostConfig: { NetworkMode: 'dn-front' },
      NetworkingConfig: { EndpointsConfig: { 'dn-front': { Aliases: ['www', 'site'], IPAMConfig: { IPv4Address: '10.77.0.200' } } } },
    });
    ids.web = web.id;
    const db = await docker.createContainer({
      name: 'dn-db',
      Image: 'alpine',
      Labels: { 'com.example.app': 'demo', 'com.example.role': 'db' },
      Cmd: ['ash'],
      Tty: true,
      OpenStdin: true,
      HostConfig: { NetworkMode: 'dn-back' },
      NetworkingConfig: { EndpointsConfig: { 'dn-back': { Aliases: ['database'] } } },
    });
    ids.db = db.id;
    await web.start();
    await db.start();

    const w = await web.inspect();
    assert.equal(w.State.Running, true);
    const ep = w.NetworkSettings.Networks['dn-front'] as unknown as Record<string, unknown>;
    assert.equal(ep.IPAddress, '10.77.0.200');
    assert.equal(ep.IPPrefixLen, 24);
    assert.equal(ep.Gateway, '10.77.0.1');
    assert.equal(ep.NetworkID, ids.front);
    assert.deepEqual(ep.IPAMConfig, { IPv4Address: '10.77.0.200' });
    assert.deepEqual(ep.Aliases, ['www', 'site']);
    assert.deepEqual(ep.DNSNames, ['dn-web', 'www', 'site', ids.web.slice(0, 12)]);
    assert.equal((w.NetworkSettings as unknown as { IPAddress: string }).IPAddress, '', 'deprecated top-level fields are for the default bridge only');

    const d = await db.inspect();
    const dep = d.NetworkSettings.Networks['dn-back'] as unknown as Record<string, unknown>;
    assert.equal(dep.IPAddress, '172.18.0.2');
    assert.deepEqual(dep.DNSNames, ['dn-db', 'database', ids.db.slice(0, 12)]);
  });

  it('lists containers with filters', async () => {
    const running = await docker.listContainers({ filters: { network: ['dn-front'] } });
    assert.deepEqual(running.map((c) => c.Names), [['/dn-web']]);
    const all = await docker.listContainers({ all: true, filters: { name: ['dn-'] } });
    assert.deepEqual(all.map((c) => c.Names[0]).sort(), ['/dn-db', '/dn-web']);
    const demo = await docker.listContainers({ filters: { label: ['com.example.app=demo'] } });
    assert.deepEqual(demo.map((c) => c.Names[0]).sort(), ['/dn-db', '/dn-web']);
    // Several label filters must all match, as docker-compose relies on (project AND service AND oneoff).
    const db = await docker.listContainers({ filters: { label: ['com.example.app=demo', 'com.example.role=db'] } });
    assert.deepEqual(db.map((c) => c.Names[0]), ['/dn-db']);
    const web = all.find((c) => c.Names[0] === '/dn-web')!;
    assert.equal((web.NetworkSettings.Networks['dn-front'] as unknown as { IPAddress: string }).IPAddress, '10.77.0.200');
  });

  it('connects a running container to a second network with an alias; names resolve there', async () => {
    await docker.getNetwork('dn-back').connect({ Container: 'dn-web', EndpointConfig: { Aliases: ['api'] } });
    const w = await docker.getContainer('dn-web').inspect();
    assert.deepEqual(Object.keys(w.NetworkSettings.Networks).sort(), ['dn-back', 'dn-front']);
    const ep = w.NetworkSettings.Networks['dn-back'] as unknown as Record<string, unknown>;
    assert.equal(ep.IPAddress, '172.18.0.3');
    assert.deepEqual(ep.DNSNames, ['dn-web', 'api', ids.web.slice(0, 12)]);

    const net = await docker.getNetwork('dn-back').inspect();
    const members = Object.values(net.Containers ?? {}).map((c) => `${c.Name} ${c.IPv4Address}`).sort();
    assert.deepEqual(members, ['dn-db 172.18.0.2/16', 'dn-web 172.18.0.3/16']);

    const ping = await execIn(docker, 'dn-db', ['ping', '-c', '1', 'api']);
    assert.equal(ping.code, 0, ping.err);
    assert.match(ping.out, /^PING api \(172\.18\.0\.3\): 56 data bytes\n64 bytes from 172\.18\.0\.3/);
    const nope = await execIn(docker, 'dn-db', ['ping', '-c', '1', 'www']);
    assert.equal(nope.code, 1);
    assert.match(nope.err, /ping: bad address 'www'/);
  });

  it('refuses a second connect and a disconnect of a container that is not connected', async () => {
    const dup = await failure(docker.getNetwork('dn-back').connect({ Container: 'dn-web' }));
    assert.ok(dup.statusCode >= 400, String(dup.statusCode));
    assert.equal(dup.message, 'endpoint with name dn-web already exists in network dn-back');
    const notOn = await failure(docker.getNetwork('dn-front').disconnect({ Container: 'dn-db' }));
    assert.ok(notOn.statusCode >= 400, String(notOn.statusCode));
    assert.equal(notOn.message, `container ${ids.db} is not connected to network dn-front`);
  });

  it('disconnects; the alias stops resolving', async () => {
    await docker.getNetwork('dn-back').disconnect({ Container: 'dn-web', Force: false });
    const w = await docker.getContainer('dn-web').inspect();
    assert.deepEqual(Object.keys(w.NetworkSettings.Networks), ['dn-front']);
    const ping = await execIn(docker, 'dn-db', ['ping', '-c', '1', 'api']);
    assert.equal(ping.code, 1);
    assert.match(ping.err, /ping: bad address 'api'/);
  });

  it('answers errors with Docker status codes and messages', async () => {
    const nf = await failure(docker.getNetwork('nope').inspect());
    assert.deepEqual(nf, { statusCode: 404, message: 'network nope not found' });
    const cnf = await failure(docker.getContainer('nope').inspect());
    assert.deepEqual(cnf, { statusCode: 404, message: 'No such container: nope' });
    const dupName = await failure(docker.createNetwork({ Name: 'dn-front' }));
    assert.equal(dupName.statusCode, 409);
    assert.equal(dupName.message, 'network with name dn-front already exists');
    const predefined = await failure(docker.getNetwork('bridge').remove());
    assert.equal(predefined.statusCode, 403);
    assert.equal(predefined.message, 'bridge is a pre-defined network and cannot be removed');
    const inUse = await failure(docker.getNetwork('dn-front').remove());
    assert.equal(inUse.statusCode, 403);
    assert.match(inUse.message, /^error while removing network: network dn-front has active endpoints \(name:"dn-web" id:"[0-9a-f]{12}"\)$/);
  });

  it('prunes unused networks (filtered by label)', async () => {
    await docker.createNetwork({ Name: 'dn-unused', Labels: { 'com.example.prune': 'yes' } });
    await docker.createNetwork({ Name: 'dn-keep' });
    const res = (await docker.pruneNetworks({ filters: { label: ['com.example.prune=yes'] } })) as { NetworksDeleted: string[] | null };
    assert.deepEqual(res.NetworksDeleted, ['dn-unused']);
    const names = (await docker.listNetworks()).map((n) => n.Name).sort();
    assert.deepEqual(names, ['bridge', 'dn-back', 'dn-front', 'dn-keep', 'host', 'none']);
  });

  it('stops and removes containers, then removes networks', async () => {
    await docker.getContainer('dn-db').stop({ t: 0 });
    const stopped = await docker.getContainer('dn-db').inspect();
    assert.equal(stopped.State.Running, false);
    assert.deepEqual(stopped.NetworkSettings.Networks['dn-back'].IPAddress, '');
    await docker.getContainer('dn-db').remove();
    await docker.getContainer('dn-web').remove({ force: true });
    assert.deepEqual(await docker.listContainers({ all: true }), []);
    await docker.getNetwork('dn-front').remove();
    await docker.getNetwork(ids.back).remove();
    await docker.getNetwork('dn-keep').remove();
    const res = (await docker.pruneNetworks()) as { NetworksDeleted: string[] | null };
    assert.ok(res.NetworksDeleted === null || res.NetworksDeleted.length === 0, JSON.stringify(res));
    assert.deepEqual((await docker.listNetworks()).map((n) => n.Name).sort(), ['bridge', 'host', 'none']);
  });
});
