/**
 * The handed cases (shared/cases/networking-cases.yaml) whose setup is a list of docker
 * commands, replayed through the CLI in simulation, asserting what real Docker does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NetView } from '../src/sim/netview.js';
import { newCli, type TestCli } from './helpers.js';

async function ok(cli: TestCli, line: string, input?: string[]) {
  const r = await cli.run(line, input);
  assert.equal(r.code, 0, `${line} failed: ${r.err}`);
  return r;
}

describe('handed cases (simulation)', () => {
  it('default-address-pools-exhausted: the 31st network fails, in both profiles', async () => {
    for (const [profile, text] of [
      ['default', 'Error response from daemon: all predefined address pools have been fully subnetted\n'],
      ['legacy', 'Error response from daemon: could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network\n'],
    ] as const) {
      const cli = newCli({ profile });
      for (let i = 1; i <= 30; i++) await ok(cli, `docker network create net${i}`);
      const r = await cli.run('docker network create net31');
      assert.equal(r.code, 1);
      assert.equal(r.out, '');
      assert.equal(r.err, text);
      const subnets = await ok(cli, "docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' net1 net14 net15 net30");
      assert.equal(subnets.out, '172.18.0.0/16\n172.31.0.0/16\n192.168.0.0/20\n192.168.240.0/20\n');
      await ok(cli, 'docker network prune -f');
      await ok(cli, 'docker network create net31');
    }
  });

  it('stopped-upstream-name-disappears: a stopped container does not resolve, and comes back at a new address', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create proxy');
    await ok(cli, 'docker run -d --name app1 --network proxy nginx:alpine');
    await ok(cli, 'docker stop app1');
    await ok(cli, 'docker run -d --name rp --network proxy alpine sleep 1d');
    const miss = await cli.run('docker exec rp nslookup app1');
    assert.equal(miss.code, 1);
    assert.match(miss.out + miss.err, /can't find app1: NXDOMAIN/);
    const wget = await cli.run('docker exec rp wget -qO- http://app1/');
    assert.equal(wget.err, "wget: bad address 'app1'\n");
    await ok(cli, 'docker start app1');
    const rp = await ok(cli, 'docker inspect -f {{.NetworkSettings.Networks.proxy.IPAddress}} rp');
    assert.equal(rp.out, '172.18.0.2\n');
    const hit = await ok(cli, 'docker exec rp getent hosts app1');
    assert.match(hit.out, /^172\.18\.0\.3\s+app1/);
  });

  it('network-named-default-is-predefined: refused; --network default is the default bridge without DNS', async () => {
    const cli = newCli();
    const r = await cli.run('docker network create default');
    assert.equal(r.code, 1);
    assert.equal(r.err, 'Error response from daemon: operation is not permitted on predefined default network\n');
    await ok(cli, 'docker run -d --name nginx --network default nginx:alpine');
    const mode = await ok(cli, 'docker inspect -f "{{.HostConfig.NetworkMode}} {{.NetworkSettings.Networks.bridge.IPAddress}}" nginx');
    assert.equal(mode.out, 'bridge 172.17.0.2\n');
    const wget = await cli.run('docker run --rm --network default alpine wget -qO- http://nginx');
    assert.equal(wget.code, 1);
    assert.equal(wget.err, "wget: bad address 'nginx'\n");
    const ps = await ok(cli, 'docker ps -a --format {{.Names}}');
    assert.equal(ps.out, 'nginx\n', 'the --rm container is gone');
  });

  it('hairpin-to-host-ip-published-port: a container reaches a published port through the host LAN address', async () => {
    const cli = newCli();
    await ok(cli, 'crosstalk host set --address eth0=192.168.50.10/24 --route 0.0.0.0/0@192.168.50.1');
    await ok(cli, 'docker run -d --name server -p 44444:12345 python:3-alpine python -m http.server 12345');
    const r = await ok(cli, 'docker run --rm alpine wget -qO- -T 5 http://192.168.50.10:44444/');
    assert.match(r.out, /Directory listing/);
    const ports = await ok(cli, 'docker ps --format {{.Ports}}');
    assert.equal(ports.out, '0.0.0.0:44444->12345/tcp, [::]:44444->12345/tcp\n');
    const direct = await cli.run('docker run --rm alpine wget -qO- -T 5 http://172.17.0.2:44444/');
    assert.equal(direct.code, 1, 'the published port is not the container port');
  });

  it('internal-network-publishes-no-ports: no mapping; the host still reaches the container address', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create --internal testnet');
    await ok(cli, 'docker run -d --name testcon --network testnet -p 127.0.0.1:80:80 nginx:alpine');
    cli.host.read((engine) => {
      const view = new NetView(engine);
      assert.equal(view.reachFromHost('127.0.0.1', 'tcp', 80).outcome, 'refused');
      const direct = view.reachFromHost('172.18.0.2', 'tcp', 80);
      assert.equal(direct.outcome, 'ok');
      assert.equal(direct.target?.name, 'testcon');
    });
    await ok(cli, 'docker network create outside');
    await ok(cli, 'docker network connect outside testcon');
    cli.host.read((engine) => assert.equal(new NetView(engine).reachFromHost('127.0.0.1', 'tcp', 80).outcome, 'ok'));
  });

  it('internal-network-server-never-started: npm install fails, the server exits, its name stops resolving', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create --internal test');
    await ok(cli, `docker run -d --name weba --network test node:20-alpine sh -c 'npm install -g http-server && http-server -a 0.0.0.0 -p 4200'`);
    await ok(cli, 'docker run -d --name webb --network test node:20-alpine sleep 1d');
    const state = await ok(cli, 'docker ps -a --filter name=weba --format {{.State}}');
    assert.equal(state.out, 'exited\n');
    const ping = await cli.run('docker exec webb ping -c 1 weba');
    assert.equal(ping.code, 1);
    assert.equal(ping.err, "ping: bad address 'weba'\n");
    const nc = await cli.run('docker exec webb nc -z weba 4200');
    assert.notEqual(nc.code, 0);
  });

  it('macvlan-host-cannot-reach-own-containers: host and svc cannot talk; another LAN machine can', async () => {
    const cli = newCli();
    await ok(cli, 'crosstalk host set --address eth0=192.168.50.10/24 --route 0.0.0.0/0@192.168.50.1');
    await ok(cli, 'docker network create -d macvlan --subnet 192.168.50.0/24 --gateway 192.168.50.1 -o parent=eth0 lan');
    await ok(cli, 'docker run -d --name svc --network lan --ip 192.168.50.149 nginx:alpine');
    const ping = await cli.run('docker exec svc ping -c 1 -W 1 192.168.50.10');
    assert.equal(ping.code, 1);
    const router = await cli.run('docker exec svc ping -c 1 -W 1 192.168.50.1');
    assert.equal(router.code, 0, 'other machines on the LAN answer');
    cli.host.read((engine) => {
      const view = new NetView(engine);
      assert.equal(view.reachFromHost('192.168.50.149', 'tcp', 80).outcome, 'host-unreachable');
      const lan = view.reachFromLan('192.168.50.149', 'tcp', 80);
      assert.equal(lan.outcome, 'ok');
      assert.equal(lan.target?.name, 'svc');
    });
    const bad = await cli.run('docker network create -d macvlan --subnet 10.9.9.0/24 -o parent=eth9 lan2');
    assert.equal(bad.err, 'Error response from daemon: -o parent interface was not found on the host: eth9\n');
  });

  it('swarm-overlay-not-attachable: a non-attachable overlay refuses containers; --attachable works', async () => {
    const cli = newCli();
    const before = await cli.run('docker network create -d overlay my-s');
    assert.match(before.err, /This node is not a swarm manager/);
    await ok(cli, 'docker swarm init');
    await ok(cli, 'docker network create -d overlay my-s');
    const r = await cli.run('docker run -d --network my-s alpine sleep 1d');
    assert.equal(r.code, 125);
    assert.match(r.err, /^docker: Error response from daemon: Could not attach to network my-s: rpc error: code = PermissionDenied desc = network my-s not manually attachable\n/m);
    const scope = await ok(cli, 'docker network ls --filter name=my-s --format "{{.Name}} {{.Driver}} {{.Scope}}"');
    assert.equal(scope.out, 'my-s overlay swarm\n');
    await ok(cli, 'docker network create -d overlay --attachable my-a');
    await ok(cli, 'docker run -d --name t1 --network my-a alpine sleep 1d');
    const ip = await ok(cli, `docker inspect -f '{{(index .NetworkSettings.Networks "my-a").IPAddress}}' t1`);
    assert.match(ip.out, /^10\.0\.\d+\.2\n$/);
  });

  it('static-ip-on-network-without-configured-subnet: --ip needs a user-configured subnet (Engine 28)', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create my-net');
    const r = await cli.run('docker run -d --name c1 --network my-net --ip 172.18.0.10 alpine sleep 1d');
    assert.equal(r.code, 125);
    assert.equal(r.err, "docker: Error response from daemon: user specified IP address is supported only when connecting to networks with user configured subnets\n\nRun 'docker run --help' for more information\n");
    const ps = await ok(cli, 'docker ps -a -q');
    assert.equal(ps.out, '');
  });

  it('docker-subnet-shadows-corporate-network: 172.17/172.19 corporate hosts are unreachable while the networks exist', async () => {
    const cli = newCli();
    await ok(cli, 'crosstalk host set --route 172.16.0.0/12@10.0.2.2 --route 0.0.0.0/0@10.0.2.2 --external corp1=172.17.20.5 --external corp2=172.19.5.10');
    await ok(cli, 'docker network create first');
    await ok(cli, 'docker network create second');
    const subnets = await ok(cli, "docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' first second");
    assert.equal(subnets.out, '172.18.0.0/16\n172.19.0.0/16\n');
    const a = await cli.run('docker run --rm alpine wget -qO- -T 3 http://172.17.20.5/');
    assert.equal(a.code, 1);
    assert.match(a.err, /wget: can't connect to remote host \(172\.17\.20\.5\): Host is unreachable|wget: download timed out/);
    const b = await cli.run('docker run --rm --network second alpine wget -qO- -T 3 http://172.19.5.10/');
    assert.equal(b.code, 1);
    cli.host.read((engine) => assert.notEqual(new NetView(engine).reachFromHost('172.19.5.10', 'tcp', 80).outcome, 'ok'));
    await ok(cli, 'docker network rm second');
    cli.host.read((engine) => assert.equal(new NetView(engine).reachFromHost('172.19.5.10', 'tcp', 80).outcome, 'ok'));
  });

  it('host-network-mode-discards-ports: the engine warns, 8888 is refused, 8000 answers; explain says why', async () => {
    const cli = newCli();
    const run = await ok(cli, 'docker run -d --name web --network host -p 8888:8000 python:3-alpine python -m http.server 8000');
    assert.equal(run.err, 'WARNING: Published ports are discarded when using host network mode\n');
    cli.host.read((engine) => {
      const view = new NetView(engine);
      assert.notEqual(view.reachFromHost('127.0.0.1', 'tcp', 8888).outcome, 'ok');
      assert.equal(view.reachFromHost('127.0.0.1', 'tcp', 8000).outcome, 'ok');
    });
    const why = await cli.run('crosstalk explain host localhost:8888');
    assert.match(why.out, /the host resolves localhost → 127\.0\.0\.1/);
    assert.match(why.out, /fix: web uses the host network, so its published port 8888 was discarded \("Published ports are discarded when using host network mode"\); connect to port 8000, where it listens/);
    assert.doesNotMatch(why.out, /undefined/);
    assert.match((await cli.run('crosstalk explain host localhost:8000')).out, /YES: reachable/);
    // Without host networking no warning: the port is published.
    assert.equal((await ok(cli, 'docker run -d --name pub -p 8889:8000 python:3-alpine python -m http.server 8000')).err, '');
  });

  it('host-port-range-to-single-container-port: host ports are picked at start, the next free one of the range each', async () => {
    const cli = newCli();
    for (const n of ['r1', 'r2', 'r3']) await ok(cli, `docker create --name ${n} -p 4200-4500:80 nginx:alpine`);
    for (const n of ['r1', 'r2', 'r3']) await ok(cli, `docker start ${n}`);
    assert.equal((await ok(cli, "docker ps --format '{{.Names}} {{.Ports}}'")).out.split('\n').filter(Boolean).sort().join('\n'), [
      'r1 0.0.0.0:4200->80/tcp, [::]:4200->80/tcp',
      'r2 0.0.0.0:4201->80/tcp, [::]:4201->80/tcp',
      'r3 0.0.0.0:4202->80/tcp, [::]:4202->80/tcp',
    ].join('\n'));
    assert.equal((await ok(cli, "docker inspect -f '{{json .HostConfig.PortBindings}}' r2")).out, '{"80/tcp":[{"HostIp":"","HostPort":"4200-4500"}]}\n');
    // Stopped, r1's port is free again: the next start takes the lowest free one.
    await ok(cli, 'docker stop r1');
    await ok(cli, 'docker run -d --name r4 -p 4200-4500:80 nginx:alpine');
    assert.match((await ok(cli, "docker port r4")).out, /^80\/tcp -> 0\.0\.0\.0:4200\n/);
  });

  it('compose-links-alias-precedence-on-shared-network: a link alias outranks the network-wide service name', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create test');
    // What Compose v2 sends for each project: the service name as a network alias, links on the endpoint.
    for (const p of ['one', 'two']) {
      await ok(cli, `docker run -d --name ${p}-db-1 --network test --network-alias db busybox tail -f /dev/null`);
      await ok(cli, `docker run -d --name ${p}-web-1 --network test --network-alias web --link ${p}-db-1:db busybox tail -f /dev/null`);
    }
    const ip = async (name: string) => (await ok(cli, `docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' ${name}`)).out.trim();
    const [one, two] = [await ip('one-db-1'), await ip('two-db-1')];
    assert.equal((await ok(cli, "docker inspect -f '{{json .NetworkSettings.Networks.test.Links}}' one-web-1")).out, '["one-db-1:db"]\n');
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await ok(cli, 'docker exec one-web-1 nslookup db');
      seen.add([...r.out.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]).join(' '));
    }
    assert.deepEqual([...seen], [one], 'always one-db-1, through the link');
    // Without the link (Compose v2.1.1's bug) the network-wide name has both records.
    await ok(cli, 'docker run -d --name nolink --network test busybox tail -f /dev/null');
    const both = await ok(cli, 'docker exec nolink nslookup db');
    assert.deepEqual([...both.out.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]).sort(), [one, two].sort());
    cli.host.read((engine) => {
      const view = new NetView(engine);
      assert.deepEqual(view.lookup(engine.findContainer('two-web-1'), 'db').kind === 'answer' ? (view.lookup(engine.findContainer('two-web-1'), 'db') as { addresses: string[] }).addresses : [], [two]);
    });
  });
});
